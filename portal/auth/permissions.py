"""Every view declares who may reach it; one hook enforces it, and refuses what declares nothing.

    @public                      anyone, logged in or not
    @signed_in                   any logged-in user
    @roles(MANAGER, ADMIN)       a logged-in user holding one of these roles

Ownership (a candidate's own application) is checked by `owned_or_404`, which answers 404 for
someone else's record so that guessing ids reveals nothing.
"""

from dataclasses import dataclass

from flask import Flask, abort, current_app, request
from flask_login import current_user
from sqlalchemy import select

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


def access_of(endpoint: str) -> Access | None:
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def init_app(app: Flask) -> None:
    @app.before_request
    def _enforce_access():
        if request.endpoint is None or request.endpoint in STATIC_ENDPOINTS:
            return None  # 404/405 are answered by routing
        access = access_of(request.endpoint)
        if access is None:
            app.logger.error("endpoint %s declares no access rule; refused", request.endpoint)
            abort(403)
        if access.is_public:
            return None
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if access.roles and not current_user.has_role(*access.roles):
            abort(403)
        return None


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
