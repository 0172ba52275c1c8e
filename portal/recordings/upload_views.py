"""The upload protocol the recording pages speak (JSON; the shape in uploads.py):

    POST /me/recordings/applications/<id>/<step>/<prompt>/takes  {"mime_type"}   -> 201 take
    PUT  /me/recordings/takes/<take>/parts/<index>   raw bytes, X-Part-SHA256     -> 200 take
    GET  /me/recordings/takes/<take>                 which parts the server has   -> 200 take
    POST /me/recordings/takes/<take>/complete        {"parts", "sha256"}          -> 202 take

Only the candidate whose open application's opening has the step may record; anyone else's
take or application is 'not found'. Refusals are JSON with the reason."""

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user
from sqlalchemy import select

from portal.auth.models import AGENT, CANDIDATE
from portal.auth.permissions import roles
from portal.extensions import db
from portal.recordings import media, uploads
from portal.recordings.content import STEP_KEYS
from portal.recordings.models import Take
from portal.recruiting import stages
from portal.recruiting.models import Application
from portal.request_body import accepts_bytes, accepts_json

bp = Blueprint("recording_uploads", __name__, url_prefix="/me/recordings")


def _open_application(application_id: int, step_key: str) -> Application:
    application = db.session.scalar(select(Application).where(
        Application.id == application_id, Application.candidate_id == current_user.id))
    if application is None or step_key not in STEP_KEYS \
            or step_key not in application.opening.steps:
        abort(404)
    if stages.BY_KEY[application.stage].is_final:
        abort(403)
    return application


def _own_take(take_id: int) -> Take:
    take = db.session.scalar(select(Take).join(Application).where(
        Take.id == take_id, Application.candidate_id == current_user.id))
    if take is None:
        abort(404)
    return take


def _answer(take: Take, status: int = 200, *, with_parts: bool = True):
    """The take as the page needs it; `received` (every part the server has) only where the
    page asks for it: in each part's answer it would grow with the number of parts."""
    parts = {"received": uploads.received(take)} if with_parts else {"parts": take.parts}
    return jsonify(id=take.id, status=take.status, number=take.number, size=take.size,
                   failure=take.failure, delayed=media.processing_delayed(take), **parts), status


class _Body:
    """The request body, read to its Content-Length and no further: a server that ends the
    body itself (gunicorn) leaves the stream limited by the size cap instead, and one more read
    at the cap would be a 413 for a part of exactly the largest size."""

    def __init__(self, stream, length: int):
        self._stream, self._left = stream, length

    def read(self, amount: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        data = self._stream.read(self._left if amount is None or amount < 0
                                 else min(amount, self._left))
        self._left -= len(data)
        return data


def _refused(refused: uploads.UploadRefused):
    if refused.start_over:
        db.session.commit()  # the parts were dropped: the browser sends them all again
        return jsonify(error=refused.message, start_over=True), refused.status
    db.session.rollback()
    return jsonify(error=refused.message), refused.status


@bp.post("/applications/<int:application_id>/<step_key>/<prompt>/takes")
@roles(CANDIDATE, AGENT)
@accepts_json
def start(application_id: int, step_key: str, prompt: str):
    application = _open_application(application_id, step_key)
    body = request.get_json(silent=True) or {}
    try:
        take = uploads.start(application, step_key, prompt, body.get("mime_type"))
    except uploads.UploadRefused as refused:
        return _refused(refused)
    db.session.commit()
    return _answer(take, 201)


@bp.put("/takes/<int:take_id>/parts/<int:index>")
@roles(CANDIDATE, AGENT)
@accepts_bytes("RECORDING_PART_MB")
def part(take_id: int, index: int):
    take = _own_take(take_id)
    if request.content_length is None:
        return jsonify(error="Send each part with its Content-Length."), 411
    try:
        uploads.receive_part(take, index, _Body(request.stream, request.content_length),
                             request.headers.get("X-Part-SHA256"))
    except uploads.UploadRefused as refused:
        return _refused(refused)
    db.session.commit()
    db.session.refresh(take)
    return _answer(take, with_parts=False)


@bp.get("/takes/<int:take_id>")
@roles(CANDIDATE, AGENT)
def take_status(take_id: int):
    return _answer(_own_take(take_id))


@bp.post("/takes/<int:take_id>/complete")
@roles(CANDIDATE, AGENT)
@accepts_json
def complete(take_id: int):
    take = _own_take(take_id)
    body = request.get_json(silent=True) or {}
    try:
        uploads.complete(take, body.get("parts"), body.get("sha256"))
    except uploads.UploadRefused as refused:
        return _refused(refused)
    db.session.commit()  # inline jobs run now; with RQ the media worker takes it
    db.session.refresh(take)
    return _answer(take, 202)
