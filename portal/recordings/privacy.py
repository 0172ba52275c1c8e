"""A candidate's recordings in the download of their data, and gone with their erasure (the
rows go with their applications by cascade, the files through files.discard)."""

from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from portal.recordings import files
from portal.recordings.models import Take
from portal.recruiting import privacy
from portal.recruiting.models import Application


def _takes_of(user: User) -> list[Take]:
    return list(db.session.scalars(select(Take).join(Application).where(
        Application.candidate_id == user.id).order_by(Take.id)))


def _erase(user: User) -> None:
    files.discard(_takes_of(user))


def _export(user: User) -> tuple[str, list[dict]]:
    return "recordings", [
        {"opening": take.application.opening.title, "step": take.step_key,
         "prompt": take.prompt, "take": take.number, "status": take.status,
         "format": take.mime_type, "bytes": take.size, "duration_ms": take.duration_ms,
         "recorded_at": take.created_at, "failure": take.failure}
        for take in _takes_of(user)]


def register() -> None:
    privacy.erasing.connect(_erase)
    privacy.exporting.connect(_export)
