"""A course version's files, served to the browser in one of two ways (README, "Content
isolation"):

- same origin (COURSE_CONTENT_ORIGIN empty): `/courses/content/<version>/<path>` on the portal's
  origin, to a signed-in learner or staff member. The player frames them, and SCORM content
  finds the runtime's API through its parent frame.
- separate origin (COURSE_CONTENT_ORIGIN set): `/courses/isolated/<token>/<version>/<path>`,
  answered only on that origin's host, where no portal cookie exists: a signed, short-lived token
  in the path (a segment, so the content's relative URLs keep it) stands for the learner. The
  player frames `/courses/isolated/<token>/launcher` there, which holds the runtime and talks to
  the player through postMessage (scorm_bridge.js); the portal's own host refuses these URLs,
  so it never serves uploaded script in this mode."""

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from courses.models import ContentBlob, CourseFile, CourseVersion
from courses.tracking_models import Registration
from portal import storage
from portal.auth.models import ADMIN, MANAGER, TRAINER
from portal.auth.permissions import public, signed_in
from portal.extensions import db

bp = Blueprint("course_content", __name__, url_prefix="/courses")

# Authoring tools write inline script and eval, so the portal's strict policy would break most
# packages; this one replaces it on these responses only (the security hook sets only what a
# view left unset). The player frames the content, hence SAMEORIGIN instead of DENY.
CONTENT_SECURITY_POLICY = ("default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; "
                           "frame-ancestors 'self'")
# On the content origin the portal's page is an ancestor too (player > launcher > SCO).
ISOLATED_CONTENT_SECURITY_POLICY = ("default-src 'self' 'unsafe-inline' 'unsafe-eval' data: "
                                    "blob:; frame-ancestors 'self' {portal}")
# The launcher is ours: its own scripts and the SCO's frame, from the content origin only;
# it sends one thing to the portal, the farewell commit when the tab closes (player_views).
LAUNCHER_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; "
                            "frame-src 'self'; child-src 'self'; base-uri 'none'; "
                            "form-action 'none'; frame-ancestors {portal}; "
                            "connect-src {portal}{final_commits}")
TOKEN_SALT = "course-content-origin"
TOKEN_MAX_AGE = 4 * 3600  # a launch lasts a working session at most


@bp.get("/content/<int:version_id>/<path:path>")
@signed_in
def file(version_id: int, path: str):
    """Found by its row, never by the URL on a file system: a path that is not a file of this
    version ('..' included) is simply not found. Staff see every course's files; a learner
    only those of courses they are registered to."""
    if content_origin():
        abort(404)  # separate-origin mode: uploaded script never runs on the portal's origin
    if not current_user.has_role(TRAINER, MANAGER, ADMIN) and not _registered(version_id):
        abort(404)
    return _file_response(version_id, path, CONTENT_SECURITY_POLICY)


@bp.get("/isolated/<token>/<int:version_id>/<path:path>")
@public  # no portal cookie on the content origin: the token is the credential
def isolated_file(token: str, version_id: int, path: str):
    claims = _claims(token)
    if claims["v"] != version_id:
        abort(404)
    return _file_response(version_id, path,
                          ISOLATED_CONTENT_SECURITY_POLICY.format(portal=claims["p"]))


@bp.get("/isolated/<token>/launcher")
@public
def launcher(token: str):
    claims = _claims(token)
    response = current_app.make_response(render_template(
        "courses/launcher.html", portal_origin=claims["p"]))
    # The farewell commits' folder: a source with a path ending in "/" allows what is in it.
    final_commits = url_for("course_player.final_commit", token="-")[:-1]
    response.headers["Content-Security-Policy"] = LAUNCHER_SECURITY_POLICY.format(
        portal=claims["p"], final_commits=final_commits)
    # No X-Frame-Options can name another origin; frame-ancestors above is the rule (browsers
    # ignore X-Frame-Options when it is present), SAMEORIGIN is for those that do not know it.
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    return response


def _file_response(version_id: int, path: str, policy: str):
    found = db.session.execute(
        select(ContentBlob.key, CourseFile.size, CourseFile.content_type)
        .join(ContentBlob, ContentBlob.sha256 == CourseFile.blob_sha256)
        .where(CourseFile.version_id == version_id, CourseFile.path == path)).first()
    if found is None:
        abort(404)
    try:
        response = storage.inline_response(found.key, found.size, found.content_type)
    except storage.ObjectNotFound:
        abort(404)
    response.headers["Content-Security-Policy"] = policy
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _registered(version_id: int) -> bool:
    return db.session.scalar(select(Registration.id).join(
        CourseVersion, CourseVersion.course_id == Registration.course_id).where(
        CourseVersion.id == version_id, Registration.learner_id == current_user.id)
        .limit(1)) is not None


# --- the separate content origin -----------------------------------------------------------

def content_origin() -> str:
    """COURSE_CONTENT_ORIGIN, or "" in same-origin mode."""
    return current_app.config.get("COURSE_CONTENT_ORIGIN") or ""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def content_token(version_id: int, user_id: int, portal_origin: str) -> str:
    """A launch's credential on the content origin: the version, the user, and the portal's
    origin (the only one the launcher talks to and the content may be framed by)."""
    return _serializer().dumps({"v": version_id, "u": user_id, "p": portal_origin})


def _claims(token: str) -> dict:
    """The token's claims; 404 unless it is good, fresh, and asked for on the content host."""
    origin = content_origin()
    if not origin or request.host.lower() != urlsplit(origin).netloc.lower():
        abort(404)
    try:
        claims = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
    except BadSignature:  # SignatureExpired included
        abort(404)
    if not isinstance(claims, dict) or not isinstance(claims.get("v"), int) \
            or not isinstance(claims.get("p"), str):
        abort(404)
    return claims
