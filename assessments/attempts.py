"""The attempt engine: start, save one answer at a time, enforce the server's clock, close and
score. Callable without HTTP; functions flush, the caller commits.

Rules that protect candidates' work:
- every answer is saved on its own as it is given, and a save refused for any reason leaves the
  saved answers as they were;
- the deadline is the server's (time limit + extra time granted); saves arriving within
  GRACE_SECONDS after it are still taken (the request was on its way); later ones are refused;
- an attempt past its deadline closes itself the next time anyone looks at it, and every answer
  saved before the deadline is scored;
- one browser tab at a time: opening the attempt elsewhere makes the older tab read-only, so two
  tabs never overwrite each other's answers.
"""

import functools
import random
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from blinker import Namespace
from sqlalchemy import bindparam, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from assessments import bank as banks
from assessments import norms, scoring
from assessments.models import (
    EXTRA_TIME,
    IN_PROGRESS,
    RETAKE,
    SUBMITTED,
    TIMED_OUT,
    Answer,
    Attempt,
    BankVersion,
    Grant,
)
from assessments.services import current_versions
from portal import audit
from portal.auth import sessions
from portal.extensions import db, utcnow
from portal.recruiting import services as recruiting
from portal.recruiting import steps
from portal.recruiting.models import Application

GRACE_SECONDS = 5
MAX_SIGNALS = 10_000  # a runaway script cannot grow the counters without bound
SIGNALS = {"focus_lost": "focus_losses", "paste": "paste_attempts"}

_bank_cache: dict[str, banks.Bank] = {}
# Attempt id -> its bank version, so that a worker that has seen an attempt can check an answer
# to it without loading it (the quick save, which also checks the version it assumed).
_attempt_versions: dict[int, str] = {}
MAX_REMEMBERED_ATTEMPTS = 100_000  # then forgotten at once: each costs one full save to relearn

# Sent (with the application) when an attempt starts or closes, inside that transaction: what
# is derived from the results (the pipeline's copy, screening_sync.py) follows.
results_changed = Namespace().signal("assessment-results-changed")


class AnswerRefused(Exception):
    """A save the attempt cannot take; `status` is the HTTP status that says why."""

    def __init__(self, status: int, message: str):
        self.status, self.message = status, message
        super().__init__(message)


# --- banks of a step -------------------------------------------------------------------------

def bank_of(attempt: Attempt) -> banks.Bank:
    """The bank exactly as the attempt was started with; versions never change, so parsed
    banks are cached by their content hash."""
    bank = _bank_cache.get(attempt.bank_version)
    if bank is None:
        bank = _bank_cache[attempt.bank_version] = banks.load(attempt.version_row.content)
    if _attempt_versions.get(attempt.id) != attempt.bank_version:
        if len(_attempt_versions) >= MAX_REMEMBERED_ATTEMPTS:
            _attempt_versions.clear()
        _attempt_versions[attempt.id] = attempt.bank_version
    return bank


def known_bank(attempt_id: int) -> banks.Bank | None:
    """The bank this worker last saw the attempt with (whoever's it is), without a query."""
    version = _attempt_versions.get(attempt_id)
    return None if version is None else _bank_cache.get(version)


def bank_for_version(row: BankVersion) -> banks.Bank:
    bank = _bank_cache.get(row.version)
    if bank is None:
        bank = _bank_cache[row.version] = banks.load(row.content)
    return bank


def step_banks(step_key: str) -> list[tuple[BankVersion, banks.Bank]]:
    """The newest version of every bank that belongs to this step, in the step's order."""
    found = [(row, bank_for_version(row)) for row, _ in current_versions()]
    return sorted(((row, bank) for row, bank in found if bank.step == step_key),
                  key=lambda pair: (pair[1].order, pair[1].key))


def latest_attempts(application: Application) -> dict[str, Attempt]:
    """The application's latest attempt of each bank, closing any whose time has run out."""
    latest: dict[str, Attempt] = {}
    for attempt in db.session.scalars(select(Attempt).where(
            Attempt.application_id == application.id).order_by(Attempt.number)):
        latest[attempt.bank_key] = attempt
    for attempt in latest.values():
        close_if_due(attempt)
    return latest


