"""Announcements: who sees which (audience and dates, in SQL), read marks, and the trainers'
and managers' changes (audited; the caller commits).

An agent sees an announcement that is not archived, whose first day has come and last day has
not passed (UTC days), and that is meant for everyone, for the agent's team, or for the hires
of an opening the agent was hired through."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload, selectinload

from courses.landing_models import (
    AUDIENCES,
    EVERYONE,
    KINDS,
    OPENING,
    TEAM,
    Announcement,
    AnnouncementRead,
)
from portal import audit, listing
from portal.extensions import db, utcnow
from portal.recruiting.models import Application, Opening
from portal.recruiting.stages import HIRED
from portal.teams.models import Team
from portal.teams.services import team_id_of

LANDING_LIMIT = 10
_INSERTS = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}


class AnnouncementRefused(ValueError):
    pass


@dataclass(frozen=True)
class Shown:
    announcement: Announcement
    unread: bool


@dataclass(frozen=True)
class Fields:
    """What an author sets; the form's data, checked again by `_checked`."""
    kind: str
    title: str
    body: str
    audience: str
    team_id: int | None
    opening_id: int | None
    pinned: bool
    starts_on: date
    ends_on: date | None


def today() -> date:
    return utcnow().date()


def _visible_to(user_id: int):
    """The condition for an announcement the user sees today (no query of its own)."""
    day = today()
    hired_through = select(Application.opening_id).where(
        Application.candidate_id == user_id, Application.stage == HIRED)
    return and_(
        Announcement.archived_at.is_(None), Announcement.starts_on <= day,
        or_(Announcement.ends_on.is_(None), Announcement.ends_on >= day),
        or_(Announcement.audience == EVERYONE,
            and_(Announcement.audience == TEAM, Announcement.team_id == team_id_of(user_id)),
            and_(Announcement.audience == OPENING,
                 Announcement.opening_id.in_(hired_through))))


def for_agent(user_id: int, limit: int = LANDING_LIMIT) -> tuple[list[Shown], bool]:
    """The user's announcements, pinned first, then newest first, each with whether it is
    unread; and whether there were more than `limit`. One query."""
    rows = db.session.execute(
        select(Announcement, AnnouncementRead.read_at)
        .outerjoin(AnnouncementRead, and_(AnnouncementRead.announcement_id == Announcement.id,
                                          AnnouncementRead.user_id == user_id))
        .where(_visible_to(user_id))
        .options(joinedload(Announcement.author))
        .order_by(Announcement.pinned.desc(), Announcement.starts_on.desc(),
                  Announcement.id.desc())
        .limit(limit + 1)).all()
    return [Shown(row, read_at is None) for row, read_at in rows[:limit]], len(rows) > limit


def visible_one(user_id: int, announcement_id: int) -> Announcement | None:
    return db.session.scalar(select(Announcement).where(
        Announcement.id == announcement_id, _visible_to(user_id)))


def mark_read(user_id: int, announcement: Announcement) -> None:
    """Idempotent, also when two requests mark the same one at once."""
    insert = _INSERTS[db.session.get_bind().dialect.name]
    db.session.execute(insert(AnnouncementRead).values(
        announcement_id=announcement.id, user_id=user_id, read_at=utcnow())
        .on_conflict_do_nothing())


# --- authors --------------------------------------------------------------------------------

def staff_page(after: str | None, before: str | None, page_size: int) -> listing.Page:
    """Every announcement, archived ones too, newest first."""
    stmt = select(Announcement).options(selectinload(Announcement.author),
                                        selectinload(Announcement.team),
                                        selectinload(Announcement.opening))
    return listing.paginate(stmt, Announcement.created_at, Announcement.id, descending=True,
                            after=after, before=before, page_size=page_size)


def create(fields: Fields, actor) -> Announcement:
    announcement = Announcement(author_id=actor.id, **vars(_checked(fields)))
    db.session.add(announcement)
    audit.record("announcement.created", announcement, actor, **_facts(announcement))
    return announcement


def update(announcement: Announcement, fields: Fields, actor) -> None:
    for name, value in vars(_checked(fields)).items():
        setattr(announcement, name, value)
    audit.record("announcement.updated", announcement, actor, **_facts(announcement))


def set_archived(announcement: Announcement, archived: bool, actor) -> None:
    if archived == (announcement.archived_at is not None):
        return
    announcement.archived_at = utcnow() if archived else None
    audit.record("announcement.archived" if archived else "announcement.restored",
                 announcement, actor)


def _facts(announcement: Announcement) -> dict:
    """Structured facts for the audit log (never the text itself)."""
    return {"kind": announcement.kind, "audience": announcement.audience,
            "team_id": announcement.team_id, "opening_id": announcement.opening_id,
            "pinned": announcement.pinned, "starts_on": announcement.starts_on.isoformat(),
            "ends_on": announcement.ends_on.isoformat() if announcement.ends_on else None}


def _checked(fields: Fields) -> Fields:
    if fields.kind not in KINDS or fields.audience not in AUDIENCES:
        raise AnnouncementRefused("Choose the kind and the audience from the lists.")
    if not fields.title.strip() or not fields.body.strip():
        raise AnnouncementRefused("An announcement needs a title and a text.")
    if fields.ends_on is not None and fields.ends_on < fields.starts_on:
        raise AnnouncementRefused("The last day cannot come before the first.")
    team_id = fields.team_id if fields.audience == TEAM else None
    opening_id = fields.opening_id if fields.audience == OPENING else None
    if fields.audience == TEAM and (team_id is None or db.session.get(Team, team_id) is None):
        raise AnnouncementRefused("Choose the team the announcement is for.")
    if fields.audience == OPENING and (
            opening_id is None or db.session.get(Opening, opening_id) is None):
        raise AnnouncementRefused("Choose the opening whose hires it is for.")
    return Fields(**{**vars(fields), "team_id": team_id, "opening_id": opening_id})
