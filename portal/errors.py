"""Real error pages (HTML for people, JSON for API clients); a 500 is logged, rolled back."""

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from portal.extensions import db

MESSAGES = {
    400: ("Bad request", "Something in that request was not right. Please go back and try again."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Page not found", "We could not find that page. It may have moved or never existed."),
    405: ("Not allowed", "That action is not available here."),
    409: ("Not possible right now", "That cannot be done in the record's present state."),
    410: ("No longer valid", "What you asked for was withdrawn."),
    413: ("File too large", "That upload is larger than we accept."),
    429: ("Too many attempts", "Please wait a minute before trying again."),
    500: ("Something went wrong", "We have been told about it. Please try again in a moment."),
}


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith("/api/") or best == "application/json"


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, ("Error", "The request could not be completed."))
    if _wants_json():
        return {"error": title, "detail": detail or message}, code
    return render_template("errors/error.html", code=code, title=title,
                           message=detail or message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error):
        return render_error(400, "Your form expired or was sent from elsewhere. "
                                 "Please reload the page and try again.")

    @app.errorhandler(SecurityError)
    def _untrusted_host(error):
        # No page of ours is rendered for a host we do not serve (its links would point there).
        return "Unknown host.", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        # abort(code, "why") says why in words for the person; werkzeug's stock text does not,
        # nor does the rate limiter's ("10 per 1 minute").
        own_words = (error.description if error.description != type(error).description
                     and error.code != 429 else None)
        body, code = render_error(error.code or 500, own_words)
        # Keep what the error itself says in headers: Allow on 405, Retry-After on 429...
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return body, code, headers

    @app.errorhandler(Exception)
    def _unexpected(error):
        db.session.rollback()  # nothing half-written survives a crash
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(InternalServerError.code)
