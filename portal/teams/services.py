"""What managers do with teams, and what other packages ask of them. Every change is audited;
the caller commits."""

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import audit
from portal.auth.models import AGENT, STAFF_ROLES, User, UserRole
from portal.extensions import db
from portal.teams.models import Team, TeamMember

PICK_LIMIT = 200  # agents offered as checkboxes; the others are added by pasted addresses


class TeamRefused(ValueError):
    pass


@dataclass(frozen=True)
class Added:
    added: list[User]
    skipped: list[tuple[str, str]]  # (email, why)


def staff_users():
    """Who may supervise a team: active staff (a statement; order or narrow it)."""
    return select(User).where(
        User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(STAFF_ROLES))),
        User.is_active_account, User.erased_at.is_(None))


def teams_with_sizes() -> list[tuple[Team, int]]:
    """Every team with its number of members, by name; one query."""
    sizes = (select(TeamMember.team_id, func.count().label("size"))
             .group_by(TeamMember.team_id).subquery())
    return [(team, size or 0) for team, size in db.session.execute(
        select(Team, sizes.c.size).outerjoin(sizes, sizes.c.team_id == Team.id)
        .options(selectinload(Team.supervisor)).order_by(Team.name, Team.id))]


def all_teams() -> list[Team]:
    return list(db.session.scalars(select(Team).order_by(Team.name, Team.id)))


def members_of(team: Team) -> list[User]:
    return list(db.session.scalars(
        select(User).join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.team_id == team.id).order_by(User.full_name, User.id)))


def agents_without_team(limit: int = PICK_LIMIT) -> list[User]:
    return list(db.session.scalars(
        select(User).join(UserRole, (UserRole.user_id == User.id) & (UserRole.role == AGENT))
        .where(~User.id.in_(select(TeamMember.user_id)), User.is_active_account,
               User.erased_at.is_(None))
        .order_by(User.full_name, User.id).limit(limit)))


def team_id_of(user_id: int):
    """The user's team id as a scalar subquery, for other packages' statements (None when the
    user is in no team): it costs them no query of its own."""
    return select(TeamMember.team_id).where(TeamMember.user_id == user_id).scalar_subquery()


def create(name: str, supervisor_id: int | None, actor: User) -> Team:
    team = Team(name=_free_name(name, None), supervisor_id=_supervisor(supervisor_id))
    db.session.add(team)
    audit.record("team.created", team, actor, name=team.name,
                 supervisor_id=team.supervisor_id)
    return team


def update(team: Team, name: str, supervisor_id: int | None, actor: User) -> None:
    """Rename the team and set its supervisor; audited only when something changed."""
    name, supervisor_id = _free_name(name, team), _supervisor(supervisor_id)
    if name != team.name:
        audit.record("team.renamed", team, actor, before=team.name, after=name)
        team.name = name
    if supervisor_id != team.supervisor_id:
        audit.record("team.supervisor_changed", team, actor, before=team.supervisor_id,
                     after=supervisor_id)
        team.supervisor_id = supervisor_id


def add_agents(team: Team, user_ids: list[int], actor: User) -> list[User]:
    """Add the picked agents who are in no team yet (a stale pick is left out quietly: the
    page shows who is in the team afterwards)."""
    users = db.session.scalars(select(User).where(User.id.in_(user_ids))) if user_ids else []
    added = [user for user in users if _why_not(user, team) is None]
    _add(team, added, actor)
    return added


def add_emails(team: Team, text: str, actor: User) -> Added:
    """Add every address of `text` that belongs to an agent in no team; each other address is
    skipped with the reason."""
    added, skipped = [], []
    for email in dict.fromkeys(e for e in re.split(r"[\s,;]+", text.lower()) if e):
        user = User.by_email(email)
        why = _why_not(user, team)
        if why:
            skipped.append((email, why))
        else:
            added.append(user)
    _add(team, added, actor)
    return Added(added, skipped)


def remove(team: Team, user_id: int, actor: User) -> bool:
    member = db.session.get(TeamMember, user_id)
    if member is None or member.team_id != team.id:
        return False
    db.session.delete(member)
    audit.record("team.member_removed", team, actor, user_id=user_id)
    return True


def _add(team: Team, users: list[User], actor: User) -> None:
    for user in users:
        db.session.add(TeamMember(user_id=user.id, team_id=team.id))
    if users:
        db.session.flush()
        audit.record("team.members_added", team, actor, user_ids=[u.id for u in users])


def _why_not(user: User | None, team: Team) -> str | None:
    """Why `user` cannot join `team`, in words; None when they can."""
    if user is None or not user.is_active:
        return "no active account has this address"
    if AGENT not in user.roles:
        return "not an agent"
    current = db.session.scalar(select(Team).join(TeamMember).where(
        TeamMember.user_id == user.id))
    if current is not None:
        return "already in this team" if current.id == team.id \
            else f"already in the team {current.name}: remove them there first"
    return None


def _free_name(name: str, team: Team | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise TeamRefused("Give the team a name.")
    clash = db.session.scalar(select(Team).where(func.lower(Team.name) == name.lower()))
    if clash is not None and clash is not team:
        raise TeamRefused(f"There is already a team called {clash.name}.")
    return name


def _supervisor(user_id: int | None) -> int | None:
    if user_id is None:
        return None
    if db.session.scalar(staff_users().where(User.id == user_id)) is None:
        raise TeamRefused("The supervisor must be an active staff member.")
    return user_id
