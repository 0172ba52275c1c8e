"""Learning paths: ordered courses a new agent takes, each opening when the one before it is
done, due a number of days after the enrolment. An opening names the path its hires are
enrolled in; the naming lives here, so recruiting never knows that courses exist."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.models import Course
from portal.auth.models import User
from portal.extensions import UTCDateTime, db, utcnow
from portal.recruiting.models import Opening

# What a step waits for in the step before it.
OPENS_AFTER = {"": "Opens straight away",
               "completed": "Opens when the course before it is completed",
               "passed": "Opens when the course before it is passed"}


class LearningPath(db.Model):
    __tablename__ = "learning_paths"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    due_days: Mapped[int | None]  # after the enrolment; None: no due date
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    steps: Mapped[list["PathStep"]] = relationship(order_by="PathStep.position",
                                                   cascade="all, delete-orphan")


class PathStep(db.Model):
    """A course at its place in a path."""

    __tablename__ = "learning_path_steps"
    path_id: Mapped[int] = mapped_column(ForeignKey("learning_paths.id", ondelete="CASCADE"),
                                         primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="RESTRICT"),
                                           primary_key=True, index=True)
    position: Mapped[int]
    opens_after: Mapped[str] = mapped_column(String(10), default="")

    course: Mapped[Course] = relationship(lazy="joined")


class OpeningPath(db.Model):
    """The path an opening's hires are enrolled in when they are hired."""

    __tablename__ = "opening_learning_paths"
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"),
                                            primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("learning_paths.id", ondelete="CASCADE"),
                                         index=True)

    opening: Mapped[Opening] = relationship()


class PathEnrolment(db.Model):
    """A learner in a path, once: enrolling again after an unenrolment reopens the same row."""

    __tablename__ = "learning_path_enrolments"
    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("learning_paths.id", ondelete="RESTRICT"))
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                            index=True)
    source: Mapped[str] = mapped_column(String(10))  # hire, hand, team, opening, emails
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="SET NULL"))
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unenrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    path: Mapped[LearningPath] = relationship()
    learner: Mapped[User] = relationship(foreign_keys=[learner_id])

    __table_args__ = (UniqueConstraint("path_id", "learner_id"),)


class Reminder(db.Model):
    """A reminder sent for a registration's due date: one per kind and due date, so a job run
    twice sends nothing twice, and a new due date may be reminded again."""

    __tablename__ = "course_reminders"
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("course_registrations.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # due_soon, overdue
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
