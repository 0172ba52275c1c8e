"""Due-date reminders: an email when a course is due within three days ('due_soon') and one
when it is past due ('overdue', which also writes the "overdue" progress event).

Each reminder is sent once per registration, kind and due date, however often the job runs
and even when two runs overlap: the `Reminder` row is inserted first, in a savepoint of its
own, and a run that finds it already inserted (its primary key refused) skips that one and goes
on with the others. A new due date is a new key, so it is reminded again.

A daily cron job or systemd timer runs `flask courses remind` (see courses/cli.py), which
queues `remind_job` once per UTC day; `flask courses remind --now` runs it inline."""

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from courses import progress, sco_status
from courses.path_models import Reminder
from courses.tracking_models import Registration
from portal import mail
from portal.auth.models import User
from portal.extensions import db, utcnow

log = logging.getLogger(__name__)

DUE_SOON, OVERDUE = "due_soon", "overdue"
DUE_SOON_WITHIN = timedelta(days=3)
BATCH = 200  # candidates read (and committed) at a time


def send_due_reminders(now: datetime | None = None) -> dict:
    """Send what is due as of `now` (default: the present); commits after each batch.
    Returns {"due_soon": sent, "overdue": sent, "skipped": already sent by a concurrent run}."""
    now = now or utcnow()
    counts = {DUE_SOON: 0, OVERDUE: 0, "skipped": 0}
    windows = {OVERDUE: Registration.due_at < now,
               DUE_SOON: and_(Registration.due_at >= now,
                              Registration.due_at <= now + DUE_SOON_WITHIN)}
    for kind, window in windows.items():
        after_id = 0
        while True:
            batch = _candidates(kind, window, after_id)
            for registration in batch:
                counts[kind if _remind(registration, kind) else "skipped"] += 1
            if batch:
                after_id = batch[-1].id
            db.session.commit()  # the batch's rows, emails and events; its emails then go
            if len(batch) < BATCH:
                break
    return counts


def _candidates(kind: str, window, after_id: int) -> list[Registration]:
    """Active registrations in the window with no reminder of this kind for their due date:
    one query per batch, with their courses and learners."""
    reminded = exists().where(Reminder.registration_id == Registration.id,
                              Reminder.kind == kind, Reminder.due_at == Registration.due_at)
    return list(db.session.scalars(
        select(Registration).join(Registration.course).join(Registration.learner)
        .options(contains_eager(Registration.course), contains_eager(Registration.learner))
        .where(Registration.id > after_id, Registration.due_at.is_not(None), window,
               Registration.unenrolled_at.is_(None),
               Registration.completion != sco_status.COMPLETED,
               User.is_active_account.is_(True), User.erased_at.is_(None), ~reminded)
        .order_by(Registration.id).limit(BATCH)))


def _remind(registration: Registration, kind: str) -> bool:
    """Insert the reminder, then send; False when another run inserted it first."""
    due_at = registration.due_at
    try:
        with db.session.begin_nested():
            db.session.add(Reminder(registration_id=registration.id, kind=kind, due_at=due_at))
            db.session.flush()
            mail.send(f"course_{kind}", registration.learner, course=registration.course,
                      registration=registration, due_at=due_at)
            if kind == OVERDUE:
                progress.of_registration(registration, "overdue", due_at=due_at.isoformat())
    except IntegrityError:
        return False
    return True


def remind_job() -> None:
    """The background job (queue "default") that `flask courses remind` queues daily."""
    counts = send_due_reminders()
    log.info("course reminders sent: %s", counts)

