"""A course's reports for trainers: how learners answered each question, the learners table as
rows for a download, and completions per week. Each is a fixed number of queries (GROUP BY in
SQL), whatever the number of learners or questions.

Which answers count: each registration's latest attempt (the highest number), and in it the
last answer the learner gave to each question (the highest interaction index with that id in
that SCO: SCORM 1.2 content often journals each try as a new interaction). So every learner
counts once per question, with what they know now. A question is a SCO's interaction id
(ids are unique within a SCO only), grouped across the course's versions.

Results, as ScoInteraction keeps them (cmi.interactions.n.result, as sent): "correct" in both
versions; "wrong" (1.2) or "incorrect" (2004); "unanticipated" (neither expected nor right);
"neutral" or a number (a survey, a scored answer), which say nothing of right or wrong. The
correct rate is correct over judged (correct, wrong, incorrect or unanticipated answers).
The learner's answer is learner_response (2004) or student_response (1.2), one column.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, or_, select

from courses.models import Course, CourseVersion
from courses.tracking_models import Attempt, Registration, ScoInteraction
from portal.auth.models import User
from portal.extensions import db, utcnow

CORRECT = "correct"
WRONG = ("wrong", "incorrect", "unanticipated")
TOP_WRONG = 3
WEEKS = 12


@dataclass(frozen=True)
class Question:
    item: str                 # the SCO's identifier
    lesson: str               # its title in the newest version that has it
    interaction_id: str
    type: str | None
    description: str | None
    answered: int             # learners with an answer in their latest attempt
    judged: int               # of those, answers marked right or wrong
    correct: int
    wrong_answers: tuple[tuple[str, int], ...]  # the most common, most first

    @property
    def correct_rate(self) -> float | None:
        return self.correct / self.judged if self.judged else None


def _latest_attempt_ids(course_id: int):
    """The id of each registration's latest attempt, as a subquery."""
    last = (select(Attempt.registration_id, func.max(Attempt.number).label("number"))
            .join(Registration, Registration.id == Attempt.registration_id)
            .where(Registration.course_id == course_id)
            .group_by(Attempt.registration_id).subquery())
    return select(Attempt.id).join(last, (last.c.registration_id == Attempt.registration_id)
                                   & (last.c.number == Attempt.number))


def _answers(course_id: int):
    """One row per (latest attempt, SCO, question): the last answer given."""
    given = or_(ScoInteraction.learner_response.is_not(None), ScoInteraction.result.is_not(None))
    last = (select(ScoInteraction.attempt_id, ScoInteraction.item,
                   func.max(ScoInteraction.index).label("index"))
            .where(ScoInteraction.attempt_id.in_(_latest_attempt_ids(course_id)), given)
            .group_by(ScoInteraction.attempt_id, ScoInteraction.item,
                      ScoInteraction.interaction_id).subquery())
    return (select(ScoInteraction.item, ScoInteraction.interaction_id, ScoInteraction.type,
                   ScoInteraction.description, ScoInteraction.learner_response,
                   ScoInteraction.result, ScoInteraction.index)
            .join(last, (last.c.attempt_id == ScoInteraction.attempt_id)
                  & (last.c.item == ScoInteraction.item)
                  & (last.c.index == ScoInteraction.index)).subquery())


def interactions(course: Course) -> list[Question]:
    """Every question learners answered, in the course's order (the newest version's lessons,
    then where each question first appears in its lesson). Three queries."""
    answers = _answers(course.id)
    key = (answers.c.item, answers.c.interaction_id)
    is_correct = case((answers.c.result == CORRECT, 1), else_=0)
    is_judged = case((answers.c.result.in_((CORRECT, *WRONG)), 1), else_=0)
    totals = db.session.execute(
        select(*key, func.max(answers.c.type), func.max(answers.c.description),
               func.count(), func.sum(is_judged), func.sum(is_correct),
               func.min(answers.c.index))
        .group_by(*key)).all()
    if not totals:
        return []
    count = func.count().label("count")
    ranked = (select(*key, answers.c.learner_response, count,
                     func.row_number().over(partition_by=key, order_by=(
                         func.count().desc(), answers.c.learner_response)).label("rank"))
              .where(answers.c.result.in_(WRONG), answers.c.learner_response.is_not(None),
                     answers.c.learner_response != "")
              .group_by(*key, answers.c.learner_response).subquery())
    wrong: dict[tuple, list] = {}
    for item, interaction_id, response, times in db.session.execute(
            select(ranked.c.item, ranked.c.interaction_id, ranked.c.learner_response,
                   ranked.c.count).where(ranked.c.rank <= TOP_WRONG)
            .order_by(ranked.c.item, ranked.c.interaction_id, ranked.c.rank)):
        wrong.setdefault((item, interaction_id), []).append((response, times))
    lessons, order = _lessons(course.id)
    found = sorted(totals, key=lambda row: (order.get(row[0], len(order)), row[0], row[7],
                                            row[1]))
    return [Question(item, lessons.get(item, item), interaction_id, type_, description,
                     answered, judged or 0, correct or 0,
                     tuple(wrong.get((item, interaction_id), ())))
            for item, interaction_id, type_, description, answered, judged, correct, _ in found]


