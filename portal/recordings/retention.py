"""How long recordings are kept: those of candidates who were rejected or withdrew go
RECORDING_RETENTION_DAYS after that decision (the decision itself stays in the stage
history); an application deleted by the retention period or an erasure takes its recordings'
files with it (recruiting's `purging` and `erasing` signals)."""

from datetime import timedelta

from sqlalchemy import delete, func, select

from portal.extensions import db, utcnow
from portal.recordings import files
from portal.recordings.models import Take
from portal.recruiting import privacy, stages
from portal.recruiting.models import Application, StageChange

CLOSED = (stages.REJECTED, stages.WITHDRAWN)


def purge_closed(retention_days: int) -> int:
    """Delete the recordings of applications closed as rejected or withdrawn more than
    `retention_days` ago; how many takes."""
    cutoff = utcnow() - timedelta(days=retention_days)
    closed_at = select(func.max(StageChange.created_at)).where(
        StageChange.application_id == Application.id,
        StageChange.to_stage.in_(CLOSED)).scalar_subquery()
    takes = list(db.session.scalars(select(Take).join(Application).where(
        Application.stage.in_(CLOSED), closed_at < cutoff)))
    files.discard(takes)
    if takes:
        db.session.execute(delete(Take).where(Take.id.in_([take.id for take in takes])))
    return len(takes)


def _applications_going(application_ids: list[int]) -> None:
    files.discard(list(db.session.scalars(select(Take).where(
        Take.application_id.in_(application_ids)))))


def register() -> None:
    privacy.purging.connect(_applications_going)