# --- starting and ordering -------------------------------------------------------------------

def start(application: Application, row: BankVersion) -> Attempt:
    """The application's attempt at this bank: the one already started (a second click, a
    second tab), the finished one unless a manager granted a retake, or a new one with its
    own seed and a deadline that includes any extra time granted."""
    latest = latest_attempts(application).get(row.bank_key)
    retake = _unused_grant(application, row.bank_key, RETAKE)
    if latest is not None and (latest.is_open or retake is None):
        return latest
    bank = bank_for_version(row)
    extra = list(db.session.scalars(select(Grant).where(
        Grant.application_id == application.id, Grant.bank_key == row.bank_key,
        Grant.kind == EXTRA_TIME, Grant.attempt_id.is_(None))))
    minutes = sum(grant.minutes for grant in extra)
    now = utcnow()
    attempt = Attempt(application_id=application.id, bank_version_id=row.id,
                      bank_key=row.bank_key, bank_version=row.version,
                      number=latest.number + 1 if latest else 1, seed=secrets.randbits(31),
                      started_at=now, tab_token=secrets.token_hex(16), extra_minutes=minutes,
                      deadline_at=now + timedelta(minutes=bank.time_limit_minutes + minutes)
                      if bank.time_limit_minutes else None)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:  # the same start from another request won the race
        return latest_attempts(application)[row.bank_key]
    for grant in [*extra, *([retake] if retake else [])]:
        grant.attempt_id = attempt.id
    if bank.step:
        recruiting.record_step(application, bank.step, steps.IN_PROGRESS,
                               _step_summary(application, bank.step))
    results_changed.send(application)  # "not finished" from now, a retake included
    return attempt


def _unused_grant(application: Application, bank_key: str, kind: str) -> Grant | None:
    return db.session.scalar(select(Grant).where(
        Grant.application_id == application.id, Grant.bank_key == bank_key, Grant.kind == kind,
        Grant.attempt_id.is_(None)).limit(1))


class GrantRefused(ValueError):
    """A grant that does not fit the attempt's state; the message says why."""


def grant(application: Application, bank_key: str, kind: str, minutes: int, reason: str,
          actor) -> Grant:
    """Record what a manager grants (who, when, why). Extra time applies to the attempt in
    progress at once, or to the next attempt; a retake needs a finished attempt."""
    latest = latest_attempts(application).get(bank_key)
    if kind == RETAKE and (latest is None or latest.is_open):
        raise GrantRefused("A retake can be granted once the current attempt is finished.")
    if kind == RETAKE and _unused_grant(application, bank_key, RETAKE) is not None:
        raise GrantRefused("A retake is already granted and not yet used.")
    row = Grant(application_id=application.id, bank_key=bank_key, kind=kind,
                minutes=minutes if kind == EXTRA_TIME else 0, reason=reason,
                granted_by_id=actor.id)
    db.session.add(row)
    if kind == EXTRA_TIME and latest is not None and latest.is_open:
        grant_extra_time(latest, minutes)
        row.attempt_id = latest.id
    db.session.flush()
    audit.record(f"assessment.{kind}_granted", application, actor, bank=bank_key,
                 minutes=row.minutes)
    return row


def ordered_items(attempt: Attempt) -> list[banks.Item]:
    """The attempt's items in its own order, options shuffled where order carries no meaning
    (keyed choices and situational judgement; a likert scale or a graded list keeps its
    order). The same seed always gives the same order, so a reload changes nothing."""
    bank = bank_of(attempt)
    items = list(bank.items)
    random.Random(attempt.seed).shuffle(items)
    if bank.sections:  # shuffled within each section; the sections keep their order
        order = [section.key for section in bank.sections]
        items.sort(key=lambda item: order.index(item.section))
    shuffled = []
    for item in items:
        if item.type == "sjt" or item.type in ("single_choice", "multiple_choice") and item.key:
            options = list(item.options)
            random.Random(f"{attempt.seed}:{item.id}").shuffle(options)
            item = replace(item, options=tuple(options))
        shuffled.append(item)
    return shuffled


