"""Enrolling learners in paths: by hand, in bulk (a team, an opening's hires, pasted
addresses; each person skipped is reported with why), and on hire, when recruiting's `hired`
signal names a person whose opening has a path. Enrolling twice enrols nothing twice: a path
holds a learner once (a unique row), and a course's registration is reused.

An enrolment registers the learner in each course of the path with the path's due date;
unenrolling takes the unfinished courses off the learner's page and keeps every attempt."""

import re
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from courses import progress, registrations, sco_status
from courses.path_models import LearningPath, PathEnrolment, PathStep
from courses.paths import path_of_opening
from courses.tracking_models import Registration
from portal import audit
from portal.auth.models import AGENT, User
from portal.extensions import db, utcnow
from portal.recruiting import signals
from portal.recruiting.models import Application
from portal.teams.models import TeamMember

SOURCES = {"hire": "Hired", "hand": "By hand", "team": "With a team",
           "opening": "With an opening's hires", "emails": "By email list"}


@dataclass
class Enrolled:
    enrolled: list[User] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (who, why)


def enrol(learner: User, path: LearningPath, *, source: str, actor=None,
          application_id: int | None = None) -> PathEnrolment | None:
    """Enrol `learner`; None when they are already enrolled (nothing changes)."""
    if path.archived_at is not None:
        raise ValueError("an archived path enrols nobody")
    enrolment = db.session.scalar(select(PathEnrolment).where(
        PathEnrolment.path_id == path.id, PathEnrolment.learner_id == learner.id)
        .with_for_update())
    if enrolment is not None and enrolment.unenrolled_at is None:
        return None
    now = utcnow()
    due_at = now + timedelta(days=path.due_days) if path.due_days else None
    if enrolment is None:
        enrolment = PathEnrolment(path_id=path.id, learner_id=learner.id)
        db.session.add(enrolment)
    enrolment.source, enrolment.application_id = source, application_id
    enrolment.enrolled_by_id = actor.id if actor else None
    enrolment.enrolled_at, enrolment.due_at = now, due_at
    enrolment.unenrolled_at = enrolment.completed_at = None
    db.session.flush()
    for step in path.steps:
        registration = registrations.register(step.course, learner, path_id=path.id,
                                              source=source)
        if registration.completion != sco_status.COMPLETED and due_at and (
                registration.due_at is None or due_at < registration.due_at):
            registration.due_at = due_at
    progress.record("enrolled", learner_id=learner.id, path_id=path.id, source=source,
                    due_at=due_at.isoformat() if due_at else None)
    audit.record("path.enrolled", enrolment, actor, learner_id=learner.id, source=source)
    return enrolment


def enrol_many(path: LearningPath, learners: list[User], *, source: str, actor) -> Enrolled:
    result = Enrolled()
    for learner in learners:
        why = _why_not(learner)
        if why is None and enrol(learner, path, source=source, actor=actor) is None:
            why = "already enrolled in this path"
        if why:
            result.skipped.append((learner.email, why))
        else:
            result.enrolled.append(learner)
    return result


def enrol_emails(path: LearningPath, text: str, actor) -> Enrolled:
    emails = list(dict.fromkeys(e for e in re.split(r"[\s,;]+", text.lower()) if e))
    users = {user.email: user for user in db.session.scalars(
        select(User).where(User.email.in_(emails)))}
    result = enrol_many(path, [users[e] for e in emails if e in users], source="emails",
                        actor=actor)
    result.skipped[:0] = [(e, "no account has this address") for e in emails if e not in users]
    return result


def enrol_team(path: LearningPath, team_id: int, actor) -> Enrolled:
    members = list(db.session.scalars(select(User).join(TeamMember, TeamMember.user_id == User.id)
                                      .where(TeamMember.team_id == team_id)
                                      .order_by(User.full_name)))
    return enrol_many(path, members, source="team", actor=actor)


def enrol_opening(path: LearningPath, opening_id: int, actor) -> Enrolled:
    """Everyone hired through the opening."""
    hires = list(db.session.scalars(
        select(User).join(Application, Application.candidate_id == User.id)
        .where(Application.opening_id == opening_id, Application.stage == "hired")
        .order_by(User.full_name).distinct()))
    return enrol_many(path, hires, source="opening", actor=actor)


def _why_not(user: User) -> str | None:
    if not user.is_active:
        return "the account is deactivated"
    if AGENT not in user.roles:
        return "not an agent (only hired agents take onboarding paths)"
    return None


def unenrol(enrolment: PathEnrolment, actor) -> None:
    """Off the path: its unfinished courses leave the learner's page (unless another of their
    paths holds them); attempts, scores and events stay."""
    now = utcnow()
    enrolment.unenrolled_at = now
    db.session.flush()
    still_held = _courses_of_active_paths(enrolment.learner_id)
    for step in enrolment.path.steps:
        registration = db.session.scalar(select(Registration).where(
            Registration.course_id == step.course_id,
            Registration.learner_id == enrolment.learner_id))
        if registration is None or registration.completion == sco_status.COMPLETED \
                or step.course_id in still_held or registration.unenrolled_at is not None:
            continue
        registration.unenrolled_at, registration.due_at = now, None
        progress.of_registration(registration, "unenrolled", path_id=enrolment.path_id)
    progress.record("unenrolled", learner_id=enrolment.learner_id, path_id=enrolment.path_id)
    audit.record("path.unenrolled", enrolment, actor, learner_id=enrolment.learner_id)


def _courses_of_active_paths(learner_id: int) -> set[int]:
    return set(db.session.scalars(
        select(PathStep.course_id).join(PathEnrolment, PathEnrolment.path_id == PathStep.path_id)
        .where(PathEnrolment.learner_id == learner_id, PathEnrolment.unenrolled_at.is_(None))))


def _on_hired(application: Application, user: User, actor=None, **_) -> None:
    """Inside the hire's transaction: a failure here rolls the hire back."""
    path = path_of_opening(application.opening_id)
    if path is not None:
        enrol(user, path, source="hire", actor=actor, application_id=application.id)


def register() -> None:
    signals.hired.connect(_on_hired)
