"""Trainers and managers see the assessment banks and publish new versions."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from assessments import attempts, norms, services
from assessments import bank as banks
from assessments.forms import BankUploadForm
from assessments.models import IN_PROGRESS, Attempt, LocalNorm, NormSetting
from portal.auth.models import ADMIN, MANAGER, TRAINER
from portal.auth.permissions import roles
from portal.extensions import db
from portal.request_body import accepts_upload

bp = Blueprint("assessment_banks", __name__, url_prefix="/assessments/banks",
               template_folder="templates")


@bp.route("/", methods=["GET", "POST"])
@roles(TRAINER, MANAGER, ADMIN)
@accepts_upload("ASSESSMENT_BANK_UPLOAD_MB")
def index():
    form = BankUploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            published = services.publish(form.file.data.read(), current_user)
        except banks.BankError as error:
            problems = error.problems
        else:
            db.session.commit()
            row = published.version
            if published.is_new:
                flash(f"Published {row.title} ({row.bank_key}), version {row.version}.",
                      "success")
            else:
                flash(f"No change: version {row.version} of {row.bank_key} is already here.",
                      "info")
            return redirect(url_for("assessment_banks.index"))
    status = 422 if problems or form.errors else 200
    return render_template("assessments/banks.html", form=form, problems=problems,
                           current=services.current_versions(), **_norm_status()), status


def _norm_status() -> dict:
    finished = dict(db.session.execute(
        select(Attempt.bank_key, func.count(func.distinct(Attempt.application_id)))
        .where(Attempt.status != IN_PROGRESS).group_by(Attempt.bank_key)).all())
    local = {}
    for row in db.session.scalars(select(LocalNorm).order_by(LocalNorm.id)):
        local[row.bank_key] = f"v{row.version}, {row.n} applicants, {row.computed_at:%Y-%m-%d}"
    return {"finished": finished, "local": local, "min_sample": norms.MIN_SAMPLE,
            "norm_settings": {s.bank_key: s for s in db.session.scalars(select(NormSetting))},
            "can_set_norms": current_user.has_role(MANAGER, ADMIN),
            "scaled": {row.bank_key for row, _ in services.current_versions()
                       if attempts.bank_for_version(row).scales}}


@bp.post("/<bank_key>/norms")
@roles(MANAGER, ADMIN)
def norms_setting(bank_key: str):
    """From how many finished attempts a bank is normed on the portal's own applicants."""
    if not any(row.bank_key == bank_key for row, _ in services.current_versions()):
        abort(404)
    raw = (request.form.get("minimum") or "").strip()
    try:
        norms.set_minimum(bank_key, int(raw) if raw.isdecimal() else raw or None, current_user)
    except norms.SettingRefused as refused:
        flash(str(refused), "warning")
        return redirect(url_for("assessment_banks.index"))
    db.session.commit()
    flash("Saved. Run recompute-norms (or wait for its nightly run) to compute them.", "success")
    return redirect(url_for("assessment_banks.index"))