def open_tab(attempt: Attempt) -> str:
    """Make the calling tab the one that saves; any other tab's saves are refused from now."""
    if attempt.is_open:
        attempt.tab_token = secrets.token_hex(16)
    return attempt.tab_token


# --- the clock -------------------------------------------------------------------------------

def remaining_seconds(attempt: Attempt, now: datetime | None = None) -> int | None:
    """Seconds to the nearer of the attempt's deadline and its section's."""
    return _seconds_to(attempt.deadline_at, attempt.section_deadline_at, now or utcnow())


def _seconds_to(deadline: datetime | None, section_deadline: datetime | None,
                now: datetime) -> int | None:
    deadlines = [d for d in (deadline, section_deadline) if d is not None]
    return max(0, int((min(deadlines) - now).total_seconds())) if deadlines else None


def _past(deadline: datetime | None, now: datetime) -> bool:
    return deadline is not None and now > deadline + timedelta(seconds=GRACE_SECONDS)


def close_if_due(attempt: Attempt, now: datetime | None = None) -> bool:
    """Close an attempt whose deadline (plus grace) has passed, or whose last section's has;
    an earlier section whose time ran out is left for the next. Whether it closed now."""
    now = now or utcnow()
    if not attempt.is_open:
        return False
    if _past(attempt.deadline_at, now):
        _close(attempt, TIMED_OUT, attempt.deadline_at)
        return True
    if _past(attempt.section_deadline_at, now):
        return leave_section(attempt, timed_out=True)
    return False


def current_section(attempt: Attempt) -> banks.Section | None:
    sections = bank_of(attempt).sections
    return sections[attempt.section_index] if sections else None


def open_section(attempt: Attempt) -> None:
    """The candidate opens the current section: its clock starts now, once."""
    section = current_section(attempt)
    if section is not None and section.time_limit_minutes and attempt.section_deadline_at is None:
        attempt.section_deadline_at = utcnow() + timedelta(
            minutes=section.time_limit_minutes + attempt.extra_minutes)


def leave_section(attempt: Attempt, timed_out: bool = False) -> bool:
    """Close the current section (its answers are kept and can no longer change) and move to
    the next, whose clock starts when it is opened; after the last, the attempt closes.
    Whether the attempt closed."""
    deadline = attempt.section_deadline_at
    attempt.section_deadline_at = None
    if attempt.section_index + 1 < len(bank_of(attempt).sections):
        attempt.section_index += 1
        return False
    _close(attempt, TIMED_OUT if timed_out else SUBMITTED, deadline if timed_out else utcnow())
    return True


def grant_extra_time(attempt: Attempt, minutes: int) -> None:
    """Extra minutes on an open attempt's deadline (an accommodation; the caller audits who and
    why)."""
    attempt.extra_minutes += minutes
    if attempt.deadline_at is not None:
        attempt.deadline_at += timedelta(minutes=minutes)
    if attempt.section_deadline_at is not None:
        attempt.section_deadline_at += timedelta(minutes=minutes)


# --- answers ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Saved:
    answered: int
    total: int
    stale: bool  # an older save than the one already kept: nothing changed
    remaining: int | None  # seconds to the nearer deadline, for the page's clock


def save_answer(attempt: Attempt, item_id: str, answer, seq: int | None, tab: str) -> Saved:
    """Keep one answer. `seq` orders one tab's saves (None: newer than any, for a posted page).
    Refusals say why and change nothing."""
    if close_if_due(attempt):
        raise AnswerRefused(409, "Time is up. Every answer you gave before the deadline is "
                                 "kept and scored.")
    if not attempt.is_open:
        raise AnswerRefused(409, "This assessment is finished; answers can no longer change.")
    if tab != attempt.tab_token:
        raise AnswerRefused(409, "This assessment is open in another tab or window. Carry on "
                                 "there, or reload this page to carry on here.")
    bank = bank_of(attempt)
    item = bank.item(item_id)
    if item is None:
        raise AnswerRefused(422, f"'{item_id}' is not a question of this assessment.")
    section = current_section(attempt)
    if section is not None and item.section != section.key:
        raise AnswerRefused(409, "That question is in a section that is closed or not yet "
                                 "open; your answers there are kept as they were.")
    try:
        value = scoring.check_answer(item, answer)
    except scoring.ResponseError as error:
        raise AnswerRefused(422, str(error)) from None
    changes = _upsert_answer(attempt.id, item_id, value, seq)
    return Saved(answered=answered_count(attempt), total=question_count(bank),
                 stale=changes is None, remaining=remaining_seconds(attempt))


