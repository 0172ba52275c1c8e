"""A registration as trainers drill down into it (`history`: every attempt, set-aside ones too,
with each SCO's status, score, time, bookmark, suspend data, objectives and interactions), and
the reset that sets the counted attempts aside for a fresh start (`reset`). The reset's reason
is a person's words about a learner: it stays with the attempts it set aside (erased with
them), never in the audit log, which outlives erasure."""

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from courses import certificates, progress, registrations, sco_sessions
from courses.matrix import status_of
from courses.path_models import PathEnrolment, PathStep
from courses.sco_status import NOT_ATTEMPTED, UNKNOWN
from courses.tracking_models import Attempt, Registration, ScoInteraction, ScoObjective, ScoState
from portal import audit
from portal.auth.models import User
from portal.extensions import db, utcnow


@dataclass
class ScoRun:
    state: ScoState
    title: str
    location: str            # the SCO's bookmark (lesson_location / location)
    suspend_length: int | None  # characters of suspend data; None: none stored
    objectives: list
    interactions: list       # (ScoInteraction, latency, time the SCO gave)


def registration_of(registration_id: int, for_update: bool = False) -> Registration | None:
    stmt = select(Registration).where(Registration.id == registration_id).options(
        joinedload(Registration.learner).lazyload(User.role_rows),
        joinedload(Registration.course))
    return db.session.scalar(stmt.with_for_update(of=Registration) if for_update else stmt)


def history(registration: Registration) -> list[tuple[Attempt, list[ScoRun]]]:
    """Every attempt, set-aside ones too, with each SCO's data: four statements (and the
    course versions' items, read once per worker)."""
    attempts = list(db.session.scalars(select(Attempt).where(
        Attempt.registration_id == registration.id).order_by(Attempt.number)))
    ids = [attempt.id for attempt in attempts]
    found: dict[tuple, list] = {}
    for model in (ScoObjective, ScoInteraction):
        for row in db.session.scalars(select(model).where(model.attempt_id.in_(ids))
                                      .order_by(model.attempt_id, model.item, model.index)):
            found.setdefault((model, row.attempt_id, row.item), []).append(row)
    states: dict[int, list[ScoState]] = {}
    for state in db.session.scalars(select(ScoState).where(ScoState.attempt_id.in_(ids))):
        states.setdefault(state.attempt_id, []).append(state)
    runs = []
    for attempt in attempts:
        known = sco_sessions.facts(attempt.version)
        titles = {item["identifier"]: (n, item["title"]) for n, item in enumerate(known.items)}
        scos = []
        for state in sorted(states.get(attempt.id, []),
                            key=lambda s: titles.get(s.item, (len(titles), s.item))):
            values = state.values or {}
            suspend = values.get("cmi.suspend_data")
            stamp = "time" if known.scorm_version == "1.2" else "timestamp"
            scos.append(ScoRun(
                state, titles.get(state.item, (0, state.item))[1],
                values.get(sco_sessions.ELEMENTS[known.scorm_version]["location"], ""),
                len(suspend) if suspend else None,
                found.get((ScoObjective, attempt.id, state.item), []),
                [(row, values.get(f"cmi.interactions.{row.index}.latency"),
                  values.get(f"cmi.interactions.{row.index}.{stamp}"))
                 for row in found.get((ScoInteraction, attempt.id, state.item), [])]))
        runs.append((attempt, scos))
    return runs


class ResetRefused(ValueError):
    pass


def reset(registration: Registration, actor, reason: str) -> list[int]:
    """Back to not attempted for a fresh attempt: the attempts that counted are set aside
    (kept, their SCOs closed so a tab left open writes nothing), the roll-up cleared, the
    certificates revoked and the completed paths holding the course reopened; audited with the
    reason, and a "reset" progress event. The attempts' numbers set aside."""
    reason = " ".join(reason.split())
    if not reason:
        raise ResetRefused("Say why the attempts are reset.")
    counted = registrations.attempts_of(registration)
    if not counted and status_of(registration.completion, registration.success,
                                 registration.attempt_count) == "not_started":
        raise ResetRefused("There is nothing to reset: the learner has not started yet.")
    now, numbers = utcnow(), [attempt.number for attempt in counted]
    for attempt in counted:
        attempt.reset_at, attempt.reset_by_id, attempt.reset_reason = now, actor.id, reason[:500]
    if counted:
        db.session.execute(update(ScoState).where(ScoState.attempt_id.in_(
            [attempt.id for attempt in counted])).values(terminated=True))
    before = {"completion": registration.completion, "success": registration.success,
              "score": registration.score}
    registration.completion, registration.success, registration.score = (
        NOT_ATTEMPTED, UNKNOWN, None)
    registration.total_seconds, registration.attempt_count = 0, 0
    registration.completed_at = None
    reopened = list(db.session.scalars(select(PathEnrolment).where(
        PathEnrolment.learner_id == registration.learner_id,
        PathEnrolment.completed_at.is_not(None), PathEnrolment.path_id.in_(
            select(PathStep.path_id).where(PathStep.course_id == registration.course_id)))))
    for enrolment in reopened:
        enrolment.completed_at = None
    certificates.revoke_for_registration(registration, "The completion was reset.")
    progress.of_registration(registration, "reset", attempts=numbers, previous=before,
                             paths_reopened=[e.path_id for e in reopened])
    audit.record("registration.reset", registration, actor, attempts=numbers,
                 previous=before, paths_reopened=[e.path_id for e in reopened])
    return numbers
