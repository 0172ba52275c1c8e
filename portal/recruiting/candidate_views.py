"""A candidate's side: apply, follow applications, withdraw, and own their personal data."""

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.auth import sessions
from portal.auth.models import AGENT, CANDIDATE
from portal.auth.permissions import owned_or_404, roles
from portal.extensions import db
from portal.form_errors import flash_errors
from portal.recruiting import privacy, services
from portal.recruiting.forms import ApplicationForm, EraseForm, WithdrawForm
from portal.recruiting.models import Application, Opening, StageChange

bp = Blueprint("candidate", __name__, template_folder="templates")


@bp.route("/jobs/<int:opening_id>/apply", methods=["GET", "POST"])
@roles(CANDIDATE)
def apply(opening_id: int):
    opening = db.session.get(Opening, opening_id)
    if opening is None or not opening.is_open:
        abort(404)
    form = ApplicationForm(data={"full_name": current_user.full_name,
                                 "email": current_user.email})
    if form.validate_on_submit():
        try:
            application = services.apply(opening, current_user, **form.answers())
        except services.RecruitingError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(f"Thank you! Your application for {opening.title} is in.", "success")
            return redirect(url_for("candidate.application", application_id=application.id))
    return render_template("recruiting/apply.html", opening=opening, form=form)


@bp.get("/me")
@roles(CANDIDATE, AGENT)
def dashboard():
    applications = list(db.session.scalars(
        select(Application).where(Application.candidate_id == current_user.id)
        .order_by(Application.created_at.desc())))
    return render_template("recruiting/dashboard.html", applications=applications,
                           step_states=services.step_states(applications))


@bp.get("/me/applications/<int:application_id>")
@roles(CANDIDATE, AGENT)
def application(application_id: int):
    application = owned_or_404(Application, application_id)
    history = db.session.scalars(select(StageChange).where(
        StageChange.application_id == application.id).order_by(StageChange.created_at))
    return render_template("recruiting/my_application.html", application=application,
                           steps=services.step_states([application])[application.id],
                           history=list(history), withdraw_form=WithdrawForm())


@bp.post("/me/applications/<int:application_id>/withdraw")
@roles(CANDIDATE, AGENT)
def withdraw(application_id: int):
    application = owned_or_404(Application, application_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw(application, current_user, form.reason.data)
        except (services.RecruitingError, ValueError) as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash("Your application is withdrawn. We wish you the best.", "info")
    else:
        flash_errors(form)
    return redirect(url_for("candidate.application", application_id=application.id))


@bp.get("/me/data")
@roles(CANDIDATE, AGENT)
def my_data():
    return render_template("recruiting/my_data.html", erase_form=EraseForm(),
                           can_erase=privacy.can_erase(current_user))


@bp.get("/me/data/export.json")
@roles(CANDIDATE, AGENT)
def export_data():
    body = json.dumps(privacy.export(current_user), indent=2, default=str)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="my-data.json"', "Cache-Control": "no-store"})


@bp.post("/me/data/erase")
@roles(CANDIDATE, AGENT)
def erase_data():
    form = EraseForm()
    if not form.validate_on_submit():
        flash("Type your email address to confirm.", "danger")
        return redirect(url_for("candidate.my_data"))
    try:
        privacy.erase(current_user._get_current_object(), confirmation=form.confirm_email.data)
    except privacy.ErasureRefused as error:
        flash(str(error), "danger")
        return redirect(url_for("candidate.my_data"))
    sessions.sign_out()
    db.session.commit()
    flash("Your account and personal data are deleted.", "info")
    return redirect(url_for("careers.index"))