def save_answer_quickly(attempt_id: int, claim: sessions.Claim, item: banks.Item, answer,
                        seq: int, tab: str) -> Saved | None:
    """The usual autosave in one statement, for an attempt of known_bank(): the answer is
    written only if the claimed session is a live one of the attempt's candidate, and the
    attempt is of that bank version, open, in time, on this tab and in the item's section
    (the session loader's and save_answer's rules, checked by the database; the version, in
    case the database was restored or reset under this worker), and it returns what the page
    shows. None when nothing was written, for whatever reason: the session is loaded and
    save_answer loads the attempt and says which (sign in, 404, a refusal, a late save)."""
    bank = known_bank(attempt_id)
    if bank is None or bank.item(item.id) is not item:
        return None
    try:
        value = scoring.check_answer(item, answer)
    except scoring.ResponseError:
        return None
    now = utcnow()
    sections = [section.key for section in bank.sections]
    statement = _guarded_answer_upsert(db.engine.dialect.name, claim.roles,
                                       sectioned=bool(sections))
    # On the session's connection: a Core statement needs none of the ORM's execute steps.
    row = db.session.connection().execute(statement, {
        **claim.params(), "attempt_id": attempt_id, "item_id": item.id,
        "value": value, "seq": seq, "now": now, "tab": tab, "bank_version": bank.version,
        "cutoff": now - timedelta(seconds=GRACE_SECONDS),
        "section_index": sections.index(item.section) if sections else None}).first()
    if row is None:
        return None
    _forget_held(attempt_id, item.id)
    # The other items' answers plus this one: the same on databases whose RETURNING does and
    # does not see the row just written.
    return Saved(answered=row.others + 1, total=question_count(bank), stale=False,
                 remaining=_seconds_to(row.deadline_at, row.section_deadline_at, now))


# INSERT ... ON CONFLICT DO UPDATE ... RETURNING, as each database we run on spells it.
_INSERTS = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}


@functools.cache
def _answer_upsert(dialect: str, newest: bool):
    """The statement that keeps one answer: an INSERT, or an UPDATE of the stored answer when
    the sent seq is newer (a change counted, `first_saved_at` kept), returning `changes`; no row
    when the stored seq is as new or newer. `newest` (no seq sent): newer than any stored, so
    its seq is the stored one + 1. Built once per database and kind: building the statement
    costs several times more than running it."""
    answers = Answer.__table__
    first = _INSERTS[dialect](answers).values(
        attempt_id=bindparam("attempt_id"), item_id=bindparam("item_id"),
        value=bindparam("value"), seq=bindparam("seq"), first_saved_at=bindparam("now"),
        saved_at=bindparam("now"), changes=0)
    sent = first.excluded
    return first.on_conflict_do_update(
        index_elements=[answers.c.attempt_id, answers.c.item_id],
        set_={"value": sent.value, "saved_at": sent.saved_at, "changes": answers.c.changes + 1,
              "seq": answers.c.seq + 1 if newest else sent.seq},
        where=None if newest else sent.seq > answers.c.seq,
    ).returning(answers.c.changes)


