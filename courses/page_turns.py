"""A lesson's page turn, the commit most requests are, in as few statements as it can be.

The full path (player_views.commit) loads the attempt and the SCO's state through the ORM. A
page turn changes nothing the roll-ups read, so it can be written directly:
- when this worker wrote or read the SCO's state last, in ONE statement: an UPDATE of the state
  it remembers, which finds its row only if nobody has written it since (its `seq` and
  `updated_at` unchanged) and the claimed session is still a live one of the learner;
- otherwise in two: the state loaded for update by a query that also checks the session, then
  the same UPDATE.
Whatever does not fit (not signed in, not theirs, a bad token, a refusal, a stale commit, an
outcome that changed) is answered by the full path, which says why or rolls up.
"""

import functools
import hmac
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from flask import jsonify
from sqlalchemy import bindparam, select

from courses import registrations, sco_sessions
from courses.models import CourseVersion
from courses.tracking_models import Attempt, Registration, ScoState
from portal.auth import sessions
from portal.extensions import db, utcnow

# What sco_sessions.apply reads (the first two) and may set (the others) of a SCO's state.
WRITTEN_COLUMNS = ("values", "seq", "terminated", "exit", "completion", "success", "score",
                   "total_seconds")
STATE_COLUMNS = ("attempt_id", "item", *WRITTEN_COLUMNS)
# States remembered per worker, by the characters of their values (a SCO may keep 64,000 of
# suspend data): past this the memory is dropped and rebuilt as learners go on.
MAX_REMEMBERED_CHARS = 8_000_000


@dataclass(frozen=True)
class Known:
    """A SCO's state as this worker last wrote or read it, with what a commit checks of its
    attempt (none of which changes during the attempt, but the last activity)."""
    state: dict            # STATE_COLUMNS' values
    updated_at: datetime
    token: str
    learner_id: int
    version_id: int
    package_sha256: str
    last_activity_at: datetime


_known: dict[tuple[int, str], Known] = {}
_known_chars = 0


class _WrittenSince(Exception):
    """The remembered state may not be the stored one any more, or the session is not live:
    load them."""


def commit_quickly(claim: sessions.Claim, attempt_id: int, item: str, body: dict):
    """The page turn `body` (a commit's JSON object) written, and the answer; None: the full
    path answers."""
    try:
        sco_sessions.check_shape(body.get("seq"), body.get("changes"))
    except sco_sessions.CommitRefused:
        return None
    known = _known.get((attempt_id, item))
    if known is not None:
        try:
            return _write(claim, known, body, checked=False)
        except _WrittenSince:
            forget(attempt_id, item)
    found = db.session.execute(_state_of_live_learner(claim.roles), {
        **claim.params(), "attempt_id": attempt_id, "item": item}).first()
    if found is None:
        return None
    known = Known(state={name: found._mapping[name] for name in STATE_COLUMNS},
                  updated_at=found.updated_at, token=found.token, learner_id=found.learner_id,
                  version_id=found.id, package_sha256=found.package_sha256,
                  last_activity_at=found.last_activity_at)
    return _write(claim, known, body, checked=True)


def forget(attempt_id: int, item: str) -> None:
    """The SCO's state was written another way (a launch, the full path): read it again."""
    global _known_chars
    dropped = _known.pop((attempt_id, item), None)
    if dropped is not None:
        _known_chars -= _chars(dropped.state)


