"""Who may run the computer check: the signed-in candidate whose application's opening has the
step, while the application is open. Anyone else's application is 'not found'."""

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.recruiting import stages
from portal.recruiting.models import Application

STEP = "desktop_readiness"


def own_application(application_id: int) -> Application:
    """The candidate's application whose opening has the step (open or closed), else 404."""
    application = db.session.scalar(
        select(Application).options(joinedload(Application.opening))
        .where(Application.id == application_id,
               Application.candidate_id == current_user.id))
    if application is None or STEP not in application.opening.steps:
        abort(404)
    return application


def is_open(application: Application) -> bool:
    return not stages.BY_KEY[application.stage].is_final


def open_application(application_id: int) -> Application:
    """As own_application, and still open: the measuring endpoints serve nobody else."""
    application = own_application(application_id)
    if not is_open(application):
        abort(403)
    return application
