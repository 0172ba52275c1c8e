"""Courses as the portal keeps them: a course has numbered versions, each one imported SCORM
package; a version's files point at content blobs, stored once per distinct content (keyed by
its SHA-256), so a new version or another course with the same file stores nothing new."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.auth.models import User
from portal.extensions import UTCDateTime, db, utcnow


class Course(db.Model):
    __tablename__ = "courses"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)  # for the command line
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The catalogue: a free category ("Onboarding", "Compliance"), the time a learner should
    # plan, and whether completing (or passing, when the course is scored) earns a certificate.
    category: Mapped[str] = mapped_column(String(60), default="", server_default="")
    estimated_minutes: Mapped[int | None]
    certifies: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Attempt policies (registrations.py): at most this many (None: no limit); when a launch
    # starts a new one (never, completed, always); which attempts grade the registration.
    max_attempts: Mapped[int | None]
    new_attempt: Mapped[str] = mapped_column(String(12), default="never")
    grading: Mapped[str] = mapped_column(String(16), default="highest")

    created_by: Mapped[User | None] = relationship()


class CourseVersion(db.Model):
    """One imported package of a course, never changed. The highest number is the current
    version; what learners are on is the registrations' business (a later slice)."""

    __tablename__ = "course_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="RESTRICT"))
    number: Mapped[int]  # 1, 2, ... within the course
    scorm_version: Mapped[str] = mapped_column(String(8))  # '1.2' or '2004'
    title: Mapped[str] = mapped_column(String(200))  # the default organization's
    # The parsed imsmanifest.xml (manifest.Manifest.to_dict()); large, read by the player only.
    manifest: Mapped[dict] = deferred(mapped_column(JSON, nullable=False))
    # The default organization's items that open something: identifier, title, launch, is_sco.
    launch_items: Mapped[list] = mapped_column(JSON)
    notes: Mapped[list] = mapped_column(JSON)  # what the import noticed, in words
    package_sha256: Mapped[str] = mapped_column(String(64))
    total_bytes: Mapped[int] = mapped_column(BigInteger)
    file_count: Mapped[int]
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()
    imported_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("course_id", "number"),)


class ContentBlob(db.Model):
    """One distinct content, stored once under `key` (courses/blobs/<sha[:2]>/<sha>)."""

    __tablename__ = "content_blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)


class CourseFile(db.Model):
    """A file of a version, by its path in the package (relative to the manifest's folder)."""

    __tablename__ = "course_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id",
                                                       ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(1024))
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("content_blobs.sha256",
                                                        ondelete="RESTRICT"), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(120))

    __table_args__ = (UniqueConstraint("version_id", "path"),)
