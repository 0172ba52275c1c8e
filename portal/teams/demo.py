"""Demo teams: three teams under the demo staff, the demo agents dealt out among them."""

from sqlalchemy import select

from portal.auth.models import AGENT, User, UserRole
from portal.extensions import db
from portal.teams import services

TEAMS = ("Aurora", "Borealis", "Cascade")


def form_teams(supervisors: list[User], actor: User) -> str:
    """A team per name, supervised in turn by `supervisors`, every demo agent in one; what
    was done, in words (with an agent to sign in as)."""
    teams = [services.create(name, supervisors[n % len(supervisors)].id, actor)
             for n, name in enumerate(TEAMS)]
    db.session.flush()
    agents = list(db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == AGENT).order_by(User.id)))
    for n, team in enumerate(teams):
        services.add_agents(team, [agent.id for agent in agents[n::len(teams)]], actor)
    example = f", e.g. agent {agents[0].email} in {TEAMS[0]}" if agents else ""
    return f"{len(teams)} teams with {len(agents)} agents{example}"
