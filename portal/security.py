"""Security headers on every response, and how Flask-Login protects the session."""

from flask import Flask, g, request
from flask_login import current_user

from portal.extensions import login_manager

# Served files: the portal's own, Bootstrap's, and the browser code its packages ship.
STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static", "assessments.static",
                              "recordings.static", "courses.static"})

# Everything is served from our own origin (Bootstrap included): no CDN, no inline script.
# Recordings play from the storage's origin when it hands out signed URLs (S3).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; media-src 'self' blob:{media}; "
    "style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'{frames}"
)


# No page may use the camera or the location; the microphone, our own pages only. A page that
# records video says so (with_camera).
PERMISSIONS_POLICY = "camera=(), geolocation=(), microphone=(self)"


def with_camera(response):
    """`response` for a page that records video: our own origin may use the camera too."""
    response.headers["Permissions-Policy"] = "camera=(self), geolocation=(), microphone=(self)"
    return response


def content_security_policy(config) -> str:
    media = ""
    if config["STORAGE_BACKEND"] == "s3":
        endpoint = config.get("S3_ENDPOINT_URL")
        media = f" {endpoint.rstrip('/')}" if endpoint else " https://*.amazonaws.com"
    # Course content on its own origin (COURSE_CONTENT_ORIGIN) is framed by the player.
    origin = config.get("COURSE_CONTENT_ORIGIN")
    frames = f"; frame-src 'self' {origin}; child-src 'self' {origin}" if origin else ""
    return CONTENT_SECURITY_POLICY.format(media=media, frames=frames)


def _in_signed_in_session() -> bool:
    """Whether this response belongs to a signed-in session. The session token sits on the
    user object, not in a column, so this reads no database; `is_authenticated` would reload
    the user and their roles after the view's commit, in a transaction of its own (on SQLite a
    POST's second write lock). Only an active user gets a token (sign-in and the session loader
    check), and signing out drops the user along with it. A view whose statement checked the
    session (permissions.first_tries) has no user loaded, and says so."""
    return g.get("session_checked_by_statement", False) or current_user.get_id() is not None


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    defaults = [("Content-Security-Policy", content_security_policy(app.config)),
                ("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "strict-origin-when-cross-origin"),
                ("Permissions-Policy", PERMISSIONS_POLICY)]
    if app.config["SESSION_COOKIE_SECURE"]:
        defaults.append(("Strict-Transport-Security", "max-age=31536000"))

    @app.after_request
    def _headers(response):
        # One pass over the response's headers, not one per default (setdefault scans them
        # all each time): this runs on every response, the smallest writes included.
        headers = response.headers
        present = {name.lower() for name, _ in headers.items()}
        missing = [(name, value) for name, value in defaults if name.lower() not in present]
        # A signed-in page is that person's: no browser or proxy may keep a copy of it.
        if request.endpoint not in STATIC_ENDPOINTS and _in_signed_in_session():
            if "cache-control" not in present:
                missing.append(("Cache-Control", "no-store"))
            elif "no-store" not in headers["Cache-Control"]:
                headers["Cache-Control"] = "no-store"
        headers.extend(missing)
        return response
