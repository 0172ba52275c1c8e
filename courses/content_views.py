"""A course version's files, served to the browser from the portal's own origin: the player
frames them, and SCORM content finds the runtime's API through its parent frame, which a signed
storage URL on another origin could not reach."""

from flask import Blueprint, abort
from flask_login import current_user
from sqlalchemy import select

from courses.models import ContentBlob, CourseFile, CourseVersion
from courses.tracking_models import Registration
from portal import storage
from portal.auth.models import ADMIN, MANAGER, TRAINER
from portal.auth.permissions import signed_in
from portal.extensions import db

bp = Blueprint("course_content", __name__, url_prefix="/courses/content")

# Authoring tools write inline script and eval, so the portal's strict policy would break most
# packages; this one replaces it on these responses only (the security hook sets only what a
# view left unset). The player frames the content, hence SAMEORIGIN instead of DENY.
CONTENT_SECURITY_POLICY = ("default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; "
                           "frame-ancestors 'self'")


@bp.get("/<int:version_id>/<path:path>")
@signed_in
def file(version_id: int, path: str):
    """Found by its row, never by the URL on a file system: a path that is not a file of this
    version ('..' included) is simply not found. Staff see every course's files; a learner
    only those of courses they are registered to."""
    if not current_user.has_role(TRAINER, MANAGER, ADMIN) and not _registered(version_id):
        abort(404)
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
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


def _registered(version_id: int) -> bool:
    return db.session.scalar(select(Registration.id).join(
        CourseVersion, CourseVersion.course_id == Registration.course_id).where(
        CourseVersion.id == version_id, Registration.learner_id == current_user.id)
        .limit(1)) is not None
