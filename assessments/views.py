"""Trainers and managers see the assessment banks and publish new versions."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from assessments import bank as banks
from assessments import services
from assessments.forms import BankUploadForm
from portal.auth.models import ADMIN, MANAGER, TRAINER
from portal.auth.permissions import roles
from portal.extensions import db
from portal.request_body import accepts_upload

bp = Blueprint("assessment_banks", __name__, url_prefix="/assessments/banks",
               template_folder="templates")


@bp.route("/", methods=["GET", "POST"])
@roles(TRAINER, MANAGER, ADMIN)
@accepts_upload("ASSESSMENT_BANK_UPLOAD_MB")
def index():
    form = BankUploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        try:
            published = services.publish(form.file.data.read(), current_user)
        except banks.BankError as error:
            problems = error.problems
        else:
            db.session.commit()
            row = published.version
            if published.is_new:
                flash(f"Published {row.title} ({row.bank_key}), version {row.version}.",
                      "success")
            else:
                flash(f"No change: version {row.version} of {row.bank_key} is already here.",
                      "info")
            return redirect(url_for("assessment_banks.index"))
    status = 422 if problems or form.errors else 200
    return render_template("assessments/banks.html", form=form, problems=problems,
                           current=services.current_versions()), status
