"""Managers' and administrators' team pages: the list with a form for a new team, and a team's
page (name, supervisor, members; add agents by picking or by pasted addresses)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.auth.models import ADMIN, MANAGER, User
from portal.auth.permissions import roles
from portal.extensions import db
from portal.teams import services
from portal.teams.forms import AddMembersForm, TeamForm
from portal.teams.models import Team

bp = Blueprint("teams", __name__, url_prefix="/teams", template_folder="templates")


def _team_form(formdata=None, team: Team | None = None) -> TeamForm:
    data = {"name": team.name, "supervisor": str(team.supervisor_id or "")} if team else None
    form = TeamForm(formdata=formdata, data=data)
    form.set_supervisors(db.session.scalars(
        services.staff_users().order_by(User.full_name, User.id)))
    return form


@bp.route("/", methods=["GET", "POST"])
@roles(MANAGER, ADMIN)
def index():
    form = _team_form(request.form if request.method == "POST" else None)
    form.submit.label.text = "Create the team"
    if form.validate_on_submit():
        try:
            team = services.create(form.name.data, form.supervisor_id(), current_user)
        except services.TeamRefused as refused:
            form.name.errors.append(str(refused))
        else:
            db.session.commit()
            flash(f"Team {team.name} created: now add its agents.", "success")
            return redirect(url_for(".team", team_id=team.id), code=303)
    return render_template("teams/index.html", teams=services.teams_with_sizes(),
                           form=form), 422 if form.errors else 200


@bp.get("/<int:team_id>")
@roles(MANAGER, ADMIN)
def team(team_id: int):
    found = db.get_or_404(Team, team_id)
    return _team_page(found, _team_form(team=found), AddMembersForm())


def _team_page(team: Team, settings: TeamForm, add: AddMembersForm, skipped=(),
               status: int = 200):
    add.agents.choices = [(user.id, f"{user.full_name} ({user.email})")
                          for user in services.agents_without_team()]
    return render_template("teams/team.html", team=team, settings=settings, add=add,
                           members=services.members_of(team), skipped=skipped,
                           pick_limit=services.PICK_LIMIT), status


@bp.post("/<int:team_id>/settings")
@roles(MANAGER, ADMIN)
def settings(team_id: int):
    found = db.get_or_404(Team, team_id)
    form = _team_form(request.form)
    if form.validate():
        try:
            services.update(found, form.name.data, form.supervisor_id(), current_user)
        except services.TeamRefused as refused:
            form.name.errors.append(str(refused))
        else:
            db.session.commit()
            flash("Team saved.", "success")
            return redirect(url_for(".team", team_id=found.id), code=303)
    return _team_page(found, form, AddMembersForm(), status=422)


@bp.post("/<int:team_id>/members")
@roles(MANAGER, ADMIN)
def add_members(team_id: int):
    found = db.get_or_404(Team, team_id)
    form = AddMembersForm()
    # The pick list is re-read on the page; ids are checked by the service, not the choices.
    form.agents.choices = [(value, "") for value in request.form.getlist("agents", type=int)]
    if not form.validate_on_submit():
        return _team_page(found, _team_form(team=found), form, status=422)
    picked = services.add_agents(found, form.agents.data or [], current_user)
    pasted = services.add_emails(found, form.emails.data or "", current_user)
    db.session.commit()
    count = len(picked) + len(pasted.added)
    flash(f"{count} agent{'s' if count != 1 else ''} added to {found.name}.",
          "success" if count else "info")
    if not pasted.skipped:
        return redirect(url_for(".team", team_id=found.id) + "#members", code=303)
    return _team_page(found, _team_form(team=found), AddMembersForm(formdata=None),
                      pasted.skipped)


@bp.post("/<int:team_id>/members/<int:user_id>/remove")
@roles(MANAGER, ADMIN)
def remove_member(team_id: int, user_id: int):
    found = db.get_or_404(Team, team_id)
    if not services.remove(found, user_id, current_user):
        abort(404)
    db.session.commit()
    flash("Removed from the team.", "success")
    return redirect(url_for(".team", team_id=found.id) + "#members", code=303)
