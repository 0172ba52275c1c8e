"""The agent's landing page, gathered in a fixed number of queries whatever the number of
courses, announcements and links: the registrations with their courses (one), announcements
with read marks (one), tool links (one)."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from courses import announcements, tool_links
from courses.landing_models import ToolLink
from courses.sco_status import COMPLETED
from courses.tracking_models import Registration
from portal.extensions import db


@dataclass(frozen=True)
class Landing:
    assignments: list[Registration]  # not completed: the most recently opened first
    completed: list[Registration]    # the most recently opened first
    announcements: list[announcements.Shown]
    more_announcements: bool
    tools: list[ToolLink]


def landing_for(user_id: int) -> Landing:
    # Learning paths (the next slice) give each assignment a due date: they will order the
    # assignments by it, overdue first, and the page will show it beside the status.
    registrations = sorted(db.session.scalars(
        select(Registration).join(Registration.course)
        .options(contains_eager(Registration.course))
        .where(Registration.learner_id == user_id)),
        key=lambda row: (row.last_activity_at is not None, row.last_activity_at, row.id),
        reverse=True)
    shown, more = announcements.for_agent(user_id)
    return Landing(
        assignments=[row for row in registrations if row.completion != COMPLETED],
        completed=[row for row in registrations if row.completion == COMPLETED],
        announcements=shown, more_announcements=more, tools=tool_links.for_agent(user_id))
