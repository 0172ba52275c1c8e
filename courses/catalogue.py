"""What the trainers' pages list: courses with their current version, a course's versions."""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from courses.models import Course, CourseVersion
from courses.tracking_models import Attempt, Registration
from portal.extensions import db


def current_versions() -> list[tuple[Course, CourseVersion]]:
    """Every course not archived with its newest version (whose number is the count of
    versions), by title; two queries whatever the number of courses."""
    newest = (select(CourseVersion.course_id, func.max(CourseVersion.number).label("number"))
              .group_by(CourseVersion.course_id).subquery())
    return [(course, version) for course, version in db.session.execute(
        select(Course, CourseVersion)
        .join(newest, newest.c.course_id == Course.id)
        .join(CourseVersion, (CourseVersion.course_id == Course.id)
              & (CourseVersion.number == newest.c.number))
        .where(Course.archived_at.is_(None))
        .options(selectinload(CourseVersion.imported_by))
        .order_by(Course.title, Course.id))]


def versions_of(course: Course) -> list[CourseVersion]:
    """Newest first."""
    return list(db.session.scalars(
        select(CourseVersion).where(CourseVersion.course_id == course.id)
        .options(selectinload(CourseVersion.imported_by))
        .order_by(CourseVersion.number.desc())))


def learners_of(course: Course) -> list[tuple]:
    """Each registration with its last attempt (None before the first) and that attempt's
    version number: which version each learner is on. Two queries."""
    rows = list(db.session.scalars(
        select(Registration).where(Registration.course_id == course.id)
        .options(selectinload(Registration.learner)).order_by(Registration.id)))
    last = {}
    for attempt, number in db.session.execute(
            select(Attempt, CourseVersion.number).join(CourseVersion)
            .where(Attempt.registration_id.in_([r.id for r in rows]))
            .order_by(Attempt.number)):
        last[attempt.registration_id] = (attempt, number)
    return [(row, *last.get(row.id, (None, None))) for row in rows]
