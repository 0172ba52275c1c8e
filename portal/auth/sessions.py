"""Signed-in sessions that the server can end.

Flask's session cookie is signed, not stored: on its own, logging out could not stop a copied
cookie or a remember-me cookie. So every sign-in is a `UserSession` row, and the cookies carry
only a random token whose hash is that row's key. Logging out deletes the row; so do "sign out
of all other devices", a password reset, deactivation and erasure. A remember-me session lasts
REMEMBER_DAYS at most from sign-in and gets a new token each time the cookie brings it back;
a change of the user's roles renews the token and the CSRF secret too.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app, g, has_request_context, request, session
from flask_login import current_user, login_user, logout_user, user_loaded_from_cookie
from sqlalchemy import ColumnElement, Row, bindparam, delete, exists, insert, select, update
from sqlalchemy.orm import joinedload

from portal import audit, user_agents
from portal.auth.models import User, UserRole, UserSession
from portal.extensions import db, login_manager, utcnow
from portal.security import STATIC_ENDPOINTS

# Refresh "last seen" at most this often: a write per request would serialise readers.
LAST_SEEN_EVERY = timedelta(minutes=5)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _roles_stamp(user: User) -> str:
    return ",".join(sorted(user.roles))


def _lifetime(remember: bool) -> timedelta:
    config = current_app.config
    if remember:
        return timedelta(days=config["REMEMBER_DAYS"])
    return timedelta(seconds=config["PERMANENT_SESSION_LIFETIME"])


def _new_row(user: User, remember: bool, expires_at: datetime):
    """An INSERT for a new session of `user` (its token becomes the user's session_token)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    in_request = has_request_context()
    user.session_token = token
    return insert(UserSession).values(
        token_hash=_hash(token), user_id=user.id, remember=remember,
        roles_stamp=_roles_stamp(user),
        user_agent=(request.user_agent.string or "")[:200] if in_request else "",
        ip_address=request.remote_addr if in_request else None,
        created_at=now, last_seen_at=now, expires_at=expires_at)


# --- in a request: sign in, out, renew -------------------------------------------------------

def sign_in(user: User, remember: bool) -> None:
    """Start a new session for `user`. The old session is cleared first, so nothing (the
    CSRF secret included) carries over from before the sign-in."""
    session.clear()
    lifetime = _lifetime(remember)
    db.session.execute(_new_row(user, remember, utcnow() + lifetime))
    login_user(user, remember=remember, duration=lifetime)


def sign_out() -> None:
    if current_user.is_authenticated and current_user.session_token:
        db.session.execute(delete(UserSession).where(
            UserSession.token_hash == _hash(current_user.session_token)))
    logout_user()
    session.clear()
    session["_remember"] = "clear"  # logout_user's own request to drop the cookie, kept


def _write_later(*statements) -> None:
    g.setdefault("session_writes", []).extend(statements)


def _renew(user: User, row) -> None:
    """Same session, new token: after a remember-me cookie was used, or a change of roles.
    `row`: the UserSession, or the loader's row of its id, remember and expires_at."""
    _write_later(_new_row(user, row.remember, row.expires_at),
                 delete(UserSession).where(UserSession.id == row.id))
    session["_user_id"] = user.session_token
    session.pop("csrf_token", None)
    if row.remember:
        session["_remember"] = "set"
        session["_remember_seconds"] = max(0, (row.expires_at - utcnow()).total_seconds())


def _row_for(token: str) -> UserSession | None:
    return db.session.scalar(select(UserSession).where(UserSession.token_hash == _hash(token)))


# Built once: every signed-in request starts with it, and building a statement costs more
# than running this one. Only the session columns the loader uses: each column read costs.
_USER_AND_SESSION = (
    select(User, UserSession.id, UserSession.remember, UserSession.roles_stamp,
           UserSession.last_seen_at, UserSession.expires_at)
    .join(UserSession, UserSession.user_id == User.id)
    .where(UserSession.token_hash == bindparam("token_hash"))
    .options(joinedload(User.role_rows)))


def _user_and_row_for(token: str) -> Row | None:
    """The user of a session token, the user's roles loaded too, and the session's columns
    the loader needs: one query."""
    return db.session.execute(_USER_AND_SESSION, {"token_hash": _hash(token)}).unique().first()


@login_manager.user_loader
def _load_user(token: str) -> User | None:
    row = _user_and_row_for(token)
    if row is None:
        return None
    user = row.User
    if row.expires_at <= utcnow() or not user.is_active:
        return None
    user.session_token = token
    if row.roles_stamp != _roles_stamp(user):
        _renew(user, row)
    elif utcnow() - row.last_seen_at > LAST_SEEN_EVERY:
        _write_later(update(UserSession).where(UserSession.id == row.id)
                     .values(last_seen_at=utcnow()))
    return user


@user_loaded_from_cookie.connect
def _renew_after_cookie(app, user: User) -> None:
    row = _row_for(user.session_token)
    if row is not None:
        _renew(user, row)


def load_session() -> None:
    """Load the user, then write what loading decided (last seen, a renewed token) in a
    transaction of its own that starts with the write: on SQLite a GET's transaction that read
    first could not take the write lock later."""
    if not current_user.is_authenticated:
        return
    writes = g.pop("session_writes", None)
    if writes:
        db.session.commit()  # ends the reads of the loader; nothing of the view is pending
        for statement in writes:
            db.session.execute(statement)
        db.session.commit()


# --- a write that checks the session itself --------------------------------------------------
# The hottest request (an answer's autosave) would spend as long reading the session, the user
# and the roles as writing the answer. Its statement can check the session instead, as one more
# condition of the same write: a session ended a moment ago is refused just the same.

def defers_loading(view) -> bool:
    """Whether `view` loads the session itself, after trying a statement that checks it."""
    return getattr(view, "defers_session_loading", False)


@dataclass(frozen=True)
class Claim:
    """The session a request's cookie claims, and the roles the view accepts."""
    token: str
    roles: tuple[str, ...]  # empty: any signed-in user

    def params(self) -> dict:
        """The bound values live_session_of() reads."""
        now = utcnow()
        return {"session_hash": _hash(self.token), "session_now": now,
                "seen_since": now - LAST_SEEN_EVERY}


def claim(roles) -> Claim | None:
    """The session this request's cookie claims, when the loader would take the cookie as it
    is: a session cookie (not a remember-me one) of this same browser ('strong' protection's
    identifier). None: the loader has to decide."""
    token = session.get("_user_id")
    if not token or session.get("_id") != login_manager._session_identifier_generator():
        return None
    return Claim(token, tuple(sorted(roles)))


def live_session_of(user_id: ColumnElement, roles: tuple[str, ...]) -> ColumnElement:
    """SQL, true when the session of a Claim's params() is a live one of the user `user_id`:
    not expired, seen within LAST_SEEN_EVERY (older, the loader refreshes it), its user active
    and holding one of `roles` (a Claim's). What the loader and the access rule check, but the
    renewal of a token after a change of roles, which the next page the user opens does."""
    # One EXISTS over the three tables: a nested one would not see `user_id`'s table. Its
    # tables joined to each other, so that `user_id` may also be a bound value. A bound value
    # per role: an expanding IN would be rendered again on every execution.
    holds_role = [UserRole.user_id == UserSession.user_id, UserRole.role.in_(
        [bindparam(f"role_{n}", role) for n, role in enumerate(roles)])] if roles else []
    return exists().where(
        UserSession.token_hash == bindparam("session_hash"), UserSession.user_id == user_id,
        UserSession.expires_at > bindparam("session_now", type_=UserSession.expires_at.type),
        UserSession.last_seen_at > bindparam("seen_since", type_=UserSession.last_seen_at.type),
        User.id == UserSession.user_id, User.is_active_account.is_(True),
        User.erased_at.is_(None), *holds_role)


def init_app(app: Flask) -> None:
    @app.before_request
    def _load_session_first():
        """Load the user before any view runs (unless the view does it itself)."""
        if request.endpoint in STATIC_ENDPOINTS or \
                defers_loading(app.view_functions.get(request.endpoint)):
            return
        load_session()


# --- without a request: listing and ending sessions ------------------------------------------

def active_for(user: User) -> list[UserSession]:
    return list(db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id,
                                  UserSession.expires_at > utcnow())
        .order_by(UserSession.last_seen_at.desc())))


def device_label(user_agent: str) -> str:
    """'Chrome 131 on Windows' from a User-Agent header, for a person to recognise."""
    return user_agents.parse(user_agent).label


def is_current(row: UserSession, user: User) -> bool:
    return bool(user.session_token) and row.token_hash == _hash(user.session_token)


def end_all(user: User, *, except_token: str | None = None) -> int:
    """End every session of `user` (but the one holding `except_token`); how many ended."""
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    if except_token:
        stmt = stmt.where(UserSession.token_hash != _hash(except_token))
    return db.session.execute(stmt).rowcount


def sign_out_elsewhere(user: User) -> int:
    """"Sign out of all other devices": every session of `user` but this one."""
    ended = end_all(user, except_token=user.session_token)
    audit.record("user.sessions_ended", user, user, sessions=ended)
    return ended


def purge_expired() -> int:
    return db.session.execute(delete(UserSession).where(
        UserSession.expires_at <= utcnow())).rowcount

