"""What the LMS tracks: a learner's registration to a course, its attempts (each on the course
version it began with), and per attempt each SCO's run-time data, with the interactions and
objectives a SCO reported kept as rows for reports."""

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.models import Course, CourseVersion
from courses.sco_status import COMPLETED, NOT_ATTEMPTED, UNKNOWN
from portal.auth.models import User
from portal.extensions import UTCDateTime, db, utcnow


class Registration(db.Model):
    """A learner on a course: the attempts, and their roll-up by the course's grading rule."""

    __tablename__ = "course_registrations"
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="RESTRICT"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                            index=True)  # a learner's courses (matrix.py)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completion: Mapped[str] = mapped_column(String(20), default=NOT_ATTEMPTED)
    success: Mapped[str] = mapped_column(String(10), default=UNKNOWN)
    score: Mapped[float | None] = mapped_column(Float)  # 0..1, by the grading rule
    total_seconds: Mapped[float] = mapped_column(Float, default=0)
    attempt_count: Mapped[int] = mapped_column(default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the registration first became completed (certificates and charts date it by this).
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by an enrolment (paths.py): the earliest due date of the paths that hold the course.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Unenrolled: off the learner's page, its attempts and events kept for the history.
    unenrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship()
    learner: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("course_id", "learner_id"),)

    def overdue(self, now: datetime) -> bool:
        """Past its due date and not completed (a completed course is never overdue)."""
        return bool(self.due_at and self.due_at < now and self.completion != COMPLETED)


class Attempt(db.Model):
    """One go at a course, on the version it began with (a newer version waits for the next
    attempt). `token` authenticates the player's beacons, which carry no headers."""

    __tablename__ = "course_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("course_registrations.id", ondelete="CASCADE"))
    number: Mapped[int]
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id",
                                                       ondelete="RESTRICT"))
    token: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completion: Mapped[str] = mapped_column(String(20), default=NOT_ATTEMPTED)
    success: Mapped[str] = mapped_column(String(10), default=UNKNOWN)
    score: Mapped[float | None] = mapped_column(Float)
    total_seconds: Mapped[float] = mapped_column(Float, default=0)
    bookmark: Mapped[str | None] = mapped_column(String(200))  # the item last open
    # Set aside by a trainer's reset: kept for the history, no longer counted (registrations.py).
    reset_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reset_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reset_reason: Mapped[str | None] = mapped_column(String(500))  # the trainer's words

    registration: Mapped[Registration] = relationship()
    # Loaded with the attempt (not its deferred manifest): sco_sessions.facts needs its id
    # and package checksum on every commit.
    version: Mapped[CourseVersion] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("registration_id", "number"),)


class ScoState(db.Model):
    """One SCO's run-time data in an attempt. `values` is the flat data model of the current
    session (seeded at launch, then each accepted commit's changes applied in order); `seq`
    only grows, so a stale or replayed commit changes nothing."""

    __tablename__ = "course_sco_states"
    attempt_id: Mapped[int] = mapped_column(ForeignKey("course_attempts.id",
                                                       ondelete="CASCADE"), primary_key=True)
    item: Mapped[str] = mapped_column(String(200), primary_key=True)
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    seq: Mapped[int] = mapped_column(default=0)
    sessions: Mapped[int] = mapped_column(default=0)
    terminated: Mapped[bool] = mapped_column(default=False)
    exit: Mapped[str] = mapped_column(String(20), default="")
    completion: Mapped[str] = mapped_column(String(20), default=NOT_ATTEMPTED)
    success: Mapped[str] = mapped_column(String(10), default=UNKNOWN)
    score: Mapped[float | None] = mapped_column(Float)  # 0..1
    total_seconds: Mapped[float] = mapped_column(Float, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ScoInteraction(db.Model):
    """An interaction a SCO reported (a question and the learner's answer), as last sent."""

    __tablename__ = "course_sco_interactions"
    attempt_id: Mapped[int] = mapped_column(ForeignKey("course_attempts.id",
                                                       ondelete="CASCADE"), primary_key=True)
    item: Mapped[str] = mapped_column(String(200), primary_key=True)
    index: Mapped[int] = mapped_column(primary_key=True)
    interaction_id: Mapped[str] = mapped_column(String(4000))
    type: Mapped[str | None] = mapped_column(String(20))
    learner_response: Mapped[str | None] = mapped_column(String(4000))
    result: Mapped[str | None] = mapped_column(String(20))
    correct_responses: Mapped[list] = mapped_column(JSON, default=list)
    description: Mapped[str | None] = mapped_column(String(4000))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScoObjective(db.Model):
    """An objective's state as a SCO last reported it."""

    __tablename__ = "course_sco_objectives"
    attempt_id: Mapped[int] = mapped_column(ForeignKey("course_attempts.id",
                                                       ondelete="CASCADE"), primary_key=True)
    item: Mapped[str] = mapped_column(String(200), primary_key=True)
    index: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[str] = mapped_column(String(4000))
    completion: Mapped[str | None] = mapped_column(String(20))
    success: Mapped[str | None] = mapped_column(String(10))
    score: Mapped[float | None] = mapped_column(Float)
