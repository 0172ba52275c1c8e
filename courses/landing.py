"""The agent's landing page, gathered in a fixed number of queries whatever the number of
courses, announcements and links: the registrations with their courses (one), which of them
wait for an earlier course of a path (one), certificates (one), announcements with read marks
(one), tool links (one)."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from courses import announcements, certificates, paths, tool_links
from courses.certificate_models import Certificate
from courses.landing_models import ToolLink
from courses.sco_status import COMPLETED
from courses.tracking_models import Registration
from portal.extensions import db


@dataclass(frozen=True)
class Landing:
    assignments: list[Registration]  # not completed: by due date (overdue first), then open
    completed: list[Registration]    # the most recently opened first
    locks: dict[int, str]            # course id -> why it does not open yet
    certificates: list[Certificate]
    announcements: list[announcements.Shown]
    more_announcements: bool
    tools: list[ToolLink]


def landing_for(user_id: int) -> Landing:
    registrations = sorted(db.session.scalars(
        select(Registration).join(Registration.course)
        .options(contains_eager(Registration.course))
        .where(Registration.learner_id == user_id, Registration.unenrolled_at.is_(None))),
        key=lambda row: (row.last_activity_at is not None, row.last_activity_at, row.id),
        reverse=True)
    locks = paths.locks_for(user_id)
    shown, more = announcements.for_agent(user_id)
    return Landing(
        assignments=sorted((row for row in registrations if row.completion != COMPLETED),
                           key=lambda row: _urgency(row, locks)),
        completed=[row for row in registrations if row.completion == COMPLETED],
        locks=locks, certificates=certificates.valid_for(user_id),
        announcements=shown, more_announcements=more, tools=tool_links.for_agent(user_id))


def _urgency(row: Registration, locks: dict[int, str]) -> tuple:
    """What to do first: courses that open before those that wait, the soonest due (overdue
    ones are the soonest), then those with no due date; Python's sort keeps the order of
    equals, the most recently opened first."""
    return (row.course_id in locks, row.due_at is None, row.due_at or 0)
