"""Security headers on every response, and the session loader."""

from flask import Flask, abort, request

from portal.extensions import db, login_manager

# Everything is served from our own origin (Bootstrap included): no CDN, no inline script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
    "style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @app.before_request
    def _refuse_nul_bytes():
        # No text we store may hold NUL (PostgreSQL refuses it); say so before any view runs.
        values = [*request.args.values(), *request.form.values()]
        if any("\x00" in value for value in values):
            abort(400)

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), geolocation=(), microphone=(self)")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


@login_manager.user_loader
def _load_user(session_id: str):
    """Sessions carry `id:credentials_version`: a password change logs out other sessions."""
    from portal.auth.models import User

    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.credentials_version != int(version) or not user.is_active:
        return None
    return user
