"""Openings, applications and what happens to them."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.extensions import UTCDateTime, db, utcnow
from portal.recruiting.stages import APPLIED

DRAFT, OPEN, CLOSED = "draft", "open", "closed"
OPENING_STATUSES = (DRAFT, OPEN, CLOSED)


class Opening(db.Model):
    __tablename__ = "openings"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(140))
    summary: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    requirements: Mapped[str] = mapped_column(Text, default="")
    pay_min: Mapped[float] = mapped_column(Numeric(10, 2))
    pay_max: Mapped[float] = mapped_column(Numeric(10, 2))
    pay_currency: Mapped[str] = mapped_column(String(3), default="USD")
    pay_period: Mapped[str] = mapped_column(String(10), default="hour")
    hours_min: Mapped[int] = mapped_column(default=20)
    hours_max: Mapped[int] = mapped_column(default=40)
    shifts: Mapped[list] = mapped_column(JSON, default=list)      # shift keys, see forms.SHIFTS
    countries: Mapped[list] = mapped_column(JSON, default=list)   # ISO 3166 alpha-2; [] = any
    time_zones: Mapped[list] = mapped_column(JSON, default=list)  # IANA names; [] = any
    steps: Mapped[list] = mapped_column(JSON, default=list)       # application step keys, in order
    status: Mapped[str] = mapped_column(String(10), default=DRAFT, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        CheckConstraint("pay_min <= pay_max", name="pay_range"),
        CheckConstraint("hours_min <= hours_max", name="hours_range"),
    )

    @property
    def is_open(self) -> bool:
        return self.status == OPEN


class Application(db.Model):
    __tablename__ = "applications"
    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="RESTRICT"))
    candidate_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(20), default=APPLIED)
    # Contact details as given on the form (the account's name may change later).
    full_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(2))
    time_zone: Mapped[str] = mapped_column(String(64))
    availability_days: Mapped[list] = mapped_column(JSON, default=list)
    availability_shifts: Mapped[list] = mapped_column(JSON, default=list)
    hours_per_week: Mapped[int]
    languages: Mapped[list] = mapped_column(JSON, default=list)
    experience_years: Mapped[int]
    has_computer: Mapped[bool]
    has_headset: Mapped[bool]
    has_wired_internet: Mapped[bool]
    privacy_consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retention_consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    privacy_notice_version: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stage_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A screening package's recommendation (recruiting.screening.OUTCOMES); None: not assessed.
    screening_outcome: Mapped[str | None] = mapped_column(String(20))

    opening: Mapped[Opening] = relationship(lazy="joined", innerjoin=True)
    candidate: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("opening_id", "candidate_id"),
        # Pipeline pages seek along one of these per (filter, sort): see recruiting/pipeline.py.
        Index("ix_applications_stage_created", "stage", "created_at", "id"),
        Index("ix_applications_opening_stage_created", "opening_id", "stage", "created_at", "id"),
        Index("ix_applications_opening_created", "opening_id", "created_at", "id"),
        Index("ix_applications_opening_name", "opening_id", "full_name", "id"),
        Index("ix_applications_opening_moved", "opening_id", "stage_changed_at", "id"),
        Index("ix_applications_created", "created_at", "id"),
        Index("ix_applications_moved", "stage_changed_at", "id"),
        Index("ix_applications_name", "full_name", "id"),
        Index("ix_applications_outcome_created", "screening_outcome", "created_at", "id"),
        Index("ix_applications_opening_outcome_created", "opening_id", "screening_outcome",
              "created_at", "id"),
        Index("ix_applications_candidate", "candidate_id"),
    )


class StageChange(db.Model):
    """History of an application's stages: who moved it, when, and why."""

    __tablename__ = "stage_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class ApplicationNote(db.Model):
    """Internal notes: staff only, never shown on the candidate's pages; they are in the
    candidate's data export (a right of access covers what we wrote about them)."""

    __tablename__ = "application_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class StepProgress(db.Model):
    """Where a candidate stands on one application step; written by the step's owner."""

    __tablename__ = "step_progress"
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True)
    step_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StageCount(db.Model):
    """Applications per (opening, stage), kept in step with every move so that pipeline tabs
    cost one small query however many applications there are."""

    __tablename__ = "stage_counts"
    opening_id: Mapped[int] = mapped_column(
        ForeignKey("openings.id", ondelete="CASCADE"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class ApplicationSearchTerm(db.Model):
    """The words of an applicant's name and email, for indexed prefix search in the pipeline
    (a LIKE '%text%' would read every application). Written once, when the application is."""

    __tablename__ = "application_search_terms"
    # Byte order on PostgreSQL so that a prefix is a plain index range, whatever the locale.
    term: Mapped[str] = mapped_column(
        String(120).with_variant(String(120, collation="C"), "postgresql"), primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True, index=True)


class ApplicationScore(db.Model):
    """One figure a screening package reported for an application, under a key it chose
    ("soft_skills.customer_care"); the pipeline sorts by it without knowing what it measures.
    An application's rows are replaced whole on every report (services.record_screening)."""

    __tablename__ = "application_scores"
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[float] = mapped_column(Float)

    application: Mapped[Application] = relationship()

    __table_args__ = (
        # The pipeline's score sort seeks along it: (value, application_id) within one key.
        Index("ix_application_scores_key_value", "key", "value", "application_id"),
    )
