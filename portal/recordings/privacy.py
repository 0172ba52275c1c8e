"""A candidate's recordings in the download of their data, and gone with their erasure: the
rows go with their applications (cascade), the files are marked deleted in the same
transaction and removed from storage by a job that runs only once it has committed, so a
failed erasure leaves every file in place."""

from sqlalchemy import select

from portal import jobs, storage
from portal.auth.models import User
from portal.extensions import db, utcnow
from portal.recordings.models import Take, TakePart
from portal.recruiting import privacy
from portal.recruiting.models import Application


def _takes_of(user: User) -> list[Take]:
    return list(db.session.scalars(select(Take).join(Application).where(
        Application.candidate_id == user.id).order_by(Take.id)))


def _erase(user: User) -> None:
    keys = []
    for take in _takes_of(user):
        for stored in (take.upload_file, take.media_file):
            if stored is not None and stored.deleted_at is None:
                keys.append(stored.key)
                stored.deleted_at = utcnow()
        keys += db.session.scalars(select(TakePart.key).where(TakePart.take_id == take.id))
    if keys:
        jobs.enqueue(delete_objects, queue="media", keys=keys)


def delete_objects(keys: list[str]) -> None:
    """The job: storage deletes are idempotent, so a rerun is harmless."""
    backend = storage.get_storage()
    for key in keys:
        backend.delete(key)


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
