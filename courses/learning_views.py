"""Trainers', managers' and administrators' pages for what agents see on their landing page:
announcements (written with a preview, archived rather than deleted) and tool links."""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from courses import announcements, tool_links
from courses.formatting import to_html
from courses.forms import AnnouncementForm, ToolLinkForm
from courses.landing_models import KINDS, Announcement, ToolLink
from portal import listing
from portal.auth.models import ADMIN, MANAGER, TRAINER
from portal.auth.permissions import roles
from portal.extensions import db
from portal.recruiting.models import Opening
from portal.teams.services import all_teams

bp = Blueprint("learning", __name__, url_prefix="/learning", template_folder="templates")
AUTHORS = (TRAINER, MANAGER, ADMIN)
PAGE_SIZE = 25


# Announcements are shown on the agents' pages (landing_views) too, so app-wide.
@bp.app_template_filter("formatted")
def _formatted(text: str):
    return to_html(text)


@bp.app_context_processor
def _kinds():
    return {"announcement_kinds": KINDS}


# --- announcements ---------------------------------------------------------------------------

@bp.get("/announcements/")
@roles(*AUTHORS)
def announcements_index():
    try:
        page = announcements.staff_page(request.args.get("after"), request.args.get("before"),
                                        PAGE_SIZE)
    except listing.BadCursor as bad:
        flash(str(bad), "warning")
        return redirect(url_for(".announcements_index"))
    return render_template("courses/announcements.html", page=page,
                           today=announcements.today())


@bp.route("/announcements/new", methods=["GET", "POST"])
@roles(*AUTHORS)
def new_announcement():
    return _announcement_page(None)


@bp.route("/announcements/<int:announcement_id>", methods=["GET", "POST"])
@roles(*AUTHORS)
def edit_announcement(announcement_id: int):
    return _announcement_page(db.get_or_404(Announcement, announcement_id))


def _announcement_page(announcement: Announcement | None):
    """The form; posted with Preview, the page again with the text as agents will see it;
    with Save, the announcement saved (or the page with every problem, 422)."""
    if request.method == "POST":
        form = AnnouncementForm()
    elif announcement is None:
        form = AnnouncementForm(data={"starts_on": announcements.today()})
    else:
        form = AnnouncementForm(obj=announcement)
    form.set_choices(all_teams(), db.session.scalars(
        select(Opening).order_by(Opening.title, Opening.id)))
    previewing = form.preview.data
    if form.validate_on_submit() and not previewing:
        try:
            if announcement is None:
                announcement = announcements.create(form.fields(), current_user)
            else:
                announcements.update(announcement, form.fields(), current_user)
        except announcements.AnnouncementRefused as refused:
            form.title.errors.append(str(refused))
        else:
            db.session.commit()
            flash(f"Announcement saved: {announcement.title}.", "success")
            return redirect(url_for(".announcements_index"), code=303)
    return render_template("courses/announcement_form.html", form=form,
                           announcement=announcement, previewing=previewing,
                           today=announcements.today()), 422 if form.errors else 200


@bp.post("/announcements/<int:announcement_id>/archive")
@roles(*AUTHORS)
def archive_announcement(announcement_id: int):
    found = db.get_or_404(Announcement, announcement_id)
    archive = request.form.get("archive") == "1"
    announcements.set_archived(found, archive, current_user)
    db.session.commit()
    flash(f"{'Archived' if archive else 'Restored'}: {found.title}.", "success")
    return redirect(url_for(".edit_announcement", announcement_id=found.id), code=303)


# --- tool links ------------------------------------------------------------------------------

@bp.route("/tools/", methods=["GET", "POST"])
@roles(*AUTHORS)
def tool_links_index():
    return _tool_link_page(None)


@bp.route("/tools/<int:link_id>", methods=["GET", "POST"])
@roles(*AUTHORS)
def edit_tool_link(link_id: int):
    return _tool_link_page(db.get_or_404(ToolLink, link_id))


def _tool_link_page(link: ToolLink | None):
    """The list with the form for a new link (`link` None), or one link's form."""
    form = ToolLinkForm(obj=link if request.method == "GET" else None)
    form.set_teams(all_teams())
    if form.validate_on_submit():
        try:
            saved = tool_links.save(link, form.title.data, form.url.data,
                                    form.description.data or "", form.team_id.data, current_user)
        except tool_links.ToolLinkRefused as refused:
            form.url.errors.append(str(refused))
        else:
            db.session.commit()
            flash(f"Link saved: {saved.title}.", "success")
            return redirect(url_for(".tool_links_index"), code=303)
    status = 422 if form.errors else 200
    if link is not None:
        return render_template("courses/tool_link_form.html", form=form, link=link), status
    return render_template("courses/tool_links.html", form=form,
                           links=tool_links.all_links()), status


@bp.post("/tools/<int:link_id>/move")
@roles(*AUTHORS)
def move_tool_link(link_id: int):
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    tool_links.move(db.get_or_404(ToolLink, link_id), step, current_user)
    db.session.commit()
    return redirect(url_for(".tool_links_index") + f"#link-{link_id}", code=303)


@bp.post("/tools/<int:link_id>/delete")
@roles(*AUTHORS)
def delete_tool_link(link_id: int):
    found = db.get_or_404(ToolLink, link_id)
    tool_links.delete(found, current_user)
    db.session.commit()
    flash(f"Link deleted: {found.title}.", "success")
    return redirect(url_for(".tool_links_index"), code=303)
