"""Every progress change goes through `record`: it writes the event row in the transaction
that made the change (a transactional outbox) and sends `progress_changed` in-process, inside
that transaction too, so a listener's writes commit or roll back with the change.

Consumers (certificates here; QM later, which `courses` never imports) are idempotent by event
id: `handle_once` records a receipt, and `replay` sends the stored events again to a consumer,
which skips what it has handled. Event types:

    enrolled, unenrolled, started, completed, passed, failed, score_changed, overdue, reset,
    certificate_issued, certificate_revoked
"""

from collections.abc import Callable, Iterator

from blinker import Namespace
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from courses.progress_models import ProgressEvent, ProgressReceipt
from portal.extensions import db

TYPES = frozenset({"enrolled", "unenrolled", "started", "completed", "passed", "failed",
                   "score_changed", "overdue", "reset", "certificate_issued",
                   "certificate_revoked"})

_signals = Namespace()
# sender: the ProgressEvent (flushed, so it has its id)
progress_changed = _signals.signal("progress-changed")


def record(type_: str, *, learner_id: int, course_id: int | None = None,
           path_id: int | None = None, registration_id: int | None = None,
           **payload) -> ProgressEvent:
    if type_ not in TYPES:
        raise ValueError(f"unknown progress event {type_!r}")
    event = ProgressEvent(type=type_, learner_id=learner_id, course_id=course_id,
                          path_id=path_id, registration_id=registration_id, payload=payload)
    db.session.add(event)
    db.session.flush()
    progress_changed.send(event)
    return event


def of_registration(registration, type_: str, **payload) -> ProgressEvent:
    return record(type_, learner_id=registration.learner_id,
                  course_id=registration.course_id, registration_id=registration.id,
                  **payload)


def handle_once(consumer: str, event: ProgressEvent, handler: Callable[[ProgressEvent], None]
                ) -> bool:
    """Run `handler(event)` unless `consumer` has handled this event; False when it had. The
    receipt and the handler's writes share a savepoint, so a refused receipt (a concurrent
    replay) undoes the handler's writes too."""
    if db.session.get(ProgressReceipt, (consumer, event.id)) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(ProgressReceipt(consumer=consumer, event_id=event.id))
            db.session.flush()
            handler(event)
    except IntegrityError:
        return False
    return True


def events(after_id: int = 0, batch: int = 500) -> Iterator[ProgressEvent]:
    """The outbox in order, from after `after_id`, read in batches."""
    while True:
        rows = list(db.session.scalars(select(ProgressEvent).where(ProgressEvent.id > after_id)
                                       .order_by(ProgressEvent.id).limit(batch)))
        yield from rows
        if len(rows) < batch:
            return
        after_id = rows[-1].id


def replay(receiver: Callable[[ProgressEvent], None], after_id: int = 0) -> int:
    """Send the stored events again to one receiver, in order; how many were sent."""
    sent = 0
    for event in events(after_id):
        receiver(event)
        sent += 1
    return sent
