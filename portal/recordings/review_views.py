"""Reviewers hear an application's recordings: the sample call's turns in order (as one
conversation, or turn by turn), each with its waveform and measures, at the speed they choose,
and pin comments to moments. Staff only; the page and each playback are in the audit log."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal import audit, storage
from portal.auth.models import ADMIN, MANAGER
from portal.auth.permissions import roles
from portal.extensions import db, writes_on_get
from portal.recordings import review, reviews, rubrics, scripts, setups
from portal.recordings.content import STEP_KEYS
from portal.recordings.models import RECOMMENDATIONS, Take
from portal.recruiting import stages
from portal.recruiting.forms import MoveForm
from portal.recruiting.models import Application

bp = Blueprint("recording_review", __name__, url_prefix="/recordings",
               template_folder="templates")

SPEEDS = (0.75, 1, 1.25, 1.5, 2)


def _reviewable(application_id: int) -> Application:
    """The application, if the user reviews its opening's recordings (setups.may_review);
    for anyone else it does not exist."""
    found = db.session.get(Application, application_id)
    if found is None or not setups.may_review(current_user, found.opening):
        abort(404)
    return found


def _page(application, problems: dict | None = None, status: int = 200):
    """`problems`: a take's id or a step's key -> what was wrong with what was just sent."""
    steps = review.for_application(application)
    move_form = MoveForm(stage=stages.suggested_next(application.stage),
                         seen_stage=application.stage)
    move_form.stage.choices = [(key, label) for key, label in move_form.stage.choices
                               if key != application.stage]
    return render_template(
        "recordings/review.html", application=application, steps=steps, speeds=SPEEDS,
        clock=review.clock, problems=problems or {}, form=request.form if problems else None,
        summaries={s.script.step_key: reviews.summary(application, s.script.step_key,
                                                      current_user) for s in steps},
        rubric_of=lambda row: rubrics.criteria_of(row),
        rubric_for=lambda step_key: setups.rubric_for(application.opening, step_key),
        weighted=rubrics.weighted, recommendations=RECOMMENDATIONS, move_form=move_form,
        disagreement=reviews.DISAGREEMENT,
        spoken_url=lambda step_key, prompt: url_for(
            ".spoken_prompt", application_id=application.id, step_key=step_key,
            prompt_key=prompt.key)), status


@bp.get("/applications/<int:application_id>")
@roles(MANAGER, ADMIN)
@writes_on_get
def application(application_id: int):
    found = _reviewable(application_id)
    audit.record("recording.reviewed", found, current_user)
    db.session.commit()
    return _page(found)


def _take(take_id: int) -> Take:
    take = db.session.scalar(select(Take).where(Take.id == take_id))
    if take is None or not setups.may_review(current_user, take.application.opening):
        abort(404)
    return take


@bp.get("/takes/<int:take_id>/media")
@roles(MANAGER, ADMIN)
@writes_on_get
def media(take_id: int):
    take = _take(take_id)
    if take.media_file is None:
        abort(404)
    # A player asks for ranges as it plays and seeks: one event per playback, not per range.
    if request.headers.get("Range", "bytes=0-").startswith("bytes=0-"):
        audit.record("recording.played", take.application, current_user, take=take.id)
        db.session.commit()
    return storage.playback_or_404(take.media_file)


@bp.get("/applications/<int:application_id>/<step_key>/prompts/<prompt_key>/audio")
@roles(MANAGER, ADMIN)
@writes_on_get
def spoken_prompt(application_id: int, step_key: str, prompt_key: str):
    """A prompt of the script the candidate answered, spoken: the customer's line, so that
    the reviewer hears the call as one conversation."""
    found = _reviewable(application_id)
    if step_key not in STEP_KEYS or step_key not in found.opening.steps:
        abort(404)
    row = setups.script_for(found, step_key)
    db.session.commit()
    return storage.playback_or_404(scripts.spoken_file(row, prompt_key))


@bp.post("/takes/<int:take_id>/comments")
@roles(MANAGER, ADMIN)
def comment(take_id: int):
    take = _take(take_id)
    at_ms = review.parse_clock(request.form.get("at", ""))
    try:
        review.add_comment(take, at_ms, request.form.get("body", ""), current_user)
    except review.CommentRefused as refused:
        db.session.rollback()
        return _page(take.application, {take.id: str(refused)}, 422)
    db.session.commit()
    flash("Comment added.", "success")
    return redirect(url_for(".application", application_id=take.application_id)
                    + f"#take-{take.id}")


@bp.post("/applications/<int:application_id>/<step_key>/review")
@roles(MANAGER, ADMIN)
def score(application_id: int, step_key: str):
    found = _reviewable(application_id)
    if step_key not in STEP_KEYS or step_key not in found.opening.steps:
        abort(404)
    submit = request.form.get("action") == "submit"
    scores = {key.removeprefix("score-"): value for key, value in request.form.items()
              if key.startswith("score-")}
    try:
        reviews.save(found, step_key, current_user, scores, request.form.get("recommendation"),
                     request.form.get("note", ""), submit)
    except reviews.ReviewRefused as refused:
        db.session.rollback()
        return _page(found, {step_key: str(refused)}, 422)
    db.session.commit()
    flash("Review submitted." if submit else "Draft saved.", "success")
    return redirect(url_for(".application", application_id=found.id) + f"#review-{step_key}")
