"""Registrations (a learner on a course) and their attempts, with the policies Moodle offers:
the most attempts a learner may make, when launching starts a new attempt (never: the learner
continues the last one until it is completed and they choose a new one; when the last is
completed; always), a lock after the final attempt (it opens for review, not tracked), and how
attempts grade the registration (highest, average, first, or last completed attempt).

An attempt keeps the course version it began with; a new attempt uses the newest version, as
SCORM Cloud does. After every commit the attempt rolls up its SCOs, and the registration its
attempts."""

import re
import secrets
import statistics
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from courses import progress, sco_status
from courses.models import Course, CourseVersion
from courses.sco_sessions import facts
from courses.tracking_models import Attempt, Registration, ScoState
from portal import audit
from portal.auth.models import User
from portal.extensions import db, utcnow

NEW_ATTEMPT = {"never": "When the learner chooses, once the last one is completed",
               "completed": "Automatically, once the last one is completed",
               "always": "Every time the learner opens the course"}
ACTIVITY_EVERY = timedelta(minutes=1)
GRADING = {"highest": "Highest attempt", "average": "Average of the attempts",
           "first": "First attempt", "last_completed": "Last completed attempt"}


class RegistrationRefused(ValueError):
    pass


def newest_version(course: Course) -> CourseVersion | None:
    return db.session.scalar(select(CourseVersion).where(CourseVersion.course_id == course.id)
                             .order_by(CourseVersion.number.desc()).limit(1))


def register(course: Course, learner, **why) -> Registration:
    """The learner's registration to the course: the same one again if they have it (back on
    their page if they had been unenrolled), else a new one; `why` goes into the event."""
    found = db.session.scalar(select(Registration).where(
        Registration.course_id == course.id, Registration.learner_id == learner.id))
    if found is None:
        found = Registration(course_id=course.id, learner_id=learner.id)
        db.session.add(found)
        db.session.flush()
    elif found.unenrolled_at is None:
        return found
    found.unenrolled_at = None
    progress.of_registration(found, "enrolled", **why)
    return found


def register_emails(course: Course, text: str) -> tuple[list, list[tuple[str, str]]]:
    """Register every address of `text` that is an active user's: (the registrations, and
    each address skipped with why)."""
    registered, skipped = [], []
    for email in dict.fromkeys(e for e in re.split(r"[\s,;]+", text.lower()) if e):
        user = User.by_email(email)
        if user is None or not user.is_active:
            skipped.append((email, "no active account has this address"))
        else:
            registered.append(register(course, user))
    return registered, skipped


def set_policy(course: Course, max_attempts: int | None, new_attempt: str, grading: str,
               actor) -> None:
    if new_attempt not in NEW_ATTEMPT or grading not in GRADING:
        raise RegistrationRefused("Choose the attempt rules from the lists.")
    course.max_attempts, course.new_attempt, course.grading = max_attempts, new_attempt, grading
    audit.record("course.policy_changed", course, actor, max_attempts=max_attempts,
                 new_attempt=new_attempt, grading=grading)


def attempts_of(registration: Registration) -> list[Attempt]:
    """The attempts that count: a trainer's reset sets the earlier ones aside (`reset_at`),
    kept for the history but no longer graded, rolled up or counted by the policy."""
    return list(db.session.scalars(select(Attempt).where(
        Attempt.registration_id == registration.id, Attempt.reset_at.is_(None))
        .order_by(Attempt.number)))


@dataclass(frozen=True)
class Opening:
    attempt: Attempt
    tracked: bool  # False: the attempts are used up; the course opens for review only


def open_for_learner(registration: Registration, new: bool = False) -> Opening:
    """The attempt a launch continues or starts, by the course's policy; `new`: the learner
    asked for a new attempt (allowed once the last one is completed)."""
    course = registration.course
    attempts = attempts_of(registration)
    last = attempts[-1] if attempts else None
    finished = last is not None and last.completion == sco_status.COMPLETED
    wants_new = last is None or course.new_attempt == "always" or (
        finished and (new or course.new_attempt == "completed"))
    if not wants_new:
        return Opening(last, True)
    if course.max_attempts and len(attempts) >= course.max_attempts:
        if last is None:
            raise RegistrationRefused("This course allows no attempts.")
        return Opening(last, False)
    return Opening(_start(registration, len(attempts) + 1), True)


def locked(registration: Registration) -> bool:
    """The final attempt is used up: completed, and no more allowed."""
    attempts = attempts_of(registration)
    course = registration.course
    return bool(course.max_attempts and attempts and len(attempts) >= course.max_attempts
                and attempts[-1].completion == sco_status.COMPLETED)


def may_start_new(registration: Registration) -> bool:
    attempts = attempts_of(registration)
    course = registration.course
    return bool(attempts) and attempts[-1].completion == sco_status.COMPLETED and not (
        course.max_attempts and len(attempts) >= course.max_attempts)


