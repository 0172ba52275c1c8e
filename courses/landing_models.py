"""What the agent's landing page shows besides courses: announcements (with each agent's read
marks) and the tool links trainers keep."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.auth.models import User
from portal.extensions import UTCDateTime, db, utcnow
from portal.recruiting.models import Opening
from portal.teams.models import Team

EVERYONE, TEAM, OPENING = "everyone", "team", "opening"
AUDIENCES = {EVERYONE: "Everyone", TEAM: "A team", OPENING: "The hires of an opening"}
KINDS = {"news": "News", "success": "Success story", "quote": "Quote of the day"}


class Announcement(db.Model):
    """Shown to its audience from `starts_on` to `ends_on` (inclusive, UTC days; no end: until
    archived). The body is plain text with a little formatting (courses/formatting.py)."""

    __tablename__ = "announcements"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), default="news")
    title: Mapped[str] = mapped_column(String(160))
    body: Mapped[str] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(10), default=EVERYONE)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"),
                                                index=True)
    opening_id: Mapped[int | None] = mapped_column(
        ForeignKey("openings.id", ondelete="RESTRICT"), index=True)
    pinned: Mapped[bool] = mapped_column(default=False)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author: Mapped[User | None] = relationship()
    team: Mapped[Team | None] = relationship()
    opening: Mapped[Opening | None] = relationship()

    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="dates"),
        CheckConstraint("(audience = 'everyone' AND team_id IS NULL AND opening_id IS NULL)"
                        " OR (audience = 'team' AND team_id IS NOT NULL AND opening_id IS NULL)"
                        " OR (audience = 'opening' AND opening_id IS NOT NULL"
                        " AND team_id IS NULL)", name="audience"),
        Index("ix_announcements_created", "created_at", "id"),
        Index("ix_announcements_starts", "starts_on", "id"),
    )

    def state(self, today: date) -> str:
        """In words, for the staff's list: archived, scheduled, showing or ended."""
        if self.archived_at is not None:
            return "Archived"
        if self.starts_on > today:
            return "Scheduled"
        return "Ended" if self.ends_on is not None and self.ends_on < today else "Showing"


class AnnouncementRead(db.Model):
    """An agent has read an announcement (its own page, or "Mark as read")."""

    __tablename__ = "announcement_reads"
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ToolLink(db.Model):
    """A link to an application agents work in; for everyone, or for one team's agents."""

    __tablename__ = "tool_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    url: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(String(300), default="")
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"),
                                                index=True)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    team: Mapped[Team | None] = relationship()
