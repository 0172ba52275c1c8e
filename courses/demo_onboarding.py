"""Demo onboarding: the path every demo hire is enrolled in (our QM course first, then the
shared Golf courses when they are there), named by the open openings; and learners who have
taken the QM course, as a real learner's browser would have reported it, through the same
run-time commits (so the matrix, the questions report, the outbox and certificates all have
something to show)."""

import re

from sqlalchemy import select

from courses import catalogue, enrolment, paths, registrations, sco_sessions
from courses.builtin.package import QM_COURSE_KEY, QM_SOURCE
from courses.models import Course
from courses.tracking_models import Registration
from portal.extensions import db

QUIZ_ITEM = "qm_quiz"
QUESTION = re.compile(r'data-question="([^"]+)" data-type="([^"]+)" data-correct="([^"]+)"')


def onboard(trainer, openings, rng) -> str:
    qm = db.session.scalar(select(Course).where(Course.key == QM_COURSE_KEY))
    catalogue.save_details(qm, trainer, category="Quality", estimated_minutes=30,
                           certifies=True)
    golf = sorted(db.session.scalars(select(Course).where(Course.key != QM_COURSE_KEY,
                                                          Course.archived_at.is_(None))),
                  key=lambda course: ("Basic" not in course.title, course.title))
    for course in golf:
        catalogue.save_details(course, trainer, category="Product knowledge",
                               estimated_minutes=20)
    path = paths.save(None, title="New agent onboarding", description=(
        "Your first two weeks: how your calls are evaluated, then the product courses."),
        due_days=14, actor=trainer, steps=[paths.StepPlan(qm.id)] + [
            paths.StepPlan(course.id, "completed") for course in golf])
    paths.set_openings(path, [opening.id for opening in openings], trainer)
    enrolled = sum(len(enrolment.enrol_opening(path, opening.id, trainer).enrolled)
                   for opening in openings)
    taken = _take_qm_course(qm, rng)
    db.session.commit()
    return (f"onboarding path with {len(path.steps)} courses, {enrolled} hires enrolled, "
            f"{taken} of them into the QM course")


def _take_qm_course(qm: Course, rng) -> int:
    """About two thirds of the enrolled start the course; of those, most finish it (a few
    fail the quiz), the others stop part-way."""
    questions = QUESTION.findall((QM_SOURCE / "05-quiz.html").read_text(encoding="utf-8"))
    rows = list(db.session.scalars(select(Registration).where(Registration.course_id == qm.id)
                                   .order_by(Registration.id)))
    taken = [row for row in rows if rng.random() < 0.66]
    for registration in taken:
        _take(registration, rng, questions, finish=rng.random() < 0.7)
    return len(taken)


def _take(registration: Registration, rng, questions, finish: bool) -> None:
    attempt = registrations.open_for_learner(registration).attempt
    items = [item["identifier"] for item in sco_sessions.facts(attempt.version).items
             if item.get("launch") and item.get("is_sco")]
    for identifier in items if finish else items[:rng.randint(1, len(items) - 1)]:
        launched = sco_sessions.launch(attempt, identifier, registration.learner)
        changes = [["cmi.session_time", f"PT{rng.randint(3, 9)}M{rng.randint(0, 59)}S"]]
        if identifier == QUIZ_ITEM:
            changes += _answers(questions, rng)
        else:
            changes += [["cmi.progress_measure", "1"], ["cmi.completion_status", "completed"]]
        changes.append(["cmi.exit", "normal"])
        done = sco_sessions.commit(attempt, identifier, launched.seq + 1, changes, True)
        if done.outcome_changed:
            registrations.roll_up(attempt)


def _answers(questions, rng) -> list[list[str]]:
    """Each question answered (right 85 % of the time), then the score against 0.8."""
    changes, right = [], 0
    for n, (question_id, kind, correct) in enumerate(questions):
        wrong = ["a", "b", "c", "d"] if kind == "choice" else ["true", "false"]
        answer = correct if rng.random() < 0.85 else rng.choice(
            [value for value in wrong if value != correct])
        right += answer == correct
        prefix = f"cmi.interactions.{n}."
        changes += [[prefix + "id", question_id], [prefix + "type", kind],
                    [prefix + "correct_responses.0.pattern", correct],
                    [prefix + "learner_response", answer],
                    [prefix + "result", "correct" if answer == correct else "incorrect"]]
    scaled = right / len(questions)
    return changes + [["cmi.score.raw", str(right)], ["cmi.score.min", "0"],
                      ["cmi.score.max", str(len(questions))], ["cmi.score.scaled", str(scaled)],
                      ["cmi.success_status", "passed" if scaled >= 0.8 else "failed"],
                      ["cmi.completion_status", "completed"]]
