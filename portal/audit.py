"""Who changed what, when: one row per state change, written in the same transaction."""

from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.extensions import UTCDateTime, db, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None]
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_audit_events_created", "created_at", "id"),
        Index("ix_audit_events_target", "target_type", "target_id"),
        Index("ix_audit_events_actor", "actor_id", "created_at", "id"),
        Index("ix_audit_events_action", "action", "created_at", "id"),
    )


def record(action: str, target, actor: User | None, **detail) -> AuditEvent:
    """Add an audit row for `target` (a model instance, flushed so it has an id)."""
    if target is not None and getattr(target, "id", None) is None:
        db.session.flush()
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=type(target).__tablename__ if target is not None else "system",
        target_id=getattr(target, "id", None),
        detail=detail,
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event
