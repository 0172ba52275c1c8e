"""Learning paths as trainers build them, and which courses of a path a learner may open yet:
a step waits for the course before it to be completed (or passed) when the path says so."""

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from courses import sco_status
from courses.models import Course
from courses.path_models import OPENS_AFTER, LearningPath, OpeningPath, PathEnrolment, PathStep
from courses.tracking_models import Registration
from portal import audit, listing
from portal.extensions import db, utcnow


class PathRefused(ValueError):
    pass


@dataclass(frozen=True)
class StepPlan:
    course_id: int
    opens_after: str = ""


def save(path: LearningPath | None, *, title: str, description: str, due_days: int | None,
         steps: list[StepPlan], actor) -> LearningPath:
    """Create or change a path: its text, due days and its steps in order (replaced whole)."""
    if not (title or "").strip():
        raise PathRefused("Give the path a title.")
    if due_days is not None and not 1 <= due_days <= 365:
        raise PathRefused("Due days are between 1 and 365, or empty for no due date.")
    course_ids = [step.course_id for step in steps]
    if len(set(course_ids)) != len(course_ids):
        raise PathRefused("A course appears twice in the path; keep it once.")
    if any(step.opens_after not in OPENS_AFTER for step in steps):
        raise PathRefused("Choose when each course opens from the list.")
    known = set(db.session.scalars(select(Course.id).where(Course.id.in_(course_ids),
                                                           Course.archived_at.is_(None))))
    if known != set(course_ids):
        raise PathRefused("One of the courses no longer exists or is archived.")
    created = path is None
    if created:
        path = LearningPath(created_by_id=actor.id if actor else None)
        db.session.add(path)
    path.title, path.description = title.strip(), (description or "").strip()
    path.due_days = due_days
    path.steps = [PathStep(course_id=step.course_id, position=number,
                           opens_after=step.opens_after if number else "")
                  for number, step in enumerate(steps)]
    db.session.flush()
    audit.record("path.created" if created else "path.changed", path, actor,
                 courses=course_ids, due_days=due_days)
    return path


def archive(path: LearningPath, actor) -> None:
    path.archived_at = utcnow()
    audit.record("path.archived", path, actor)


def active_paths() -> list[LearningPath]:
    return list(db.session.scalars(select(LearningPath).where(LearningPath.archived_at.is_(None))
                                   .order_by(LearningPath.title)))


def set_openings(path: LearningPath, opening_ids: list[int], actor) -> None:
    """The openings whose hires join this path (an opening names one path: naming it here
    takes it from another path)."""
    current = {row.opening_id: row for row in db.session.scalars(select(OpeningPath).where(
        (OpeningPath.path_id == path.id) | OpeningPath.opening_id.in_(opening_ids)))}
    for opening_id, row in current.items():
        if opening_id not in opening_ids and row.path_id == path.id:
            db.session.delete(row)
    for opening_id in opening_ids:
        row = current.get(opening_id)
        if row is None:
            db.session.add(OpeningPath(opening_id=opening_id, path_id=path.id))
        else:
            row.path_id = path.id
    audit.record("path.openings_set", path, actor, openings=sorted(opening_ids))


def openings_of(path: LearningPath) -> list[int]:
    return list(db.session.scalars(select(OpeningPath.opening_id)
                                   .where(OpeningPath.path_id == path.id)))


def path_of_opening(opening_id: int) -> LearningPath | None:
    return db.session.scalar(select(LearningPath).join(OpeningPath).where(
        OpeningPath.opening_id == opening_id, LearningPath.archived_at.is_(None)))


# --- what a learner may open ---------------------------------------------------------------

def locks_for(learner_id: int) -> dict[int, str]:
    """Course id -> why it is not open yet, over the learner's active enrolments (one query).
    A course open in any of the learner's paths is open."""
    rows = db.session.execute(
        select(PathStep.path_id, PathStep.position, PathStep.course_id, PathStep.opens_after,
               Course.title, Registration.completion, Registration.success)
        .join(PathEnrolment, PathEnrolment.path_id == PathStep.path_id)
        .join(Course, Course.id == PathStep.course_id)
        .outerjoin(Registration, (Registration.course_id == PathStep.course_id)
                   & (Registration.learner_id == learner_id))
        .where(PathEnrolment.learner_id == learner_id, PathEnrolment.unenrolled_at.is_(None))
        .order_by(PathStep.path_id, PathStep.position)).all()
    locked: dict[int, str] = {}
    opened: set[int] = set()
    previous = None
    for row in rows:
        if previous is not None and previous.path_id == row.path_id and row.opens_after and \
                not _done(previous, row.opens_after):
            word = "passed" if row.opens_after == "passed" else "completed"
            locked.setdefault(row.course_id, f"Opens when “{previous.title}” is {word}.")
        else:
            opened.add(row.course_id)
        previous = row
    return {course_id: why for course_id, why in locked.items() if course_id not in opened}


