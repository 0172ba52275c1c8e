"""Assessment content as the portal keeps it: every version of every bank, never changed."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.extensions import UTCDateTime, db, utcnow


class BankVersion(db.Model):
    """One version of a bank file, exactly as uploaded or shipped. The newest version of a key
    is the one new attempts use; an attempt points at the version it was taken with."""

    __tablename__ = "assessment_bank_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    bank_key: Mapped[str] = mapped_column(String(60))
    version: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    item_count: Mapped[int]
    content: Mapped[str] = mapped_column(Text)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("bank_key", "version"),
        Index("ix_assessment_bank_versions_key_created", "bank_key", "created_at", "id"),
    )
