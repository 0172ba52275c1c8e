"""Trainers' and managers' pages for learning paths: the list, a path's editor (its courses in
order, when each opens, the due days), the openings whose hires join it, and its learners:
enrolled by hand or in bulk (each person skipped is listed with why), and unenrolled."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from courses import catalogue, charts, enrolment, paths
from courses.forms import STEP_ROWS, EnrolForm, PathForm, PathOpeningsForm
from courses.path_models import OPENS_AFTER, LearningPath, PathEnrolment
from portal import audit, csv_export, listing
from portal.auth.models import ADMIN, MANAGER, TRAINER
from portal.auth.permissions import roles
from portal.extensions import db, writes_on_get
from portal.recruiting.models import Opening
from portal.teams.services import all_teams

bp = Blueprint("paths", __name__, url_prefix="/learning/paths", template_folder="templates")
STAFF = (TRAINER, MANAGER, ADMIN)
PAGE_SIZE = 50
SKIPPED_SHOWN = 20
BLANK_ROWS = 3  # empty course rows under a path's steps: save, and three more appear


@bp.get("/")
@roles(*STAFF)
def index():
    return render_template("courses/paths.html", rows=paths.with_counts())


@bp.route("/new", methods=["GET", "POST"])
@roles(*STAFF)
def new():
    return _editor(None)


@bp.route("/<int:path_id>/edit", methods=["GET", "POST"])
@roles(*STAFF)
def edit(path_id: int):
    return _editor(_active_or_404(path_id))


def _editor(path: LearningPath | None):
    form = PathForm(obj=path if request.method == "GET" else None)
    steps = form.steps(request.form) if request.method == "POST" else [
        (step.course_id, step.opens_after) for step in (path.steps if path else [])]
    if form.validate_on_submit():
        try:
            saved = paths.save(path, title=form.title.data, description=form.description.data,
                               due_days=form.due_days.data, actor=current_user,
                               steps=[paths.StepPlan(*step) for step in steps])
        except paths.PathRefused as refused:
            form.title.errors.append(str(refused))
        else:
            db.session.commit()
            flash(f"Path saved: {saved.title}.", "success")
            return redirect(url_for(".path", path_id=saved.id), code=303)
    courses = [course for course, _ in catalogue.current_versions()]
    return render_template("courses/path_form.html", form=form, path=path, courses=courses,
                           rows=steps + [(None, "")] * min(BLANK_ROWS, STEP_ROWS - len(steps)),
                           opens_after=OPENS_AFTER), 422 if form.errors else 200


@bp.get("/<int:path_id>")
@roles(*STAFF)
def path(path_id: int):
    found = _active_or_404(path_id)
    return _path_page(found, _enrol_form(), _openings_form(found))


def _path_page(path: LearningPath, enrol: EnrolForm, openings: PathOpeningsForm,
               status: int = 200):
    try:
        page = paths.enrolments_page(path, request.args.get("after"),
                                     request.args.get("before"), PAGE_SIZE)
    except listing.BadCursor as bad:
        flash(str(bad), "warning")
        return redirect(url_for(".path", path_id=path.id))
    funnel = charts.funnel_chart(
        paths.funnel(path), chart_id="path-funnel", title=f"How far learners got: {path.title}",
        description="Learners enrolled now, by the furthest point they reached:")
    return render_template("courses/path.html", path=path, page=page, enrol=enrol, funnel=funnel,
                           openings=openings, sources=enrolment.SOURCES,
                           opens_after=OPENS_AFTER), status


def _enrol_form() -> EnrolForm:
    form = EnrolForm()
    form.set_choices(all_teams(), _openings())
    return form


def _openings_form(path: LearningPath, formdata=None) -> PathOpeningsForm:
    form = PathOpeningsForm(formdata=formdata, data=None if formdata else {
        "openings": paths.openings_of(path)})
    form.openings.choices = [(o.id, f"{o.title} ({o.status})") for o in _openings()]
    return form


def _openings() -> list[Opening]:
    return list(db.session.scalars(select(Opening).order_by(Opening.title, Opening.id)))


@bp.get("/<int:path_id>/learners.csv")
@roles(*STAFF)
@writes_on_get  # the audit row
def learners_csv(path_id: int):
    found = _active_or_404(path_id)
    rows = paths.enrolment_rows(found, enrolment.SOURCES)
    audit.record("path.learners_exported", found, current_user, rows=len(rows))
    db.session.commit()
    return csv_export.response(csv_export.filename(f"path-{found.id}", "learners"),
                               paths.ENROLMENT_COLUMNS, rows)


@bp.post("/<int:path_id>/openings")
@roles(*STAFF)
def set_openings(path_id: int):
    found = _active_or_404(path_id)
    form = _openings_form(found, request.form)
    if not form.validate_on_submit():
        return _path_page(found, _enrol_form(), form, 422)
    paths.set_openings(found, form.openings.data, current_user)
    db.session.commit()
    flash("Saved: these openings' new hires join this path.", "success")
    return redirect(url_for(".path", path_id=found.id) + "#openings", code=303)


@bp.post("/<int:path_id>/enrol")
@roles(*STAFF)
def enrol(path_id: int):
    found = _active_or_404(path_id)
    form = _enrol_form()
    if not form.validate_on_submit():
        return _path_page(found, form, _openings_form(found), 422)
    if form.how.data == "team":
        result = enrolment.enrol_team(found, form.team_id.data, current_user)
    elif form.how.data == "opening":
        result = enrolment.enrol_opening(found, form.opening_id.data, current_user)
    else:
        result = enrolment.enrol_emails(found, form.emails.data, current_user)
    db.session.commit()
    _report(result)
    return redirect(url_for(".path", path_id=found.id) + "#learners", code=303)


def _report(result: enrolment.Enrolled) -> None:
    count = len(result.enrolled)
    flash(f"{count} learner{'s' if count != 1 else ''} enrolled.",
          "success" if not result.skipped else "warning")
    if result.skipped:
        listed = "; ".join(f"{who}: {why}" for who, why in result.skipped[:SKIPPED_SHOWN])
        more = len(result.skipped) - SKIPPED_SHOWN
        flash(f"Skipped {len(result.skipped)}: {listed}"
              + (f"; and {more} more." if more > 0 else "."), "warning")


@bp.post("/<int:path_id>/enrolments/<int:enrolment_id>/unenrol")
@roles(*STAFF)
def unenrol(path_id: int, enrolment_id: int):
    found = db.session.scalar(select(PathEnrolment).where(
        PathEnrolment.id == enrolment_id, PathEnrolment.path_id == path_id))
    if found is None:
        abort(404)
    if found.unenrolled_at is None:
        enrolment.unenrol(found, current_user)
        db.session.commit()
        flash(f"{found.learner.full_name} unenrolled; their attempts and results are kept.",
              "success")
    return redirect(url_for(".path", path_id=path_id) + "#learners", code=303)


@bp.post("/<int:path_id>/archive")
@roles(*STAFF)
def archive(path_id: int):
    found = _active_or_404(path_id)
    paths.archive(found, current_user)
    db.session.commit()
    flash(f"Archived: {found.title}. Its learners keep their courses and records.", "success")
    return redirect(url_for(".index"), code=303)


def _active_or_404(path_id: int) -> LearningPath:
    found = db.session.get(LearningPath, path_id)
    if found is None or found.archived_at is not None:
        abort(404)
    return found