def _done(row, rule: str) -> bool:
    if rule == "passed":
        return row.success == sco_status.PASSED
    return row.completion == sco_status.COMPLETED


# --- what the trainers' pages list -----------------------------------------------------------

def with_counts() -> list[tuple[LearningPath, int, int]]:
    """Every active path with its number of steps and of learners enrolled now; one query."""
    steps = (select(PathStep.path_id, func.count().label("steps"))
             .group_by(PathStep.path_id).subquery())
    enrolled = (select(PathEnrolment.path_id, func.count().label("learners"))
                .where(PathEnrolment.unenrolled_at.is_(None))
                .group_by(PathEnrolment.path_id).subquery())
    return [tuple(row) for row in db.session.execute(
        select(LearningPath, func.coalesce(steps.c.steps, 0),
               func.coalesce(enrolled.c.learners, 0))
        .outerjoin(steps, steps.c.path_id == LearningPath.id)
        .outerjoin(enrolled, enrolled.c.path_id == LearningPath.id)
        .where(LearningPath.archived_at.is_(None)).order_by(LearningPath.title))]


def enrolments_page(path: LearningPath, after: str | None, before: str | None,
                    page_size: int) -> listing.Page:
    """The path's enrolments, current and past, newest first."""
    stmt = (select(PathEnrolment).where(PathEnrolment.path_id == path.id)
            .options(selectinload(PathEnrolment.learner)))
    return listing.paginate(stmt, PathEnrolment.enrolled_at, PathEnrolment.id,
                            descending=True, after=after, before=before, page_size=page_size)


def funnel(path: LearningPath) -> list[tuple[str, int]]:
    """How far the path's current learners got: enrolled, started, each course completed in
    order, the path completed. Three queries whatever the number of learners."""
    enrolled, finished = db.session.execute(
        select(func.count(), func.count(PathEnrolment.completed_at))
        .where(PathEnrolment.path_id == path.id, PathEnrolment.unenrolled_at.is_(None))).one()
    current = ((PathEnrolment.learner_id == Registration.learner_id)
               & (PathEnrolment.path_id == path.id) & PathEnrolment.unenrolled_at.is_(None))
    completed = func.sum(case((Registration.completion == sco_status.COMPLETED, 1), else_=0))
    in_path = Registration.course_id.in_([step.course_id for step in path.steps])
    per_course = dict(db.session.execute(
        select(Registration.course_id, completed).join(PathEnrolment, current).where(in_path)
        .group_by(Registration.course_id)).all())
    started = db.session.scalar(
        select(func.count(func.distinct(Registration.learner_id))).join(PathEnrolment, current)
        .where(in_path, Registration.attempt_count > 0))
    stages = [("Enrolled", enrolled), ("Started", started)]
    stages += [(f"Completed {step.course.title}", int(per_course.get(step.course_id) or 0))
               for step in path.steps]
    return stages + [("Completed the path", finished)]


ENROLMENT_COLUMNS = ("Learner", "Email", "Enrolled (UTC)", "How", "Due (UTC)", "Completed (UTC)",
                     "Unenrolled (UTC)")


def enrolment_rows(path: LearningPath, sources: dict[str, str]) -> list[list]:
    """The path's enrolments as the CSV lists them, oldest first; one query."""
    def stamp(moment):
        return moment.strftime("%Y-%m-%d %H:%M") if moment else ""
    return [[row.learner.full_name, row.learner.email, stamp(row.enrolled_at),
             sources.get(row.source, row.source), stamp(row.due_at), stamp(row.completed_at),
             stamp(row.unenrolled_at)]
            for row in db.session.scalars(select(PathEnrolment).where(
                PathEnrolment.path_id == path.id).options(selectinload(PathEnrolment.learner))
                .order_by(PathEnrolment.enrolled_at, PathEnrolment.id))]