def _start(registration: Registration, count: int) -> Attempt:
    """The `count`th attempt that counts; numbered after every attempt, set-aside ones too."""
    version = newest_version(registration.course)
    if version is None:
        raise RegistrationRefused("This course has no package yet.")
    number = 1 + db.session.scalar(select(func.coalesce(func.max(Attempt.number), 0)).where(
        Attempt.registration_id == registration.id))
    attempt = Attempt(registration_id=registration.id, number=number, version_id=version.id,
                      token=secrets.token_urlsafe(32))
    db.session.add(attempt)
    registration.attempt_count = count
    db.session.flush()
    if count == 1:
        progress.of_registration(registration, "started")
    return attempt


# --- roll-ups -----------------------------------------------------------------------------------

def roll_up(attempt: Attempt) -> None:
    """The attempt from its SCOs, then the registration from its attempts."""
    if attempt.reset_at is not None:  # set aside by a reset: history, nothing rolls up
        return
    states = {s.item: s for s in db.session.scalars(
        select(ScoState).where(ScoState.attempt_id == attempt.id))}
    scos = [item for item in _launchable(attempt) if item.get("is_sco")]
    completing = _contributing(scos, "rollupProgressCompletion") or list(states) or [None]
    attempt.completion = (
        sco_status.COMPLETED if all(states.get(i) is not None and states[i].completion ==
                                    sco_status.COMPLETED for i in completing)
        else sco_status.INCOMPLETE if states else sco_status.NOT_ATTEMPTED)
    judging = _contributing(scos, "rollupObjectiveSatisfied")
    judged = [states[i].success for i in judging
              if i in states and states[i].success != sco_status.UNKNOWN]
    attempt.success = (sco_status.FAILED if sco_status.FAILED in judged else
                       sco_status.PASSED if judged and len(judged) == len(judging)
                       else sco_status.UNKNOWN)
    scores = [s.score for s in states.values() if s.score is not None]
    attempt.score = statistics.fmean(scores) if scores else None
    attempt.total_seconds = sum(s.total_seconds for s in states.values())
    attempt.last_activity_at = utcnow()
    _roll_up_registration(attempt.registration)


def touch(attempt: Attempt) -> None:
    """Note the activity, at most once a minute: a write per page turn would cost more than
    the page turn's own."""
    now = utcnow()
    if now - attempt.last_activity_at > ACTIVITY_EVERY:
        attempt.last_activity_at = now
        attempt.registration.last_activity_at = now


def _contributing(scos: list[dict], rule: str) -> list[str]:
    """The SCOs whose status counts for the course: a 2004 manifest takes a SCO out with
    <imsss:rollupRules rollupObjectiveSatisfied="false"/> (success) or
    rollupProgressCompletion="false" (completion), as a lesson before the quiz usually is."""
    def counts(item: dict) -> bool:
        tree = (item.get("sequencing") or {}).get("tree") or {}
        return not any(node["tag"] == "rollupRules" and node["attributes"].get(rule) == "false"
                       for node in tree.get("children", []))
    return [item["identifier"] for item in scos if counts(item)]


def _launchable(attempt: Attempt) -> list[dict]:
    return [item for item in facts(attempt.version).items if item.get("launch")]


def _roll_up_registration(registration: Registration) -> None:
    before = (registration.completion, registration.success, registration.score)
    attempts = attempts_of(registration)
    graded = _graded(registration.course.grading, attempts)
    registration.completion = (sco_status.COMPLETED if any(
        a.completion == sco_status.COMPLETED for a in attempts) else attempts[-1].completion)
    registration.success = graded.success if graded else sco_status.UNKNOWN
    registration.score = _score(registration.course.grading, attempts, graded)
    registration.total_seconds = db.session.scalar(select(func.coalesce(
        func.sum(Attempt.total_seconds), 0)).where(Attempt.registration_id == registration.id,
                                                   Attempt.reset_at.is_(None)))
    registration.attempt_count = len(attempts)
    registration.last_activity_at = utcnow()
    _record_changes(registration, *before)


def _record_changes(registration: Registration, completion: str, success: str,
                    score: float | None) -> None:
    """One progress event per change the roll-up made, completion first."""
    if registration.completion == sco_status.COMPLETED and completion != sco_status.COMPLETED:
        registration.completed_at = registration.completed_at or utcnow()
        progress.of_registration(registration, "completed")
    if registration.success != success and registration.success in (sco_status.PASSED,
                                                                     sco_status.FAILED):
        progress.of_registration(registration, registration.success, score=registration.score)
    if registration.score != score and registration.score is not None:
        progress.of_registration(registration, "score_changed", previous=score,
                                 score=registration.score)


def _graded(rule: str, attempts: list[Attempt]) -> Attempt | None:
    scored = [a for a in attempts if a.score is not None] or attempts
    if rule == "first":
        return attempts[0]
    if rule == "last_completed":
        done = [a for a in attempts if a.completion == sco_status.COMPLETED]
        return done[-1] if done else attempts[-1]
    return max(scored, key=lambda a: (a.score or 0, a.success == sco_status.PASSED))


def _score(rule: str, attempts: list[Attempt], graded: Attempt | None) -> float | None:
    if rule == "average":
        scores = [a.score for a in attempts if a.score is not None]
        return statistics.fmean(scores) if scores else None
    return graded.score if graded else None
