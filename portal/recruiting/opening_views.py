"""Managers create, edit, open and close openings."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.auth.forms import EmptyForm
from portal.auth.models import ADMIN, MANAGER
from portal.auth.permissions import roles
from portal.extensions import db
from portal.recruiting import pipeline, services
from portal.recruiting.forms import OpeningForm
from portal.recruiting.models import OPENING_STATUSES, Opening

bp = Blueprint("openings", __name__, url_prefix="/openings", template_folder="templates")


@bp.get("/")
@roles(MANAGER, ADMIN)
def index():
    openings = list(db.session.scalars(select(Opening).order_by(Opening.created_at.desc())))
    counts = pipeline.counts_by_opening()
    return render_template("recruiting/openings.html", openings=openings, counts=counts)


@bp.route("/new", methods=["GET", "POST"])
@roles(MANAGER, ADMIN)
def create():
    form = OpeningForm()
    if form.validate_on_submit():
        try:
            opening = services.create_opening(current_user, **form.opening_fields())
        except services.RecruitingError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash("Opening saved as a draft. Publish it when it is ready.", "success")
            return redirect(url_for("openings.edit", opening_id=opening.id))
    return render_template("recruiting/opening_form.html", form=form, opening=None)



@bp.route("/<int:opening_id>/edit", methods=["GET", "POST"])
@roles(MANAGER, ADMIN)
def edit(opening_id: int):
    opening = db.get_or_404(Opening, opening_id)
    form = OpeningForm(obj=opening)
    if form.validate_on_submit():
        try:
            services.update_opening(opening, current_user, **form.opening_fields())
        except services.RecruitingError as error:
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash("Opening updated.", "success")
            return redirect(url_for("openings.edit", opening_id=opening.id))
    return render_template("recruiting/opening_form.html", form=form, opening=opening)


@bp.post("/<int:opening_id>/status")
@roles(MANAGER, ADMIN)
def set_status(opening_id: int):
    opening = db.get_or_404(Opening, opening_id)
    status = request.form.get("status")
    if not EmptyForm().validate_on_submit() or status not in OPENING_STATUSES:
        abort(400)
    services.set_opening_status(opening, status, current_user)
    db.session.commit()
    flash({"open": "Opening published on the careers page.",
           "closed": "Opening closed: it no longer takes applications.",
           "draft": "Opening moved back to draft."}[status], "success")
    return redirect(request.referrer or url_for("openings.index"))
