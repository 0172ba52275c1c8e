"""Managers' side: the pipeline across or per opening, a candidate's page, bulk moves."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal import listing
from portal.auth.models import ADMIN, MANAGER
from portal.auth.permissions import roles
from portal.extensions import MAX_ROW_ID, db
from portal.form_errors import flash_errors
from portal.mail import CREDENTIAL_TEMPLATES, OutboxEmail
from portal.recruiting import pipeline, services, stages
from portal.recruiting.forms import BulkMoveForm, MoveForm, NoteForm, PipelineFilterForm
from portal.recruiting.models import Application, ApplicationNote, StageChange

bp = Blueprint("pipeline", __name__, url_prefix="/pipeline", template_folder="templates")


def _query_from(form: PipelineFilterForm) -> pipeline.PipelineQuery:
    opening = form.opening.data or ""
    valid_id = opening.isascii() and opening.isdigit() and int(opening) <= MAX_ROW_ID
    return pipeline.PipelineQuery(
        opening_id=int(opening) if valid_id else None,
        stage=form.stage.data or pipeline.ACTIVE,
        text=form.q.data or "",
        applied_from=form.applied_from.data,
        applied_to=form.applied_to.data,
        sort=form.sort.data or "newest",
        outcome=form.outcome.data or "",
        after=request.args.get("after"),
        before=request.args.get("before"),
        page_size=current_app.config["PIPELINE_PAGE_SIZE"],
    )


@bp.get("/")
@roles(MANAGER, ADMIN)
def index():
    form = PipelineFilterForm(request.args, pipeline.opening_choices(), pipeline.sort_choices())
    form.validate()  # invalid filters are shown as errors and then ignored
    for field in (form.applied_from, form.applied_to, form.outcome, form.sort):
        if field.errors:
            field.data = None
    try:
        page = pipeline.fetch_page(_query_from(form))
    except listing.BadCursor as error:
        flash(str(error), "warning")
        return redirect(url_for("pipeline.index", **_filter_args()))
    return render_template(
        "recruiting/pipeline.html", form=form, page=page, filters=_filter_args(),
        step_states=services.step_states(page.items), bulk_form=BulkMoveForm(),
        stages=stages)


def _filter_args() -> dict:
    keys = ("opening", "stage", "q", "applied_from", "applied_to", "outcome", "sort")
    return {k: request.args[k] for k in keys if request.args.get(k)}


@bp.post("/bulk")
@roles(MANAGER, ADMIN)
def bulk_move():
    form = BulkMoveForm()
    if not form.validate_on_submit():
        flash_errors(form)
        return redirect(request.referrer or url_for("pipeline.index"))
    try:
        result = services.bulk_move(form.application_ids.data, form.stage.data, current_user,
                                    form.reason.data)
    except services.RecruitingError as error:
        flash(str(error), "danger")
        return redirect(request.referrer or url_for("pipeline.index"))
    db.session.commit()
    label = stages.label(form.stage.data)
    if result.moved:
        flash(f"Moved {len(result.moved)} application(s) to {label}.", "success")
    for application_id, reason in result.skipped[:10]:
        flash(f"Application #{application_id} not moved: {reason}", "warning")
    return redirect(request.referrer or url_for("pipeline.index"))



@bp.get("/applications/<int:application_id>")
@roles(MANAGER, ADMIN)
def application(application_id: int):
    application = db.get_or_404(Application, application_id)
    history = db.session.scalars(select(StageChange).where(
        StageChange.application_id == application.id).order_by(StageChange.created_at.desc()))
    notes = db.session.scalars(select(ApplicationNote).where(
        ApplicationNote.application_id == application.id)
        .order_by(ApplicationNote.created_at.desc()))
    emails = db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.recipient_id == application.candidate_id,
        OutboxEmail.template.not_in(CREDENTIAL_TEMPLATES))
        .order_by(OutboxEmail.created_at.desc()).limit(50))
    move_form = MoveForm(stage=stages.suggested_next(application.stage),
                         seen_stage=application.stage)
    move_form.stage.choices = [(key, label) for key, label in move_form.stage.choices
                               if key != application.stage]
    return render_template(
        "recruiting/candidate_page.html", application=application, history=list(history),
        notes=list(notes), emails=list(emails),
        steps=services.step_states([application])[application.id],
        move_form=move_form, note_form=NoteForm(), stages=stages)


@bp.post("/applications/<int:application_id>/move")
@roles(MANAGER, ADMIN)
def move(application_id: int):
    application = db.get_or_404(Application, application_id)
    form = MoveForm()
    if form.validate_on_submit():
        try:
            services.move(application, form.stage.data, current_user, form.reason.data,
                          seen_stage=form.seen_stage.data or None)
        except (services.RecruitingError, stages.StageError) as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(f"Moved to {stages.label(form.stage.data)}.", "success")
    else:
        flash_errors(form)
    return redirect(url_for("pipeline.application", application_id=application.id))


@bp.post("/applications/<int:application_id>/notes")
@roles(MANAGER, ADMIN)
def add_note(application_id: int):
    application = db.get_or_404(Application, application_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            services.add_note(application, current_user, form.body.data)
        except services.RecruitingError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash("Note added.", "success")
    else:
        flash_errors(form)
    return redirect(url_for("pipeline.application", application_id=application.id) + "#notes")