@functools.cache
def _guarded_answer_upsert(dialect: str, roles: tuple[str, ...], sectioned: bool):
    """_answer_upsert's statement for a sent seq, inserting only when the claimed session is
    a live one of the candidate (holding one of `roles`) and the attempt takes answers: an
    INSERT ... SELECT whose SELECT finds no row otherwise. It returns the changes,
    the number of the attempt's other answers and its deadlines."""
    answers, attempts_table = Answer.__table__, Attempt.__table__
    cutoff = bindparam("cutoff", type_=Attempt.deadline_at.type)
    takes_answers = select(
        bindparam("attempt_id"), bindparam("item_id"), bindparam("value", type_=Answer.value.type),
        bindparam("seq"), bindparam("now", type_=Answer.saved_at.type),
        bindparam("now", type_=Answer.saved_at.type), literal(0),
    ).select_from(attempts_table.join(Application.__table__)).where(
        Attempt.id == bindparam("attempt_id"),
        sessions.live_session_of(Application.candidate_id, roles),
        Attempt.bank_version == bindparam("bank_version"),
        Attempt.status == IN_PROGRESS, Attempt.tab_token == bindparam("tab"),
        or_(Attempt.deadline_at.is_(None), Attempt.deadline_at >= cutoff),
        or_(Attempt.section_deadline_at.is_(None), Attempt.section_deadline_at >= cutoff),
        *([Attempt.section_index == bindparam("section_index")] if sectioned else []))
    first = _INSERTS[dialect](answers).from_select(
        ["attempt_id", "item_id", "value", "seq", "first_saved_at", "saved_at", "changes"],
        takes_answers)
    sent = first.excluded
    of_attempt = Attempt.id == bindparam("attempt_id")
    return first.on_conflict_do_update(
        index_elements=[answers.c.attempt_id, answers.c.item_id],
        set_={"value": sent.value, "saved_at": sent.saved_at, "changes": answers.c.changes + 1,
              "seq": sent.seq},
        where=sent.seq > answers.c.seq,
    ).returning(
        answers.c.changes,
        select(func.count()).select_from(Answer).where(
            Answer.attempt_id == bindparam("attempt_id"),
            Answer.item_id != bindparam("item_id")).scalar_subquery().label("others"),
        select(Attempt.deadline_at).where(of_attempt).scalar_subquery().label("deadline_at"),
        select(Attempt.section_deadline_at).where(of_attempt).scalar_subquery()
        .label("section_deadline_at"))


def _upsert_answer(attempt_id: int, item_id: str, value, seq: int | None) -> int | None:
    """Keep one answer in one statement: how often it changed before (0: a first answer), or
    None when `seq` is not newer than the stored one (a late save: nothing changes)."""
    upsert = _answer_upsert(db.engine.dialect.name, newest=seq is None)
    changes = db.session.execute(upsert, {
        "attempt_id": attempt_id, "item_id": item_id, "value": value,
        "seq": 1 if seq is None else seq, "now": utcnow()}).scalar()
    _forget_held(attempt_id, item_id)
    return changes


def _forget_held(attempt_id: int, item_id: str) -> None:
    """An answer written around the ORM: an Answer this session holds reloads when next read."""
    session = db.session()
    if not session.identity_map:
        return  # the usual autosave: nothing was loaded before the write
    held = session.identity_map.get(session.identity_key(Answer, (attempt_id, item_id)))
    if held is not None:
        session.expire(held)


def answers_of(attempt: Attempt) -> dict[str, object]:
    return {answer.item_id: answer.value for answer in db.session.scalars(
        select(Answer).where(Answer.attempt_id == attempt.id))}


_ANSWERED = select(func.count()).select_from(Answer).where(
    Answer.attempt_id == bindparam("attempt_id"))  # built once: every save asks it


def answered_count(attempt: Attempt) -> int:
    return db.session.scalar(_ANSWERED, {"attempt_id": attempt.id})


def question_count(bank: banks.Bank) -> int:
    return len(bank.items)


def record_signal(attempt: Attempt, kind: str) -> None:
    """Count an integrity signal (left the page, tried to paste). Signals are shown to the
    manager as facts to weigh, never as a fail."""
    column = SIGNALS[kind]
    if attempt.is_open and getattr(attempt, column) < MAX_SIGNALS:
        setattr(attempt, column, getattr(attempt, column) + 1)