def _lessons(course_id: int) -> tuple[dict[str, str], dict[str, int]]:
    """Each launchable item's title (the newest version's that has it) and its place in the
    newest version. One query."""
    titles: dict[str, str] = {}
    order: dict[str, int] = {}
    for (items,) in db.session.execute(select(CourseVersion.launch_items)
                                       .where(CourseVersion.course_id == course_id)
                                       .order_by(CourseVersion.number)):
        order = {}
        for item in items or []:
            titles[item["identifier"]] = item.get("title") or item["identifier"]
            order.setdefault(item["identifier"], len(order))
    return titles, order


LEARNER_COLUMNS = ("Learner", "Email", "On version", "Status", "Success", "Score (%)",
                   "Time (minutes)", "Attempts", "Last activity (UTC)")


def learner_rows(course: Course) -> list[tuple]:
    """The course page's learners table as plain values (LEARNER_COLUMNS), by registration:
    the version is the last attempt's, as on the page. One query."""
    last = (select(Attempt.registration_id, func.max(Attempt.number).label("number"))
            .join(Registration, Registration.id == Attempt.registration_id)
            .where(Registration.course_id == course.id)
            .group_by(Attempt.registration_id).subquery())
    rows = db.session.execute(
        select(User.full_name, User.email, CourseVersion.number, Registration.completion,
               Registration.success, Registration.score, Registration.total_seconds,
               Registration.attempt_count, Registration.last_activity_at)
        .select_from(Registration)
        .join(User, User.id == Registration.learner_id)
        .outerjoin(last, last.c.registration_id == Registration.id)
        .outerjoin(Attempt, (Attempt.registration_id == Registration.id)
                   & (Attempt.number == last.c.number))
        .outerjoin(CourseVersion, CourseVersion.id == Attempt.version_id)
        .where(Registration.course_id == course.id)
        .order_by(Registration.id))
    return [(name, email, version or "not started", completion.capitalize(),
             success if success in ("passed", "failed") else "",
             round(score * 100, 1) if score is not None else None,
             int(seconds // 60), attempts,
             last_activity.strftime("%Y-%m-%d %H:%M") if last_activity else None)
            for name, email, version, completion, success, score, seconds, attempts,
            last_activity in rows]


QUESTION_COLUMNS = ("Lesson", "Question", "Type", "Description", "Answered", "Judged",
                    "Correct", "Correct (%)",
                    *(f"{label} {n}" for n in range(1, TOP_WRONG + 1)
                      for label in ("Wrong answer", "Times")))


def question_rows(questions: list[Question]) -> list[tuple]:
    rows = []
    for q in questions:
        wrong = [cell for answer in q.wrong_answers for cell in answer]
        wrong += [None] * (2 * TOP_WRONG - len(wrong))
        rate = round(q.correct_rate * 100, 1) if q.correct_rate is not None else None
        rows.append((q.lesson, q.interaction_id, q.type, q.description, q.answered, q.judged,
                     q.correct, rate, *wrong))
    return rows


def week_starts(now: datetime, weeks: int = WEEKS) -> list[datetime]:
    """The Mondays (00:00 UTC) starting the last `weeks` weeks, this week's last."""
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0,
                                                            microsecond=0)
    return [monday - timedelta(weeks=weeks - 1 - n) for n in range(weeks)]


def completions_by_week(course: Course, now: datetime | None = None,
                        weeks: int = WEEKS) -> list[tuple[datetime, int]]:
    """Registrations completed in each of the last `weeks` weeks: [(Monday, count)], oldest
    first. One query.

    Dated by Registration.completed_at, the moment the registration first became completed
    (set once by registrations._record_changes; the migration that added it filled it with
    last_activity_at for registrations completed before). So a learner counts once, in the
    week of their first completion, whatever attempts came after; an attempt's
    last_activity_at would move on whenever the learner reopened the completed attempt."""
    starts = week_starts(now or utcnow(), weeks)
    at = Registration.completed_at
    # The week is a CASE over the Mondays (portable; no date functions), grouped outside so
    # that PostgreSQL sees one expression, not two with their own parameters.
    week = case(*[(at < start, n) for n, start in enumerate(starts[1:])], else_=weeks - 1)
    bucketed = (select(week.label("week"))
                .where(Registration.course_id == course.id, at >= starts[0],
                       at < starts[-1] + timedelta(weeks=1))
                .subquery())
    counts = dict(db.session.execute(select(bucketed.c.week, func.count())
                                     .group_by(bucketed.c.week)).all())
    return [(start, counts.get(n, 0)) for n, start in enumerate(starts)]
