"""What the trainers' pages list: courses with their current version, a course's versions."""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from courses.models import Course, CourseVersion
from courses.tracking_models import Attempt, Registration
from portal import audit
from portal.extensions import db, utcnow

DETAILS = ("title", "description", "category", "estimated_minutes", "certifies")


def current_versions(archived: bool = False) -> list[tuple[Course, CourseVersion]]:
    """Every course (not archived, or archived) with its newest version (whose number is the
    count of versions), by title; two queries whatever the number of courses."""
    newest = (select(CourseVersion.course_id, func.max(CourseVersion.number).label("number"))
              .group_by(CourseVersion.course_id).subquery())
    return [(course, version) for course, version in db.session.execute(
        select(Course, CourseVersion)
        .join(newest, newest.c.course_id == Course.id)
        .join(CourseVersion, (CourseVersion.course_id == Course.id)
              & (CourseVersion.number == newest.c.number))
        .where(Course.archived_at.is_not(None) if archived else Course.archived_at.is_(None))
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


def save_details(course: Course, actor, **details) -> None:
    """The catalogue's fields (DETAILS); the audit keeps which changed."""
    changed = {name: value for name, value in details.items()
               if name in DETAILS and getattr(course, name) != value}
    for name, value in changed.items():
        setattr(course, name, value)
    if changed:
        audit.record("course.details_changed", course, actor, fields=sorted(changed))


def set_archived(course: Course, archived: bool, actor) -> None:
    """An archived course leaves the catalogue and the path editor; its registrations,
    attempts and certificates keep pointing at it, and learners keep their record."""
    course.archived_at = utcnow() if archived else None
    audit.record("course.archived" if archived else "course.restored", course, actor)
