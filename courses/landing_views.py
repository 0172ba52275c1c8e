"""The agent's home: today's assignments, completed courses, announcements and tool links; an
announcement's own page. Opening the home page marks nothing read: "Mark as read" or the
announcement's own page does."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from courses import announcements
from courses.landing import landing_for
from portal.auth.models import AGENT
from portal.auth.permissions import roles
from portal.extensions import db, utcnow, writes_on_get

bp = Blueprint("landing", __name__, url_prefix="/me", template_folder="templates")

STATUS_LABELS = {"not attempted": "Not started", "incomplete": "In progress",
                 "completed": "Completed", "passed": "Passed", "failed": "Not passed"}


@bp.get("/home")
@roles(AGENT)
def home():
    return render_template("courses/landing.html", landing=landing_for(current_user.id),
                           labels=STATUS_LABELS, now=utcnow())


@bp.get("/announcements/<int:announcement_id>")
@roles(AGENT)
@writes_on_get  # reading it marks it read
def announcement(announcement_id: int):
    found = _visible_or_404(announcement_id)
    announcements.mark_read(current_user.id, found)
    db.session.commit()
    return render_template("courses/announcement.html", announcement=found)


@bp.post("/announcements/<int:announcement_id>/read")
@roles(AGENT)
def mark_read(announcement_id: int):
    announcements.mark_read(current_user.id, _visible_or_404(announcement_id))
    db.session.commit()
    return redirect(url_for(".home") + "#announcements", code=303)


def _visible_or_404(announcement_id: int):
    """An announcement the agent may see; any other (another team's, ended, archived, or
    none at all) is not found."""
    found = announcements.visible_one(current_user.id, announcement_id)
    if found is None:
        abort(404)
    return found
