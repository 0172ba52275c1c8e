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
from portal.recordings import review
from portal.recordings.models import Take

bp = Blueprint("recording_review", __name__, url_prefix="/recordings",
               template_folder="templates")

SPEEDS = (0.75, 1, 1.25, 1.5, 2)


def _page(application, problems: dict | None = None, status: int = 200):
    return render_template("recordings/review.html", application=application,
                           steps=review.for_application(application), speeds=SPEEDS,
                           clock=review.clock, problems=problems or {},
                           form=request.form if problems else None), status


@bp.get("/applications/<int:application_id>")
@roles(MANAGER, ADMIN)
@writes_on_get
def application(application_id: int):
    from portal.recruiting.models import Application

    found = db.get_or_404(Application, application_id)
    audit.record("recording.reviewed", found, current_user)
    db.session.commit()
    return _page(found)


def _take(take_id: int) -> Take:
    take = db.session.scalar(select(Take).where(Take.id == take_id))
    if take is None:
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
    try:
        return storage.playback_response(take.media_file)
    except storage.ObjectNotFound:
        abort(404)


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