def _write(claim: sessions.Claim, known: Known, body: dict, *, checked: bool):
    """The commit applied to `known` and written: by an UPDATE that checks nobody wrote the
    state since and the session is live, unless `checked` (the state was just loaded for
    update, the session with it). None, with nothing written: the full path answers;
    _WrittenSince: the state must be loaded first, and the commit tried on it."""
    if not hmac.compare_digest(str(body.get("token", "")), known.token) \
            or utcnow() - known.last_activity_at > registrations.ACTIVITY_EVERY:
        return _give_up(checked)
    state = SimpleNamespace(**{**known.state, "values": dict(known.state["values"])})
    try:
        done = sco_sessions.apply(state, sco_sessions.facts_of(
            known.version_id, known.package_sha256), body["seq"], body["changes"],
            bool(body.get("terminate")))
    except sco_sessions.CommitRefused:
        return _give_up(checked)
    if done.stale or done.outcome_changed:  # the full path answers or rolls up
        return _give_up(checked)
    now = utcnow()
    written = {f"new_{name}": getattr(state, name) for name in WRITTEN_COLUMNS}
    where = {"of_attempt": state.attempt_id, "of_item": state.item, "now": now}
    if checked:
        db.session.execute(_page_turn_update(), {**where, **written})
    else:
        found = db.session.execute(_unchanged_page_turn_update(claim.roles), {
            **where, **written, **claim.params(), "was_seq": known.state["seq"],
            "was_updated_at": known.updated_at, "learner_id": known.learner_id}).rowcount
        if found != 1:
            db.session.rollback()
            raise _WrittenSince
    db.session.commit()
    _remember(Known(state={name: getattr(state, name) for name in STATE_COLUMNS},
                    updated_at=now, token=known.token, learner_id=known.learner_id,
                    version_id=known.version_id, package_sha256=known.package_sha256,
                    last_activity_at=known.last_activity_at))
    return jsonify(ok=True, stale=False, completion=done.completion, success=done.success)


def _give_up(checked: bool) -> None:
    """None for the full path, after a state just loaded; from a remembered one, which may
    be out of date (a commit that looks stale or refused by it), the state is loaded first."""
    if not checked:
        raise _WrittenSince
    db.session.rollback()  # the row lock the load took
    return None


def _remember(known: Known) -> None:
    global _known_chars
    forget(known.state["attempt_id"], known.state["item"])
    chars = _chars(known.state)
    if _known_chars + chars > MAX_REMEMBERED_CHARS:
        _known.clear()
        _known_chars = 0
    _known[known.state["attempt_id"], known.state["item"]] = known
    _known_chars += chars


def _chars(state: dict) -> int:
    return sum(len(value) for value in state["values"].values() if isinstance(value, str))


@functools.cache
def _state_of_live_learner(roles: tuple[str, ...]):
    """A SCO's state for update, with what a page turn needs of its attempt, found only when
    the claimed session is a live one of the attempt's learner. Built once: building a
    statement costs more than running this one."""
    return (select(*(getattr(ScoState, name) for name in STATE_COLUMNS), ScoState.updated_at,
                   Attempt.token, Registration.learner_id, CourseVersion.id,
                   CourseVersion.package_sha256, Attempt.last_activity_at)
            .join(Attempt, Attempt.id == ScoState.attempt_id)
            .join(Registration, Registration.id == Attempt.registration_id)
            .join(CourseVersion, CourseVersion.id == Attempt.version_id)
            .where(ScoState.attempt_id == bindparam("attempt_id"),
                   ScoState.item == bindparam("item"),
                   sessions.live_session_of(Registration.learner_id, roles))
            .with_for_update(of=ScoState))


@functools.cache
def _page_turn_update():
    """The state written back without the ORM's unit of work (a third of a page turn's time):
    every column apply() may set."""
    table = ScoState.__table__
    return (table.update()
            .where(table.c.attempt_id == bindparam("of_attempt"),
                   table.c.item == bindparam("of_item"))
            .values(updated_at=bindparam("now"), **{
                name: bindparam(f"new_{name}") for name in WRITTEN_COLUMNS}))


@functools.cache
def _unchanged_page_turn_update(roles: tuple[str, ...]):
    """_page_turn_update, finding its row only if its seq and updated_at are still the ones
    remembered and the claimed session is a live one of the learner (an attempt's learner
    never changes: a value bound, so the session check joins nothing)."""
    table = ScoState.__table__
    return _page_turn_update().where(
        table.c.seq == bindparam("was_seq"),
        table.c.updated_at == bindparam("was_updated_at", type_=ScoState.updated_at.type),
        sessions.live_session_of(bindparam("learner_id"), roles))
