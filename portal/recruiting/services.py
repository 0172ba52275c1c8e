"""Recruiting's rules, callable without HTTP. Functions flush; the caller commits."""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from portal import audit, mail
from portal.auth.models import AGENT, User
from portal.extensions import db, utcnow
from portal.recruiting import choices, screening, search, signals, stages, steps
from portal.recruiting.models import (
    CLOSED,
    OPEN,
    Application,
    ApplicationNote,
    ApplicationScore,
    Opening,
    StageChange,
    StageCount,
    StepProgress,
)

PRIVACY_NOTICE_VERSION = "2026-11"
# Stages from which completing every step moves an application on to review.
STEP_DRIVEN_STAGES = (stages.APPLIED, stages.SCREENING, stages.ASSESSMENT)


class RecruitingError(ValueError):
    """A request the rules refuse; the message is meant for the user."""


# --- openings -----------------------------------------------------------------------------

def create_opening(actor: User, **fields) -> Opening:
    _check_steps(fields.get("steps", []))
    opening = Opening(created_by_id=actor.id, **fields)
    db.session.add(opening)
    db.session.flush()
    db.session.add_all(StageCount(opening_id=opening.id, stage=key, count=0)
                       for key in stages.STAGE_KEYS)
    audit.record("opening.created", opening, actor, title=opening.title)
    return opening


def update_opening(opening: Opening, actor: User, **fields) -> Opening:
    _check_steps(fields.get("steps", opening.steps))
    changed = sorted(k for k, v in fields.items() if getattr(opening, k) != v)
    for key, value in fields.items():
        setattr(opening, key, value)
    audit.record("opening.updated", opening, actor, fields=changed)
    return opening


def set_opening_status(opening: Opening, status: str, actor: User) -> None:
    if status == opening.status:
        return
    opening.status = status
    opening.closed_at = utcnow() if status == CLOSED else None
    audit.record(f"opening.{status}", opening, actor)


def _check_steps(keys: Iterable[str]) -> None:
    for key in keys:
        try:
            steps.get(key)
        except steps.UnknownStep:
            raise RecruitingError(f"Unknown application step '{key}'.") from None


# --- applying -----------------------------------------------------------------------------

def apply(opening: Opening, candidate: User, **answers) -> Application:
    if not opening.is_open:
        raise RecruitingError("This opening is closed and no longer takes applications.")
    if not candidate.is_verified:
        raise RecruitingError("Please verify your email address before applying.")
    if opening.countries and answers["country"] not in opening.countries:
        raise RecruitingError("This opening is only open to candidates living in "
                              + ", ".join(choices.COUNTRY_NAMES.get(code, code)
                                          for code in opening.countries) + ".")
    if opening.time_zones and answers["time_zone"] not in opening.time_zones:
        raise RecruitingError("This opening is only open to candidates in these time zones: "
                              + ", ".join(opening.time_zones) + ".")
    if _existing_application(opening, candidate) is not None:
        raise RecruitingError("You have already applied to this opening.")
    now = utcnow()
    answers.pop("email", None)  # the account's verified address, never another one
    application = Application(
        opening=opening, candidate=candidate, stage=stages.APPLIED, email=candidate.email,
        privacy_consent_at=now, retention_consent_at=now,
        privacy_notice_version=PRIVACY_NOTICE_VERSION, **answers)
    try:
        with db.session.begin_nested():  # two tabs submitting at once: one wins, one is told
            db.session.add(application)
    except IntegrityError:
        raise RecruitingError("You have already applied to this opening.") from None
    search.index(application)
    db.session.add(StageChange(application_id=application.id, to_stage=stages.APPLIED,
                               actor_id=candidate.id, reason="Applied online"))
    _bump_count(opening.id, stages.APPLIED, +1)
    audit.record("application.created", application, candidate, opening_id=opening.id)
    mail.send("application_received", candidate, application=application)
    signals.stage_changed.send(application, from_stage=None, to_stage=stages.APPLIED,
                               actor=candidate, reason="Applied online")
    return application


def _existing_application(opening: Opening, candidate: User) -> Application | None:
    return db.session.scalar(select(Application).where(
        Application.opening_id == opening.id, Application.candidate_id == candidate.id))


# --- moving through the pipeline ----------------------------------------------------------

def move(application: Application, target: str, actor: User | None, reason: str = "",
         *, by_candidate: bool = False, seen_stage: str | None = None) -> StageChange:
    """Move `application` to `target`. `seen_stage` is the stage the person acting saw on
    their page: if it has changed since, nothing moves and they are told."""
    source = seen_stage or application.stage
    stages.check_move(source, target, by_candidate=by_candidate)
    reason = (reason or "").strip()
    if target == stages.REJECTED and not reason:
        raise RecruitingError("Give a reason for the rejection (kept internal).")
    _compare_and_set_stage(application, source, target)
    change = StageChange(application_id=application.id, from_stage=source, to_stage=target,
                         actor_id=actor.id if actor else None, reason=reason[:500])
    db.session.add(change)
    _bump_count(application.opening_id, source, -1)
    _bump_count(application.opening_id, target, +1)
    # Structured facts only: the reason is a person's own words, kept with the application
    # (and erased with it), never in the audit log, which outlives erasure.
    audit.record("application.moved", application, actor, from_stage=source, to_stage=target)
    template = stages.BY_KEY[target].email_template
    if template:
        mail.send(template, application.candidate, application=application)
    db.session.flush()
    signals.stage_changed.send(application, from_stage=source, to_stage=target,
                               actor=actor, reason=reason)
    if target == stages.HIRED:
        _make_agent(application, actor)
    return change


