"""The learners x courses matrix for trainers: a page of agents (keyset-paged by name) against
the courses of a path, or the courses the page's learners are registered to; each cell a
registration's status, score, time, attempts, last activity and due date. Its CSV is the same
learners, every page, one row per registration. A page costs the same statements whatever the
number of learners and courses: the filters' choices (one), the path's courses (one, with a
path), the page of learners (one) and their registrations (one).

A cell drills down to the registration (courses/resets.py)."""

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, and_, literal, or_, select, union_all
from sqlalchemy.orm import lazyload

from courses.models import Course
from courses.path_models import LearningPath, PathEnrolment, PathStep
from courses.sco_status import COMPLETED, FAILED, INCOMPLETE, NOT_ATTEMPTED, PASSED
from courses.tracking_models import Registration
from portal import listing
from portal.auth.models import AGENT, User, UserRole
from portal.extensions import db
from portal.recruiting.models import Application, Opening
from portal.recruiting.stages import HIRED
from portal.teams.models import Team, TeamMember

PAGE_SIZE = 50
MAX_COLUMNS = 12
STATUSES = {"not_started": "Not started", "in_progress": "In progress",
            "completed": "Completed", "passed": "Passed", "failed": "Failed"}
DUE_WINDOWS = {"overdue": "Overdue", "7": "Due in the next 7 days",
               "30": "Due in the next 30 days"}
CSV_HEADER = ("Learner", "Email", "Course", "Status", "Score (%)", "Time (minutes)",
              "Attempts", "Last activity (UTC)", "Due (UTC)", "Overdue")


def status_of(completion: str, success: str, attempt_count: int) -> str:
    """The cell's one word: success first (a failed course may be completed), then completion;
    launched (an attempt begun) without a commit yet is in progress."""
    if success in (PASSED, FAILED):
        return success
    if completion == COMPLETED:
        return "completed"
    return "in_progress" if completion == INCOMPLETE or attempt_count else "not_started"


def _status_condition(status: str):
    """`status_of` as SQL, on Registration."""
    r, unknown = Registration, Registration.success.not_in((PASSED, FAILED))
    return {"passed": r.success == PASSED, "failed": r.success == FAILED,
            "completed": and_(unknown, r.completion == COMPLETED),
            "in_progress": and_(unknown, r.completion != COMPLETED, or_(
                r.completion == INCOMPLETE, r.attempt_count > 0)),
            "not_started": and_(unknown, r.completion == NOT_ATTEMPTED, r.attempt_count == 0),
            }[status]


def _due_condition(window: str, now: datetime):
    open_ = Registration.completion != COMPLETED
    if window == "overdue":
        return and_(open_, Registration.due_at < now)
    return and_(open_, Registration.due_at >= now,
                Registration.due_at < now + timedelta(days=int(window)))


# --- filters -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    team_id: int | None = None
    path_id: int | None = None
    opening_id: int | None = None
    status: str = ""
    due: str = ""

    @classmethod
    def parse(cls, args: Mapping, choices: dict) -> "Filters":
        """The filters of a query string; a value that is not among the choices is dropped."""
        def chosen(name):
            value = args.get(name, "")
            known = value.isascii() and value.isdigit() and int(value) in choices[name]
            return int(value) if known else None
        return cls(chosen("team"), chosen("path"), chosen("opening"),
                   args.get("status", "") if args.get("status") in STATUSES else "",
                   args.get("due", "") if args.get("due") in DUE_WINDOWS else "")

    def args(self) -> dict:
        """For url_for: the filters set, by their query names."""
        found = {"team": self.team_id, "path": self.path_id, "opening": self.opening_id,
                 "status": self.status, "due": self.due}
        return {name: value for name, value in found.items() if value}


def choices() -> dict[str, dict[int, str]]:
    """The teams, active paths and openings with hires, by id, in one statement."""
    hired = select(Application.id).where(Application.opening_id == Opening.id,
                                         Application.stage == HIRED).exists()
    rows = db.session.execute(union_all(
        select(literal("team", String).label("kind"), Team.id, Team.name.label("label")),
        select(literal("path", String), LearningPath.id, LearningPath.title)
        .where(LearningPath.archived_at.is_(None)),
        select(literal("opening", String), Opening.id, Opening.title).where(hired),
    ).order_by("kind", "label", "id"))
    found: dict[str, dict[int, str]] = {"team": {}, "path": {}, "opening": {}}
    for kind, row_id, label in rows:
        found[kind][row_id] = label
    return found


# --- the page ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    id: int
    title: str


@dataclass(frozen=True)
class Cell:
    registration_id: int
    status: str
    score: float | None
    seconds: float
    attempts: int
    last_activity_at: datetime | None
    due_at: datetime | None
    completed: bool          # a due date no longer applies
    overdue: bool

    @property
    def label(self) -> str:
        return STATUSES[self.status]


@dataclass
class Matrix:
    page: listing.Page       # its items are the learners (User)
    columns: list[Column]
    rows: list[tuple]        # (learner, [Cell or None, one per column])
    chosen_by: str           # how the columns were chosen, in words
    not_shown: int           # courses of these learners beyond MAX_COLUMNS


