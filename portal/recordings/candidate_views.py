"""The candidate's recording pages: the sample call's scenario and its turns (sample_call.js),
and the one-way interview's device check and questions (interview.js), each answer recorded in
the browser and uploaded as it is recorded (take_uploads.js); and their own recordings played
back. Only the candidate who owns the application sees them; anyone else gets 'not found'."""

from flask import Blueprint, abort, make_response, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from portal import security, storage
from portal.auth.models import AGENT, CANDIDATE
from portal.auth.permissions import roles
from portal.extensions import db, writes_on_get
from portal.media_devices import ADVICE_FOR
from portal.recordings import scripts, setups, uploads
from portal.recordings.content import STEP_KEYS
from portal.recordings.models import FAILED, READY, REPLACED, Take
from portal.recruiting import stages
from portal.recruiting import steps as step_registry
from portal.recruiting.models import Application

bp = Blueprint("recordings", __name__, url_prefix="/me/recordings",
               template_folder="templates", static_folder="static")


def _own_step(application_id: int, step_key: str) -> Application:
    """The candidate's own application, if its opening has this recording step."""
    application = db.session.scalar(select(Application).where(
        Application.id == application_id, Application.candidate_id == current_user.id))
    if application is None or step_key not in STEP_KEYS \
            or step_key not in application.opening.steps:
        abort(404)
    return application


@bp.get("/applications/<int:application_id>/<step_key>")
@roles(CANDIDATE, AGENT)
@writes_on_get  # a shipped script is stored the first time it is used
def step(application_id: int, step_key: str):
    application = _own_step(application_id, step_key)
    row = setups.script_for(application, step_key)
    db.session.commit()
    script = scripts.as_script(row)
    takes = db.session.scalars(select(Take).where(
        Take.application_id == application.id, Take.step_key == step_key,
        Take.status != REPLACED).order_by(Take.number))
    latest = {take.prompt: take for take in takes}  # the newest take of each prompt
    used = uploads.takes_used(application, step_key)
    left = {p.key: max(0, p.retakes + 1 - used.get(p.key, 0)) for p in script.prompts}
    page = make_response(render_template(
        f"recordings/{step_key}.html", application=application, script=script,
        spoken_url=lambda prompt: url_for(".spoken_prompt", application_id=application.id,
                                          step_key=step_key, prompt_key=prompt.key),
        step=step_registry.get(step_key), latest=latest, left=left,
        closed=stages.BY_KEY[application.stage].is_final, READY=READY, FAILED=FAILED,
        device_advice=ADVICE_FOR[script.kind]))
    return security.with_camera(page) if script.kind == "video" else page


@bp.get("/takes/<int:take_id>/media")
@roles(CANDIDATE, AGENT)
def media(take_id: int):
    """The candidate's own take, as processed, to play back."""
    take = db.session.scalar(select(Take).join(Application).where(
        Take.id == take_id, Application.candidate_id == current_user.id))
    return storage.playback_or_404(take.media_file if take else None)


@bp.get("/applications/<int:application_id>/<step_key>/prompts/<prompt_key>/audio")
@roles(CANDIDATE, AGENT)
@writes_on_get
def spoken_prompt(application_id: int, step_key: str, prompt_key: str):
    """A prompt of the candidate's script, spoken (the customer's line, or the question)."""
    application = _own_step(application_id, step_key)
    row = setups.script_for(application, step_key)
    db.session.commit()
    return storage.playback_or_404(scripts.spoken_file(row, prompt_key))
