"""Assessments as the portal keeps them: every version of every bank (never changed), and
candidates' attempts with each answer as it was saved."""

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.auth.models import User
from portal.extensions import UTCDateTime, db, utcnow
from portal.recruiting.models import Application


class BankVersion(db.Model):
    """One version of a bank file, exactly as uploaded or shipped. The newest version of a key
    is the one new attempts use; an attempt points at the version it was taken with."""

    __tablename__ = "assessment_bank_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    bank_key: Mapped[str] = mapped_column(String(60))
    version: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    item_count: Mapped[int]
    # Read once per version, then cached parsed (attempts.bank_of).
    content: Mapped[str] = deferred(mapped_column(Text, nullable=False))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("bank_key", "version"),
        Index("ix_assessment_bank_versions_key_created", "bank_key", "created_at", "id"),
    )


IN_PROGRESS, SUBMITTED, TIMED_OUT = "in_progress", "submitted", "timed_out"


class Attempt(db.Model):
    """One sitting of one bank for one application. The seed orders items and options and never
    leaves the server; the deadline is the server's, extra time included. `tab_token` names the
    browser tab allowed to save (the one that opened the attempt last)."""

    __tablename__ = "assessment_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"))
    bank_version_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_bank_versions.id", ondelete="RESTRICT"))
    bank_key: Mapped[str] = mapped_column(String(60))
    bank_version: Mapped[str] = mapped_column(String(16))  # the content hash, for the cache
    number: Mapped[int] = mapped_column(default=1)  # 2 and up are retakes a manager granted
    seed: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=IN_PROGRESS)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extra_minutes: Mapped[int] = mapped_column(default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Banks in sections: the one being taken, and its own deadline (None until it is opened).
    section_index: Mapped[int] = mapped_column(default=0)
    section_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tab_token: Mapped[str] = mapped_column(String(32))
    focus_losses: Mapped[int] = mapped_column(default=0)
    paste_attempts: Mapped[int] = mapped_column(default=0)
    scores: Mapped[list | None] = mapped_column(JSON)  # ScaleScore.as_dict() per scale
    measures: Mapped[list | None] = mapped_column(JSON)  # typing speed and accuracy per item

    application: Mapped[Application] = relationship()
    version_row: Mapped[BankVersion] = relationship()

    __table_args__ = (
        UniqueConstraint("application_id", "bank_key", "number"),
        Index("ix_assessment_attempts_open_deadline", "status", "deadline_at"),
    )

    @property
    def is_open(self) -> bool:
        return self.status == IN_PROGRESS


class Answer(db.Model):
    """The latest answer to one item of an attempt. `seq` is the saving tab's counter, so a
    save that arrives late never overwrites a newer one; `points` is the item's score under
    the key of the attempt's bank version (re-scored if a key is corrected)."""

    __tablename__ = "assessment_answers"
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_attempts.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)
    seq: Mapped[int] = mapped_column(default=0)
    points: Mapped[float | None] = mapped_column(Float)
    first_saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changes: Mapped[int] = mapped_column(default=0)
    # Free text: the rubric level a manager chose (points then = level / the best level).
    rubric_points: Mapped[int | None]
    scored_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


EXTRA_TIME, RETAKE = "extra_time", "retake"


class Grant(db.Model):
    """What a manager granted one application for one bank, with who and why: extra time (an
    accommodation) or a retake. A grant is used by the attempt it was applied to."""

    __tablename__ = "assessment_grants"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"))
    bank_key: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(String(300))
    granted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempt_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment_attempts.id", ondelete="SET NULL"))

    granted_by: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_assessment_grants_application", "application_id", "bank_key"),)


class OpeningRules(db.Model):
    """What an opening asks of its candidates' assessments (see verdicts.py for the shape):
    cut scores, culture profile, knock-out answers, typing targets. No row: the defaults."""

    __tablename__ = "assessment_opening_rules"
    opening_id: Mapped[int] = mapped_column(
        ForeignKey("openings.id", ondelete="CASCADE"), primary_key=True)
    rules: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class NormSetting(db.Model):
    """A manager's choice for a bank: from how many finished attempts its scales are normed on
    the portal's own applicants instead of the bank's reference norm."""

    __tablename__ = "assessment_norm_settings"
    bank_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    minimum: Mapped[int]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class LocalNorm(db.Model):
    """One computed local norm of a scale, never changed: a recomputation that moves it adds a
    version, and every result names the norm it was scored against."""

    __tablename__ = "assessment_local_norms"
    id: Mapped[int] = mapped_column(primary_key=True)
    bank_key: Mapped[str] = mapped_column(String(60))
    scale_key: Mapped[str] = mapped_column(String(60))
    version: Mapped[int]
    mean: Mapped[float] = mapped_column(Float)
    sd: Mapped[float] = mapped_column(Float)
    n: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("bank_key", "scale_key", "version"),)


class ReadinessRun(db.Model):
    """One run of the desktop readiness check, kept with its raw samples (the figures are
    recomputed from them on the server), what the browser and the candidate reported, every
    requirement's check under the opening's profile at the time, and the overall verdict."""

    __tablename__ = "readiness_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verdict: Mapped[str] = mapped_column(String(10))  # pass | warn | fail
    figures: Mapped[dict] = mapped_column(JSON)
    checks: Mapped[list] = mapped_column(JSON)        # rules.Check.as_dict() each
    device: Mapped[dict] = mapped_column(JSON)         # browser, system, computer, headset...
    samples: Mapped[dict] = mapped_column(JSON, deferred=True)  # raw: read for the details only
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    application: Mapped[Application] = relationship()

    __table_args__ = (Index("ix_readiness_runs_application", "application_id", "id"),)