def _compare_and_set_stage(application: Application, source: str, target: str) -> None:
    """Move only if nobody moved it since we looked: two managers acting on the same
    application at once must not both succeed (the history and the counts would lie)."""
    db.session.flush()  # pending changes first; `application` must be in the database
    moved = db.session.execute(
        update(Application)
        .where(Application.id == application.id, Application.stage == source)
        .values(stage=target, stage_changed_at=utcnow())
        .execution_options(synchronize_session="fetch"))
    if moved.rowcount != 1:
        db.session.refresh(application)
        raise stages.StageError(
            f"Someone else moved this application meanwhile (it is now in "
            f"{stages.label(application.stage)}). Nothing was changed; reload and try again.")


def _make_agent(application: Application, actor: User | None) -> None:
    candidate = application.candidate
    if AGENT not in candidate.roles:
        candidate.grant(AGENT)
        audit.record("user.role_granted", candidate, actor, role=AGENT,
                     application_id=application.id)
    signals.hired.send(application, user=candidate, actor=actor)


@dataclass
class BulkResult:
    moved: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def bulk_move(application_ids: Iterable[int], target: str, actor: User,
              reason: str) -> BulkResult:
    """Move many applications; each that cannot move is reported, the others still move."""
    if not (reason or "").strip():
        raise RecruitingError("Give a reason for a bulk change.")
    ids = sorted(set(application_ids))
    result = BulkResult()
    found = {a.id: a for a in db.session.scalars(
        select(Application).where(Application.id.in_(ids)).with_for_update())}
    for application_id in ids:
        application = found.get(application_id)
        if application is None:
            result.skipped.append((application_id, "not found"))
            continue
        try:
            with db.session.begin_nested():
                move(application, target, actor, reason)
        except (stages.StageError, RecruitingError) as error:
            result.skipped.append((application_id, str(error)))
        else:
            result.moved.append(application_id)
    return result


def withdraw(application: Application, candidate: User, reason: str = "") -> StageChange:
    return move(application, stages.WITHDRAWN, candidate, reason or "Withdrawn by the candidate",
                by_candidate=True)


def add_note(application: Application, author: User, body: str) -> ApplicationNote:
    body = (body or "").strip()
    if not body:
        raise RecruitingError("A note cannot be empty.")
    note = ApplicationNote(application_id=application.id, author_id=author.id, body=body)
    db.session.add(note)
    audit.record("application.note_added", application, author)
    return note


def _bump_count(opening_id: int, stage: str, delta: int) -> None:
    # One UPDATE with arithmetic in SQL: concurrent moves never lose a count.
    db.session.execute(update(StageCount)
                       .where(StageCount.opening_id == opening_id, StageCount.stage == stage)
                       .values(count=StageCount.count + delta))


# --- application steps --------------------------------------------------------------------

def record_step(application: Application, step_key: str, status: str,
                summary: str = "") -> StepProgress:
    """Called by a step's owner; when every step is done the application moves to review."""
    steps.get(step_key)
    if status not in steps.STATUS_LABELS:
        raise ValueError(f"unknown step status {status!r}")
    progress = db.session.get(StepProgress, (application.id, step_key))
    if progress is None:
        progress = StepProgress(application_id=application.id, step_key=step_key)
        db.session.add(progress)
    progress.status, progress.summary = status, summary[:200]
    db.session.flush()
    if application.stage in STEP_DRIVEN_STAGES and _all_steps_completed(application):
        move(application, stages.REVIEW, None, "All application steps completed")
    return progress


def _all_steps_completed(application: Application) -> bool:
    required = set(application.opening.steps)
    if not required:
        return False
    done = set(db.session.scalars(select(StepProgress.step_key).where(
        StepProgress.application_id == application.id,
        StepProgress.status == steps.COMPLETED)))
    return required <= done


@dataclass(frozen=True)
class StepState:
    step: steps.StepDefinition
    status: str
    summary: str

    @property
    def is_done(self) -> bool:
        return self.status == steps.COMPLETED


def step_states(applications: list[Application]) -> dict[int, list[StepState]]:
    """Every application's steps with their status, in one query whatever the page size."""
    rows = db.session.scalars(select(StepProgress).where(
        StepProgress.application_id.in_([a.id for a in applications]))) if applications else []
    progress = {(row.application_id, row.step_key): row for row in rows}
    states = {}
    for application in applications:
        states[application.id] = []
        for key in application.opening.steps:
            try:
                definition = steps.get(key)
            except steps.UnknownStep:
                continue  # a capability that was removed: nothing the candidate can do
            row = progress.get((application.id, key))
            states[application.id].append(StepState(
                definition, row.status if row else steps.NOT_STARTED, row.summary if row else ""))
    return states


# --- screening results --------------------------------------------------------------------

def record_screening(application: Application, outcome: str | None,
                     scores: dict[str, float]) -> None:
    """Called by a screening package whenever its recommendation may have changed: the
    outcome (None: nothing taken yet) and every figure it offers for sorting, replacing what
    it reported before. See recruiting/screening.py."""
    if outcome is not None and outcome not in screening.OUTCOMES:
        raise ValueError(f"unknown screening outcome {outcome!r}")
    if any(len(key) > screening.MAX_KEY or not math.isfinite(value)
           for key, value in scores.items()):
        raise ValueError(f"score keys take at most {screening.MAX_KEY} characters and "
                         "values are finite numbers")
    application.screening_outcome = outcome
    db.session.flush()  # the application exists before its scores refer to it
    db.session.execute(delete(ApplicationScore).where(
        ApplicationScore.application_id == application.id))
    if scores:
        db.session.execute(insert(ApplicationScore), [
            {"application_id": application.id, "key": key, "value": float(value)}
            for key, value in scores.items()])


def open_openings() -> list[Opening]:
    return list(db.session.scalars(
        select(Opening).where(Opening.status == OPEN).order_by(Opening.created_at.desc())))
