"""Recordings as the portal keeps them: each take (one answer to one prompt of a recording step)
with the parts it arrived in, and once whole, its file and what processing measured."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.extensions import UTCDateTime, db, utcnow
from portal.recruiting.models import Application
from portal.storage import StoredFile

# A take's life: parts arrive (uploading), the whole file's checksum matched (uploaded), ffmpeg
# made it playable and measured it (ready) or could not (failed); a confirmed retake replaces it.
UPLOADING, UPLOADED, READY, FAILED, REPLACED = (
    "uploading", "uploaded", "ready", "failed", "replaced")


class RecordingScript(db.Model):
    """One version of what candidates record for a step (scripts.py): an interview template's
    questions, or a sample call's scenario and customer turns. Versions never change; a take
    keeps the version it answered."""

    __tablename__ = "recording_scripts"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    version: Mapped[int]
    step_key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))           # audio | video
    introduction: Mapped[str] = mapped_column(String(4000))
    prompts: Mapped[list] = mapped_column(JSON)             # content.Prompt fields, in order
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                 ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("key", "version"),)


class OpeningSetup(db.Model):
    """What an opening's recording step uses: which script and which rubric (by key: their
    newest versions), chosen by its managers. Without a row, the step's shipped defaults."""

    __tablename__ = "recording_opening_setups"
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"),
                                            primary_key=True)
    step_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    script_key: Mapped[str] = mapped_column(String(60))
    rubric_key: Mapped[str] = mapped_column(String(60))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OpeningReviewer(db.Model):
    """A member of staff who reviews an opening's recordings. An opening without any is
    reviewed by every manager; with some, only by them (and administrators)."""

    __tablename__ = "recording_opening_reviewers"
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"),
                                            primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)

    user: Mapped[User] = relationship()


class Take(db.Model):
    __tablename__ = "recording_takes"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"))
    step_key: Mapped[str] = mapped_column(String(40))
    # The script version answered (None: taken before scripts were versioned, the shipped one).
    script_id: Mapped[int | None] = mapped_column(
        ForeignKey("recording_scripts.id", ondelete="RESTRICT"))
    prompt: Mapped[str] = mapped_column(String(60))   # the turn or question answered
    number: Mapped[int] = mapped_column(default=1)    # 2 and up: retakes
    kind: Mapped[str] = mapped_column(String(10))     # audio | video
    mime_type: Mapped[str] = mapped_column(String(120))  # the recorder's actual mimeType
    status: Mapped[str] = mapped_column(String(20), default=UPLOADING)
    parts: Mapped[int] = mapped_column(default=0)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str | None] = mapped_column(String(64))  # of the whole file, once it matched
    # A local folder's take file, which parts are appended to as they come (uploads.py).
    assembly_key: Mapped[str | None] = mapped_column(String(300))
    upload_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_files.id", ondelete="SET NULL"))
    media_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_files.id", ondelete="SET NULL"))
    duration_ms: Mapped[int | None]
    loudness_lufs: Mapped[float | None] = mapped_column(Float)
    silence_ratio: Mapped[float | None] = mapped_column(Float)
    longest_silence_ms: Mapped[int | None]
    peaks: Mapped[list | None] = mapped_column(JSON)  # 0..1 per slice, for the waveform
    failure: Mapped[str | None] = mapped_column(String(300))  # why it could not be used
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship()
    script: Mapped[RecordingScript | None] = relationship()
    upload_file: Mapped[StoredFile | None] = relationship(foreign_keys=[upload_file_id])
    media_file: Mapped[StoredFile | None] = relationship(foreign_keys=[media_file_id])

    __table_args__ = (
        UniqueConstraint("application_id", "step_key", "prompt", "number"),
        Index("ix_recording_takes_status", "status", "id"),
    )


class TakePart(db.Model):
    """One part as it arrived: in the take's file already (`key` empty), or an object of its
    own until the take is whole (S3; or a part ahead of its turn), then deleted."""

    __tablename__ = "recording_take_parts"
    take_id: Mapped[int] = mapped_column(
        ForeignKey("recording_takes.id", ondelete="CASCADE"), primary_key=True)
    index: Mapped[int] = mapped_column(primary_key=True)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    key: Mapped[str | None] = mapped_column(String(300))


class Comment(db.Model):
    """A reviewer's note pinned to a moment of a take."""

    __tablename__ = "recording_comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    take_id: Mapped[int] = mapped_column(ForeignKey("recording_takes.id", ondelete="CASCADE"))
    at_ms: Mapped[int]
    body: Mapped[str] = mapped_column(String(1000))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_recording_comments_take", "take_id", "at_ms", "id"),)


class Rubric(db.Model):
    """One version of a scoring rubric (rubrics.py); versions never change."""

    __tablename__ = "recording_rubrics"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60))
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    criteria: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("key", "version"),)


# What a reviewer recommends; the decision itself is a stage move in recruiting.
RECOMMENDATIONS = {"advance": "Advance", "hold": "Hold", "reject": "Do not advance"}


class Review(db.Model):
    """One reviewer's scores of one application's recording step, under one rubric version.
    A draft until submitted; others' reviews stay hidden from a reviewer until theirs is."""

    __tablename__ = "recording_reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"))
    step_key: Mapped[str] = mapped_column(String(40))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rubric_id: Mapped[int] = mapped_column(ForeignKey("recording_rubrics.id",
                                                      ondelete="RESTRICT"))
    scores: Mapped[dict] = mapped_column(JSON, default=dict)
    recommendation: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(2000), default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    reviewer: Mapped[User | None] = relationship()
    rubric: Mapped[Rubric] = relationship()

    __table_args__ = (UniqueConstraint("application_id", "step_key", "reviewer_id"),)
