"""The public careers site: open openings and their pages."""

from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy import select

from portal.auth.permissions import is_recruiter, public
from portal.extensions import db
from portal.recruiting import services, template_helpers
from portal.recruiting.models import Application, Opening

bp = Blueprint("careers", __name__, template_folder="templates")
template_helpers.register(bp)


@bp.get("/")
@public
def index():
    return render_template("recruiting/careers.html", openings=services.open_openings())


@bp.get("/jobs/<int:opening_id>")
@public
def opening(opening_id: int):
    opening = db.session.get(Opening, opening_id)
    # Drafts and closed openings are not public; staff preview them from the pipeline.
    if opening is None or not (opening.is_open or is_recruiter(current_user)):
        abort(404)
    existing = None
    if current_user.is_authenticated:
        existing = db.session.scalar(select(Application).where(
            Application.opening_id == opening.id, Application.candidate_id == current_user.id))
    return render_template("recruiting/opening.html", opening=opening, existing=existing)


@bp.get("/privacy")
@public
def privacy():
    return render_template("recruiting/privacy.html", version=services.PRIVACY_NOTICE_VERSION)
