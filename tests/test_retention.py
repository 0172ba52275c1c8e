"""Applications are deleted when the retention period the candidate agreed to ends."""

from datetime import timedelta

from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.extensions import db, utcnow
from portal.recruiting import pipeline, services, stages
from portal.recruiting.models import Application
from tests.helpers import apply, open_opening


def test_purge_deletes_expired_applications_but_keeps_hires_and_recent_ones(app, make_user):
    manager = make_user(roles=("manager",))
    opening = open_opening(manager)
    old_rejected, old_hired, recent = (apply(opening, make_user()) for _ in range(3))
    services.move(old_rejected, stages.REJECTED, manager, "No availability")
    services.move(old_hired, stages.HIRED, manager, "Welcome")
    for application in (old_rejected, old_hired):
        application.created_at = utcnow() - timedelta(days=400)
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["purge-expired"])

    assert ("Deleted 1 expired application(s), the recordings of 0 closed take(s) and 0 ended "
            "session(s).") in result.output
    db.session.expire_all()
    remaining = set(db.session.scalars(select(Application.id)))
    assert remaining == {old_hired.id, recent.id}
    assert pipeline.stage_counts(opening.id)["rejected"] == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "application.purged"))
    assert event.detail == {"applications": 1, "retention_days": 365}
    assert app.test_cli_runner().invoke(args=["purge-expired"]).output.startswith("Deleted 0")
    assert db.session.scalar(select(func.count()).select_from(Application)) == 2
