"""Every view declares who may reach it; one hook enforces it, and refuses what declares nothing.

    @public                      anyone, logged in or not
    @signed_in                   any logged-in user
    @roles(MANAGER, ADMIN)       a logged-in user holding one of these roles

Ownership (a candidate's own application) is checked by `owned_or_404`, which answers 404 for
someone else's record so that guessing ids reveals nothing.

    @roles(CANDIDATE)
    @first_tries(write_checking_the_session)   one statement checks the session and writes
"""

import functools
from dataclasses import dataclass

from flask import Flask, abort, current_app, g, request
from flask_login import current_user
from sqlalchemy import select

from portal.auth import sessions
from portal.auth.models import ADMIN, MANAGER
from portal.extensions import db, login_manager
from portal.security import STATIC_ENDPOINTS  # served by Flask and extensions, not our views


@dataclass(frozen=True)
class Access:
    is_public: bool = False
    roles: frozenset[str] = frozenset()  # empty and not public: any signed-in user


def public(view):
    view.access = Access(is_public=True)
    return view


def signed_in(view):
    view.access = Access()
    return view


def roles(*allowed: str):
    def decorate(view):
        view.access = Access(roles=frozenset(allowed))
        return view

    return decorate


def first_tries(attempt):
    """For the hottest writes: before the user is loaded, `attempt(claim, **view_args)` gets
    the session the cookie claims (`sessions.Claim`, with the view's roles) and answers the
    request itself when its one statement both checks that session
    (`sessions.live_session_of`) and writes.
    When it returns None (it wrote nothing, or there was no token to try), the session is
    loaded, the access rule enforced, and the view answers as any other, refusals included."""
    def decorate(view):
        @functools.wraps(view)
        def first_try_then_view(**view_args):
            claim = sessions.claim(access_of(request.endpoint).roles)
            response = attempt(claim, **view_args) if claim else None
            if response is not None:
                g.session_checked_by_statement = True
                return response
            sessions.load_session()
            refusal = _enforce(current_app, request.endpoint)
            return refusal if refusal is not None else view(**view_args)

        first_try_then_view.defers_session_loading = True
        return first_try_then_view

    return decorate


def access_of(endpoint: str) -> Access | None:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def _enforce(app: Flask, endpoint: str):
    """None when the request may go on; otherwise the answer that refuses it."""
    access = access_of(endpoint)
    if access is None:
        app.logger.error("endpoint %s declares no access rule; refused", endpoint)
        abort(403)
    if access.is_public:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if access.roles and not current_user.has_role(*access.roles):
        abort(403)
    return None


def init_app(app: Flask) -> None:
    @app.before_request
    def _enforce_access():
        if request.endpoint is None or request.endpoint in STATIC_ENDPOINTS:
            return None  # 404/405 are answered by routing
        view = app.view_functions.get(request.endpoint)
        if sessions.defers_loading(view):
            # Its access rule is declared all the same (refused below when missing); the
            # view enforces it once its first try has not answered.
            if access_of(request.endpoint) is not None:
                return None
        return _enforce(app, request.endpoint)


def is_recruiter(user) -> bool:
    return user.is_authenticated and user.has_role(MANAGER, ADMIN)


def owned_or_404(model, object_id: int, owner_column: str = "candidate_id"):
    """The signed-in user's own `model` row; anyone else's is 'not found', not 'forbidden',
    so that guessing ids reveals nothing."""
    row = db.session.scalar(select(model).where(
        model.id == object_id, getattr(model, owner_column) == current_user.id))
    if row is None:
        abort(404)
    return row
