"""Trainers', managers' and administrators' view of everyone's training: the learners x courses
matrix (filters, keyset pages, a CSV of every page, audited), and a registration's drill-down:
each attempt with each SCO's data, and a reset for a fresh attempt that keeps the history."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from courses import learner_record, resets
from courses import matrix as matrices
from portal import audit, csv_export, listing
from portal.auth.models import ADMIN, MANAGER, TRAINER
from portal.auth.permissions import roles, signed_in
from portal.extensions import db, utcnow, writes_on_get
from portal.text import clean_text

bp = Blueprint("learning_dashboards", __name__, url_prefix="/learning",
               template_folder="templates")
STAFF = (TRAINER, MANAGER, ADMIN)
CONFIRM_WORD = "RESET"


class ResetForm(FlaskForm):
    reason = TextAreaField("Why reset?", filters=[clean_text], validators=[
        DataRequired("Say why the attempts are reset."),
        Length(max=500, message="Keep the reason under 500 characters.")],
        render_kw={"rows": 2},
        description="Kept with the attempts it sets aside, with your name; the learner does "
                    "not see it.")
    confirm = StringField(f"Type {CONFIRM_WORD} to confirm", validators=[
        DataRequired(f"Type {CONFIRM_WORD} to confirm.")],
        render_kw={"autocomplete": "off", "spellcheck": "false"})
    submit = SubmitField("Reset for a fresh attempt")

    def validate_confirm(self, field):
        if (field.data or "").strip().upper() != CONFIRM_WORD:
            raise ValidationError(f"Type {CONFIRM_WORD} to confirm.")


# --- the matrix --------------------------------------------------------------------------------

@bp.get("/matrix")
@roles(*STAFF)
def matrix():
    choices = matrices.choices()
    filters = matrices.Filters.parse(request.args, choices)
    now = utcnow()
    try:
        found = matrices.matrix(filters, now, path_title=choices["path"].get(filters.path_id, ""),
                                after=request.args.get("after"),
                                before=request.args.get("before"), page_size=matrices.PAGE_SIZE)
    except listing.BadCursor as bad:
        flash(str(bad), "warning")
        return redirect(url_for(".matrix", **filters.args()))
    return render_template("courses/matrix.html", matrix=found, filters=filters,
                           choices=choices, statuses=matrices.STATUSES,
                           due_windows=matrices.DUE_WINDOWS, now=now)


@bp.get("/matrix.csv")
@roles(*STAFF)
@writes_on_get  # the audit row
def matrix_csv():
    """Every page of the filtered matrix, streamed a batch of learners at a time; the read is
    audited (and committed) before the first byte."""
    filters = matrices.Filters.parse(request.args, matrices.choices())
    audit.record("learning.matrix_exported", None, current_user, filters=filters.args())
    db.session.commit()
    now = utcnow()

    def rows():
        for batch in matrices.export_rows(filters, now):
            db.session.commit()  # each batch's read ends before it is sent: no lock held
            yield from batch

    return csv_export.response(csv_export.filename("learners-matrix"), matrices.CSV_HEADER,
                               rows())


# --- a learner's record --------------------------------------------------------------------------

@bp.get("/learners/<int:user_id>")
@signed_in  # staff only; anyone else gets "not found", as for someone else's record
def learner(user_id: int):
    found = learner_record.record_of(user_id) if current_user.has_role(*STAFF) else None
    if found is None:
        abort(404)
    return render_template("courses/learner_record.html", record=found, now=utcnow(),
                           statuses=matrices.STATUSES, status_of=matrices.status_of)


# --- a registration: attempts, SCO data, reset ----------------------------------------------------

@bp.get("/registrations/<int:registration_id>")
@signed_in  # staff only; anyone else gets "not found", as for someone else's record
def registration(registration_id: int):
    return _registration_page(_registration_or_404(registration_id), ResetForm(formdata=None))


@bp.post("/registrations/<int:registration_id>/reset")
@signed_in
def reset(registration_id: int):
    found = _registration_or_404(registration_id, for_update=True)
    form = ResetForm()
    if form.validate_on_submit():
        try:
            numbers = resets.reset(found, current_user, form.reason.data)
        except resets.ResetRefused as refused:
            form.reason.errors.append(str(refused))
        else:
            db.session.commit()
            flash(f"Reset: {found.learner.full_name} starts {found.course.title} afresh at the "
                  f"next launch. Attempt{'s' if len(numbers) != 1 else ''} "
                  f"{', '.join(map(str, numbers))} stay{'s' if len(numbers) == 1 else ''} "
                  "in the history.", "success")
            return redirect(url_for(".registration", registration_id=found.id), code=303)
    return _registration_page(found, form, 422)


def _registration_or_404(registration_id: int, for_update: bool = False):
    if not current_user.has_role(*STAFF):
        abort(404)
    found = resets.registration_of(registration_id, for_update)
    if found is None:
        abort(404)
    return found


def _registration_page(found, form: ResetForm, status: int = 200):
    return render_template(
        "courses/registration_detail.html", registration=found, form=form,
        runs=resets.history(found), statuses=matrices.STATUSES, now=utcnow(),
        status=matrices.status_of(found.completion, found.success, found.attempt_count),
        status_of=matrices.status_of), status