# --- closing and scoring ---------------------------------------------------------------------

def submit(attempt: Attempt) -> None:
    """The candidate is done. After the deadline it counts as timed out, with the same
    answers kept."""
    if close_if_due(attempt) or not attempt.is_open:
        return
    _close(attempt, SUBMITTED, utcnow())


def _close(attempt: Attempt, status: str, when: datetime) -> None:
    attempt.status, attempt.closed_at = status, when
    score(attempt)
    bank = bank_of(attempt)
    if bank.step:
        application = attempt.application
        done = _step_done(application, bank.step)
        recruiting.record_step(application, bank.step,
                               steps.COMPLETED if done else steps.IN_PROGRESS,
                               _step_summary(application, bank.step))
    results_changed.send(attempt.application)


def score(attempt: Attempt) -> None:
    """Item points and scale scores from the saved answers under the attempt's bank version
    (and the bank's newest local norms, if any; each score names its norm); run again after a
    key is corrected, it re-scores."""
    bank = bank_of(attempt)
    saved = list(db.session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)))
    for answer in saved:
        item = bank.item(answer.item_id)
        if item is not None and item.type != "text":  # free text keeps its manager's score
            answer.points = scoring.item_points(item, answer.value)
    responses = {a.item_id: a.value for a in saved if bank.item(a.item_id) is not None
                 and bank.item(a.item_id).scales}
    attempt.scores = [s.as_dict() for s in scoring.score(bank, responses,
                                                         norms.current(attempt.bank_key))]
    by_item = {answer.item_id: answer for answer in saved}
    attempt.measures = [_typing_measures(item, by_item.get(item.id))
                        for item in bank.items if item.type == "typing"]


def _typing_measures(item: banks.Item, answer: Answer | None) -> dict:
    """Speed and accuracy of one typing item from the last in-time text and the server's
    times (see typing_test); nothing typed measures zero."""
    if answer is None or not answer.value.get("typed"):
        return {"item": item.id, "typed": 0, "errors": 0, "seconds": 0.0, "gross_wpm": 0.0,
                "net_wpm": 0.0, "accuracy": 0.0}
    passage = item.passages[answer.value["passage"]]
    seconds = max((answer.saved_at - answer.first_saved_at).total_seconds(), 1.0)
    measured = scoring.typing_result(passage, answer.value["typed"], seconds)
    return {"item": item.id, **measured.as_dict()}


def _step_done(application: Application, step_key: str) -> bool:
    latest = latest_attempts(application)
    return all(row.bank_key in latest and not latest[row.bank_key].is_open
               for row, _ in step_banks(step_key))


def _step_summary(application: Application, step_key: str) -> str:
    latest = latest_attempts(application)
    rows = step_banks(step_key)
    done = sum(1 for row, _ in rows if row.bank_key in latest
               and not latest[row.bank_key].is_open)
    timed_out = sum(1 for row, _ in rows if row.bank_key in latest
                    and latest[row.bank_key].status == TIMED_OUT)
    summary = f"{done} of {len(rows)} finished"
    return summary + (f"; time ran out on {timed_out}" if timed_out else "")


def close_expired(now: datetime | None = None) -> int:
    """Close every open attempt whose time has run out (the CLI runs this from cron, so steps
    complete even when a candidate never comes back)."""
    now = now or utcnow()
    cutoff = now - timedelta(seconds=GRACE_SECONDS)
    due = db.session.scalars(select(Attempt).where(
        Attempt.status == IN_PROGRESS,
        or_(Attempt.deadline_at < cutoff, Attempt.section_deadline_at < cutoff)))
    return sum(close_if_due(attempt, now) for attempt in due)


def score_text(answer: Answer, item: banks.Item, level: int, actor) -> None:
    """A manager's rubric level for a free-text answer; its points are level / best level."""
    answer.rubric_points, answer.scored_by_id = level, actor.id
    answer.points = level / item.max_rubric_points if item.max_rubric_points else 0.0
    audit.record("assessment.answer_scored", db.session.get(Attempt, answer.attempt_id), actor,
                 item=item.id, level=level)
