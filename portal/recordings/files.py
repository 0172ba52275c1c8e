"""Removing takes' files: the stored files are marked deleted in the caller's transaction and
removed from storage by a job that runs only once that transaction has committed, so a rolled
back erasure or purge leaves every file in place (and a rerun of the job is harmless)."""

from sqlalchemy import select

from portal import jobs, storage
from portal.extensions import db, utcnow
from portal.recordings.models import Take, TakePart


def discard(takes: list[Take]) -> None:
    keys = []
    for take in takes:
        for stored in (take.upload_file, take.media_file):
            if stored is not None and stored.deleted_at is None:
                keys.append(stored.key)
                stored.deleted_at = utcnow()
        if take.assembly_key and take.upload_file is None:  # parts written in place so far
            keys.append(take.assembly_key)
        keys += db.session.scalars(select(TakePart.key).where(TakePart.take_id == take.id,
                                                              TakePart.key.is_not(None)))
    if keys:
        jobs.enqueue(delete_objects, queue="media", keys=keys)


def delete_objects(keys: list[str]) -> None:
    """The job."""
    backend = storage.get_storage()
    for key in keys:
        backend.delete(key)
