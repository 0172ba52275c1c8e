"""Certificates: what was certified (a course or a whole path), to whom under which name, and
the code anyone may verify. A certificate is never changed: a new name re-issues it under a
new code, and a reset completion revokes it."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courses.models import Course
from courses.path_models import LearningPath
from portal.auth.models import User
from portal.extensions import UTCDateTime, db, utcnow


class Certificate(db.Model):
    __tablename__ = "certificates"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                            index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id",
                                                             ondelete="RESTRICT"))
    path_id: Mapped[int | None] = mapped_column(ForeignKey("learning_paths.id",
                                                           ondelete="RESTRICT"))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_registrations.id", ondelete="SET NULL"))
    enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("learning_path_enrolments.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))   # the learner's name when issued
    title: Mapped[str] = mapped_column(String(200))  # the course's or path's title then
    achievement: Mapped[str] = mapped_column(String(12))  # completed or passed
    achieved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(200))

    learner: Mapped[User] = relationship()
    course: Mapped[Course | None] = relationship()
    path: Mapped[LearningPath | None] = relationship()
