"""Tool links: the applications agents sign in to, in the order trainers put them; each for
everyone or for one team. Changes are audited; the caller commits."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from courses.formatting import is_web_url
from courses.landing_models import ToolLink
from portal import audit
from portal.extensions import db
from portal.teams.models import Team
from portal.teams.services import team_id_of


class ToolLinkRefused(ValueError):
    pass


def for_agent(user_id: int) -> list[ToolLink]:
    """The links for everyone and for the user's team, in order; one query."""
    return list(db.session.scalars(
        select(ToolLink).where(or_(ToolLink.team_id.is_(None),
                                   ToolLink.team_id == team_id_of(user_id)))
        .order_by(ToolLink.position, ToolLink.id)))


def all_links() -> list[ToolLink]:
    return list(db.session.scalars(select(ToolLink).options(selectinload(ToolLink.team))
                                   .order_by(ToolLink.position, ToolLink.id)))


def save(link: ToolLink | None, title: str, url: str, description: str, team_id: int | None,
         actor) -> ToolLink:
    """A new link (at the end of the list) when `link` is None, else the link changed."""
    url = url.strip()
    if not is_web_url(url):
        raise ToolLinkRefused("The address must start with http:// or https:// and name a "
                              "host, e.g. https://crm.example.com.")
    if team_id is not None and db.session.get(Team, team_id) is None:
        raise ToolLinkRefused("Choose the team from the list.")
    if link is None:
        last = db.session.scalar(select(func.max(ToolLink.position)))
        link = ToolLink(position=(last or 0) + 1)
        db.session.add(link)
        action = "tool_link.created"
    else:
        action = "tool_link.updated"
    link.title, link.url, link.description, link.team_id = title, url, description, team_id
    audit.record(action, link, actor, team_id=team_id)
    return link


def move(link: ToolLink, step: int, actor) -> None:
    """One place up (step -1) or down (+1): it swaps places with its neighbour."""
    links = all_links()
    index = next(i for i, other in enumerate(links) if other.id == link.id)
    other = index + step
    if not 0 <= other < len(links):
        return
    links[index], links[other] = links[other], links[index]
    for position, each in enumerate(links, 1):
        each.position = position
    audit.record("tool_link.moved", link, actor, position=other + 1)


def delete(link: ToolLink, actor) -> None:
    audit.record("tool_link.deleted", link, actor, team_id=link.team_id)
    db.session.delete(link)
