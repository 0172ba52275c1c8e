"""Managers read an application's assessment results, score free-text answers, grant extra
time or a retake, and set each opening's screening rules. Reading results is audited."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from assessments import attempts, opening_rules, results, verdicts
from assessments.forms import GrantForm, RubricScoreForm
from assessments.models import Answer, Attempt
from assessments.readiness import profile_form
from assessments.readiness import rules as readiness_rules
from assessments.readiness import runs as readiness_runs
from portal import audit, pdf
from portal.auth.models import ADMIN, MANAGER
from portal.auth.permissions import roles
from portal.extensions import db, utcnow, writes_on_get
from portal.form_errors import flash_errors
from portal.recruiting.models import Application, Opening

TYPE_LABELS = {"likert": "Agreement", "single_choice": "Single choice",
               "multiple_choice": "Multiple choice", "best_worst": "Situation: best and worst",
               "rank": "Situation: ranking", "rating": "Situation: rating", "text": "Free text",
               "typing": "Typing"}

bp = Blueprint("assessment_results", __name__, url_prefix="/assessments",
               template_folder="templates")


def _grant_form(found: results.ApplicationResults) -> GrantForm:
    form = GrantForm()
    form.bank_key.choices = [(r.bank.key, r.bank.title) for r in found.banks
                             if r.bank.time_limit_minutes or r.attempt is not None]
    return form


@bp.get("/applications/<int:application_id>")
@roles(MANAGER, ADMIN)
@writes_on_get
def application(application_id: int):
    application = db.get_or_404(Application, application_id)
    found = results.for_application(application)
    audit.record("assessment.results_viewed", application, current_user)
    db.session.commit()
    return render_template("assessments/results.html", found=found, application=application,
                           grant_form=_grant_form(found), verdicts=verdicts,
                           type_labels=TYPE_LABELS,
                           readiness=readiness_runs.summary(application))


@bp.get("/applications/<int:application_id>/report.pdf")
@roles(MANAGER, ADMIN)
@writes_on_get
def report(application_id: int):
    """The results as a PDF for the hiring file."""
    application = db.get_or_404(Application, application_id)
    html = render_template("assessments/report.html", found=results.for_application(application),
                           application=application, verdicts=verdicts, printed_at=utcnow(),
                           printed_by=current_user.full_name,
                           readiness=readiness_runs.summary(application))
    try:
        document = pdf.render(html)
    except pdf.PdfUnavailable as missing:
        abort(503, str(missing))
    audit.record("assessment.report_downloaded", application, current_user)
    db.session.commit()
    return Response(document, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="assessment-results-{application.id}.pdf"'})


@bp.post("/applications/<int:application_id>/grants")
@roles(MANAGER, ADMIN)
def grant(application_id: int):
    application = db.get_or_404(Application, application_id)
    form = _grant_form(results.for_application(application))
    if form.validate_on_submit():
        try:
            attempts.grant(application, form.bank_key.data, form.kind.data, form.minutes.data or 0,
                           form.reason.data, current_user)
        except attempts.GrantRefused as refused:
            flash(str(refused), "warning")
        else:
            db.session.commit()
            flash("Granted and recorded.", "success")
    else:
        flash_errors(form)
    return redirect(url_for(".application", application_id=application.id) + "#grants")


@bp.post("/applications/<int:application_id>/answers/<int:attempt_id>/<item_id>")
@roles(MANAGER, ADMIN)
def score_answer(application_id: int, attempt_id: int, item_id: str):
    """A manager's rubric level for a free-text answer."""
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is None or attempt.application_id != application_id or attempt.is_open:
        abort(404)
    item = attempts.bank_of(attempt).item(item_id)
    answer = db.session.get(Answer, (attempt.id, item_id))
    if item is None or item.type != "text" or answer is None:
        abort(404)
    form = RubricScoreForm()
    form.points.choices = [(level.points, level.text) for level in item.rubric]
    if form.validate_on_submit():
        attempts.score_text(answer, item, form.points.data, current_user)
        db.session.commit()
        flash("Score saved.", "success")
    else:
        flash_errors(form)
    return redirect(url_for(".application", application_id=application_id)
                    + f"#answer-{attempt.id}-{item_id}")


@bp.route("/openings/<int:opening_id>/rules", methods=["GET", "POST"])
@roles(MANAGER, ADMIN)
def rules(opening_id: int):
    opening = db.get_or_404(Opening, opening_id)
    assessed = results.assessed_banks(opening)
    checks_computer = readiness_runs.STEP in opening.steps
    current = results.rules_for(opening)
    problems: list[str] = []
    if request.method == "POST":
        current, problems = opening_rules.read(request.form, [bank for _, bank in assessed])
        if checks_computer:
            current["readiness"], more = profile_form.read(request.form)
            problems += more
        if not problems:
            opening_rules.save(opening, current, current_user)
            db.session.commit()
            flash("Screening rules saved. Results pages use them from now on.", "success")
            return redirect(url_for(".rules", opening_id=opening.id))
    readiness = None
    if checks_computer:
        readiness = {"profile": readiness_rules.profile(current.get("readiness")),
                     "thresholds": profile_form.THRESHOLDS, "browsers": profile_form.BROWSERS,
                     "systems": profile_form.SYSTEMS}
    return render_template("assessments/rules.html", opening=opening, assessed=assessed,
                           rules=current, form_values=request.form if problems else None,
                           problems=problems, defaults=verdicts.DEFAULT_TYPING,
                           readiness=readiness), 422 if problems else 200
