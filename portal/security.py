"""Security headers on every response, and how Flask-Login protects the session."""

from flask import Flask, request
from flask_login import current_user

from portal.extensions import login_manager

# Served files: the portal's own, Bootstrap's, and the browser code screening packages ship.
STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static", "assessments.static"})

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

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Permissions-Policy", "camera=(), geolocation=(), microphone=(self)")
        # A signed-in page is that person's: no browser or proxy may keep a copy of it.
        if request.endpoint not in STATIC_ENDPOINTS and current_user.is_authenticated:
            headers["Cache-Control"] = "no-store"
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