def learners(filters: Filters, now: datetime):
    """Agents with an active registration (in the path's courses, with a path) that matches the
    status and due filters, in the team, path and opening chosen."""
    r = Registration
    active = (select(r.id).join(Course, Course.id == r.course_id)
              .where(r.learner_id == User.id, r.unenrolled_at.is_(None),
                     Course.archived_at.is_(None)))
    stmt = select(User).where(User.erased_at.is_(None), select(UserRole.user_id).where(
        UserRole.user_id == User.id, UserRole.role == AGENT).exists())
    if filters.path_id:
        active = active.where(r.course_id.in_(
            select(PathStep.course_id).where(PathStep.path_id == filters.path_id)))
        stmt = stmt.where(select(PathEnrolment.id).where(
            PathEnrolment.learner_id == User.id, PathEnrolment.path_id == filters.path_id,
            PathEnrolment.unenrolled_at.is_(None)).exists())
    if filters.status:
        active = active.where(_status_condition(filters.status))
    if filters.due:
        active = active.where(_due_condition(filters.due, now))
    if filters.team_id:
        stmt = stmt.where(select(TeamMember.user_id).where(
            TeamMember.user_id == User.id, TeamMember.team_id == filters.team_id).exists())
    if filters.opening_id:
        stmt = stmt.where(select(Application.id).where(
            Application.candidate_id == User.id, Application.opening_id == filters.opening_id,
            Application.stage == HIRED).exists())
    # The learners' roles are not shown: not loaded (the page's statements stay fixed).
    return stmt.where(active.exists()).options(lazyload(User.role_rows))


def path_columns(path_id: int) -> list[Column]:
    return [Column(*row) for row in db.session.execute(
        select(Course.id, Course.title).join(PathStep, PathStep.course_id == Course.id)
        .where(PathStep.path_id == path_id, Course.archived_at.is_(None))
        .order_by(PathStep.position, Course.id))]


def _cells(learner_ids: list[int], course_ids: list[int] | None, now: datetime) -> list:
    """(learner id, course id, course title, Cell) of the learners' active registrations, in
    the given courses (None: in any active course)."""
    if not learner_ids or course_ids == []:
        return []
    r = Registration
    stmt = (select(r.id, r.learner_id, r.course_id, Course.title, r.completion, r.success,
                   r.score, r.total_seconds, r.attempt_count, r.last_activity_at, r.due_at)
            .join(Course, Course.id == r.course_id)
            .where(r.learner_id.in_(learner_ids), r.unenrolled_at.is_(None),
                   Course.archived_at.is_(None)).order_by(Course.title, r.course_id))
    if course_ids is not None:
        stmt = stmt.where(r.course_id.in_(course_ids))
    return [(row.learner_id, row.course_id, row.title, Cell(
        row.id, status_of(row.completion, row.success, row.attempt_count), row.score,
        row.total_seconds or 0, row.attempt_count, row.last_activity_at, row.due_at,
        row.completion == COMPLETED,
        bool(row.due_at and row.due_at < now and row.completion != COMPLETED)))
        for row in db.session.execute(stmt)]


def matrix(filters: Filters, now: datetime, *, path_title: str = "", after: str | None = None,
           before: str | None = None, page_size: int = PAGE_SIZE) -> Matrix:
    """One page of the matrix (listing.BadCursor for a spoilt page link)."""
    columns = path_columns(filters.path_id) if filters.path_id else None
    page = listing.paginate(learners(filters, now), User.full_name, User.id, descending=False,
                            after=after, before=before, page_size=page_size)
    found = _cells([learner.id for learner in page.items],
                   None if columns is None else [c.id for c in columns], now)
    not_shown = 0
    if columns is not None:
        chosen_by = (f"The {len(columns)} active course{'s' if len(columns) != 1 else ''} of "
                     f"the path {path_title}, in the path's order.")
    else:
        counts = Counter((course_id, title) for _, course_id, title, _ in found)
        common = sorted(counts, key=lambda key: (-counts[key], key[1], key[0]))
        columns = sorted((Column(*key) for key in common[:MAX_COLUMNS]),
                         key=lambda c: (c.title, c.id))
        not_shown = max(0, len(common) - MAX_COLUMNS)
        chosen_by = ("The active courses the learners on this page are registered to"
                     + (f": the {MAX_COLUMNS} most common of {len(common)}" if not_shown
                        else "") + ", by title. Choose a path to see its courses in order.")
    cells = {(learner_id, course_id): cell for learner_id, course_id, _, cell in found}
    rows = [(learner, [cells.get((learner.id, c.id)) for c in columns])
            for learner in page.items]
    return Matrix(page, columns, rows, chosen_by, not_shown)


def export_rows(filters: Filters, now: datetime, batch: int = 500) -> Iterator[list[list]]:
    """The CSV's rows, a batch of learners at a time (every page of the filtered matrix): one
    row per registration shown, the path's courses only when a path is chosen."""
    columns = path_columns(filters.path_id) if filters.path_id else None
    order = {c.id: n for n, c in enumerate(columns or [])}
    after = None
    while True:
        page = listing.paginate(learners(filters, now), User.full_name, User.id,
                                descending=False, after=after, before=None, page_size=batch)
        by_learner: dict[int, list] = {}
        for learner_id, course_id, title, cell in _cells(
                [learner.id for learner in page.items],
                None if columns is None else list(order), now):
            by_learner.setdefault(learner_id, []).append((order.get(course_id, 0), title, cell))
        yield [[learner.full_name, learner.email, title, cell.label,
                None if cell.score is None else round(cell.score * 100, 1),
                round(cell.seconds / 60, 1), cell.attempts, _stamp(cell.last_activity_at),
                _stamp(cell.due_at), "yes" if cell.overdue else ""]
               for learner in page.items
               for _, title, cell in sorted(by_learner.get(learner.id, []),
                                            key=lambda item: item[:2])]
        if page.next_cursor is None:
            return
        after = page.next_cursor


def _stamp(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else None
