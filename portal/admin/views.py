"""Administrators' pages: users and their roles, staff accounts, the audit log."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import listing
from portal.admin import services
from portal.admin.forms import (
    AuditFilterForm,
    CreateUserForm,
    RolesForm,
    SetActiveForm,
    UserFilterForm,
)
from portal.auth.forms import EmptyForm
from portal.auth.models import ADMIN, ROLE_LABELS, ROLES, User
from portal.auth.permissions import roles
from portal.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

ROLE_COLORS = {"admin": "danger", "manager": "primary", "qa": "info", "trainer": "warning",
               "agent": "success", "candidate": "secondary"}
MAX_PAGE = 100_000
AUDIT_FILTERS = ("action", "actor", "target_type", "target_id", "date_from", "date_to")
# Where an audited target can be looked at: table name -> (endpoint, its id argument).
TARGET_PAGES = {"users": ("admin.user", "user_id"),
                "applications": ("pipeline.application", "application_id"),
                "openings": ("openings.edit", "opening_id")}


def target_url(event) -> str | None:
    page = TARGET_PAGES.get(event.target_type)
    if page is None or event.target_id is None:
        return None
    endpoint, argument = page
    return url_for(endpoint, **{argument: event.target_id})


@bp.context_processor
def _helpers():
    return {"role_colors": ROLE_COLORS, "all_roles": ROLES,
            "format_detail": services.format_detail, "target_url": target_url}


def _valid_args(form, names) -> dict:
    """The GET filters that passed validation, to carry into page links."""
    return {name: request.args[name] for name in names
            if request.args.get(name) and not form[name].errors}


# --- users -------------------------------------------------------------------------------------

@bp.get("/users")
@roles(ADMIN)
def users():
    form = UserFilterForm(request.args)
    form.validate()  # invalid filters are shown as errors and then ignored
    filters = _valid_args(form, ("q", "role"))
    # Page numbers past any real list are an empty page, not a database overflow.
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    pagination = db.paginate(
        services.users_statement(filters.get("q", ""), filters.get("role", "")),
        page=page,
        per_page=current_app.config["ADMIN_USERS_PAGE_SIZE"], error_out=False)
    return render_template("admin/users.html", form=form, pagination=pagination,
                           filters=filters)


@bp.get("/users/<int:user_id>")
@roles(ADMIN)
def user(user_id: int):
    user = db.get_or_404(User, user_id)
    return render_template(
        "admin/user.html", user=user, roles_form=RolesForm(roles=sorted(user.roles)),
        active_form=SetActiveForm(active="0" if user.is_active_account else "1"),
        reset_form=EmptyForm(), events=services.events_for_user(user, limit=50))


@bp.post("/users/<int:user_id>/roles")
@roles(ADMIN)
def set_roles(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RolesForm()
    if not form.validate_on_submit():
        flash("Choose roles from the list.", "danger")
        return redirect(url_for("admin.user", user_id=user.id))
    try:
        change = services.set_roles(user, form.roles.data or [], current_user)
    except services.AdminError as error:
        flash(str(error), "danger")
        return redirect(url_for("admin.user", user_id=user.id))
    db.session.commit()
    if change:
        parts = [f"{verb} " + ", ".join(ROLE_LABELS[r] for r in ROLES if r in roles_)
                 for verb, roles_ in (("added", change.added), ("removed", change.removed))
                 if roles_]
        flash(f"Roles of {user.full_name} updated: {'; '.join(parts)}.", "success")
    else:
        flash("No change: those are already the roles.", "info")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/active")
@roles(ADMIN)
def set_active(user_id: int):
    user = db.get_or_404(User, user_id)
    form = SetActiveForm()
    if not form.validate_on_submit():
        abort(400)
    active = form.active.data == "1"
    try:
        changed = services.set_active(user, active, current_user)
    except services.AdminError as error:
        flash(str(error), "danger")
        return redirect(url_for("admin.user", user_id=user.id))
    db.session.commit()
    if not changed:
        flash("No change: the account already was " + ("active." if active else "deactivated."),
              "info")
    elif active:
        flash(f"{user.full_name} can log in again.", "success")
    else:
        flash(f"{user.full_name} is deactivated and can no longer log in.", "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.post("/users/<int:user_id>/reset")
@roles(ADMIN)
def send_reset(user_id: int):
    user = db.get_or_404(User, user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.send_reset_link(user, current_user)
    except services.AdminError as error:
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(f"A password reset link is on its way to {user.email}.", "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/users/new", methods=["GET", "POST"])
@roles(ADMIN)
def create_user():
    form = CreateUserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.full_name.data, form.roles.data,
                                        form.password.data, current_user)
        except services.DuplicateEmail as error:
            form.email.errors.append(str(error))
        except services.AdminError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(f"Account created for {user.full_name}. They can log in with the initial "
                  "password now.", "success")
            return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/user_form.html", form=form)


# --- audit log ---------------------------------------------------------------------------------

@bp.get("/audit")
@roles(ADMIN)
def audit_log():
    form = AuditFilterForm(request.args)
    form.validate()  # invalid filters are shown as errors and then ignored
    filters = _valid_args(form, AUDIT_FILTERS)
    query = services.AuditQuery(
        action=filters.get("action", ""),
        actor=filters.get("actor", ""),
        target_type=filters.get("target_type", ""),
        target_id=form.target_id.data if "target_id" in filters else None,
        date_from=form.date_from.data if "date_from" in filters else None,
        date_to=form.date_to.data if "date_to" in filters else None,
        after=request.args.get("after"),
        before=request.args.get("before"),
        page_size=current_app.config["AUDIT_PAGE_SIZE"],
    )
    try:
        page = services.fetch_audit_page(query)
    except listing.BadCursor as error:
        flash(str(error), "warning")
        return redirect(url_for("admin.audit_log", **filters))
    return render_template("admin/audit_log.html", form=form, page=page, filters=filters,
                           known_actions=services.KNOWN_ACTIONS,
                           paging=bool(request.args.get("after") or request.args.get("before")))
