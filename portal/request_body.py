"""What a request body may be, checked before any view (or CSRF check) reads it.

Every route accepts at most MAX_CONTENT_LENGTH (about 1 MB) of HTML form data. A view that
takes more declares it:

    @accepts_upload("MAX_UPLOAD_MB")    multipart file parts, up to that many megabytes
    @accepts_json                        an application/json body (API endpoints)
    @accepts_beacon                      JSON sent as application/json or, as
                                         navigator.sendBeacon sends it, text/plain
    @accepts_bytes("SETTING_MB")         a raw application/octet-stream body up to that many
                                         megabytes, which the view reads itself

Anything else is refused before it is parsed: a JSON body or a file part sent to an HTML form
is 415/400, so a form never sees a number, a list or a file where it expects text.
"""

from flask import Flask, abort, current_app, request

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
JSON_TYPE = "application/json"
TEXT_TYPE = "text/plain"
BYTES_TYPE = "application/octet-stream"
METHODS_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def accepts_upload(megabytes_setting: str):
    """The view streams files to storage: raise its body limit to that setting's megabytes."""

    def decorate(view):
        view.upload_limit_setting = megabytes_setting
        return view

    return decorate


def accepts_json(view):
    view.accepts_json = True
    return view


def accepts_beacon(view):
    """JSON from fetch (application/json) or from navigator.sendBeacon, which can only send
    text/plain without a preflight: the view parses request.get_data() itself."""
    view.accepts_json = True
    view.accepts_beacon = True
    return view


def accepts_bytes(megabytes_setting: str):
    """The view reads a raw body (application/octet-stream) itself, up to that setting's
    megabytes; nothing parses it before the view."""

    def decorate(view):
        view.upload_limit_setting = megabytes_setting
        view.accepts_bytes = True
        return view

    return decorate


def contains_nul(value) -> bool:
    """NUL anywhere in a text, or in any key or value of a JSON document."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False


def _fields_hold_nul(fields) -> bool:
    """NUL in any key, or any value of a repeated key, of a query string or a form."""
    return any("\x00" in key or any("\x00" in value for value in values)
               for key, values in fields.lists())


def _check_body() -> None:
    # The request object itself: every proxied `request.x` costs a context lookup, and this
    # runs before every request, the smallest autosaves included.
    req = request._get_current_object()
    view = current_app.view_functions.get(req.endpoint) if req.endpoint else None
    upload_setting = getattr(view, "upload_limit_setting", None)
    if upload_setting:
        req.max_content_length = current_app.config[upload_setting] * 1024 * 1024
    # No text we store may hold NUL (PostgreSQL refuses it): every value of a repeated key,
    # and the keys themselves, not just the first value.
    if _fields_hold_nul(req.args):
        abort(400)
    if req.method not in METHODS_WITH_BODY:
        return
    mimetype = req.mimetype
    if not req.content_length and not req.headers.get("Transfer-Encoding") and not mimetype:
        return
    if mimetype == BYTES_TYPE and getattr(view, "accepts_bytes", False):
        return
    if mimetype == TEXT_TYPE and getattr(view, "accepts_beacon", False):
        if "\x00" in req.get_data(as_text=True):
            abort(400)
        return
    if mimetype == JSON_TYPE and getattr(view, "accepts_json", False):
        if contains_nul(req.get_json(silent=True)):
            abort(400)
        return
    if mimetype not in FORM_TYPES:
        abort(415)
    if req.files and not upload_setting:
        abort(400, "This form takes no files.")
    if _fields_hold_nul(req.form):
        abort(400)


def init_app(app: Flask) -> None:
    # First of all before-request hooks: CSRF protection reads the form, and the body limit
    # must be raised before anything parses an upload.
    app.before_request_funcs.setdefault(None, []).insert(0, _check_body)
