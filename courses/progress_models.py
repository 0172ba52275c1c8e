"""The progress outbox: one row per progress change, written in the transaction that made the
change; and the receipts by which a consumer handles each event once."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import UTCDateTime, db, utcnow


class ProgressEvent(db.Model):
    __tablename__ = "progress_events"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True)
    type: Mapped[str] = mapped_column(String(20))
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id",
                                                             ondelete="RESTRICT"))
    path_id: Mapped[int | None] = mapped_column(ForeignKey("learning_paths.id",
                                                           ondelete="RESTRICT"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_registrations.id", ondelete="CASCADE"))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_progress_events_learner_id_id", "learner_id", "id"),)


class ProgressReceipt(db.Model):
    """`consumer` has handled event `event_id`: replaying the outbox skips it."""

    __tablename__ = "progress_receipts"
    consumer: Mapped[str] = mapped_column(String(60), primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("progress_events.id", ondelete="CASCADE"), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
