"""Trainers import SCORM packages: the course catalogue, a course's versions, and the upload
page (a new course, or a course's next version) with a progress bar (static/upload.js)."""

import contextlib
import os
import shutil
import tempfile

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from courses import catalogue, importing, registrations
from courses.forms import CatalogueForm, PackageForm, PolicyForm, RegisterForm
from courses.models import Course
from portal import storage
from portal.auth.models import ADMIN, MANAGER, TRAINER
from portal.auth.permissions import roles
from portal.extensions import db
from portal.request_body import accepts_upload

bp = Blueprint("courses", __name__, url_prefix="/courses", template_folder="templates",
               static_folder="static")


@bp.get("/")
@roles(TRAINER, MANAGER, ADMIN)
def index():
    archived = request.args.get("archived") == "1"
    return render_template("courses/index.html", archived=archived,
                           rows=catalogue.current_versions(archived=archived))


@bp.get("/<int:course_id>")
@roles(TRAINER, MANAGER, ADMIN)
def course(course_id: int):
    return _course_page(_course_or_404(course_id, archived_ok=True))


def _policy_form(course: Course, formdata=None) -> PolicyForm:
    form = PolicyForm(formdata=formdata, obj=course if formdata is None else None)
    form.new_attempt.choices = list(registrations.NEW_ATTEMPT.items())
    form.grading.choices = list(registrations.GRADING.items())
    return form


def _course_page(course: Course, status: int = 200, *, policy: PolicyForm | None = None,
                 register: RegisterForm | None = None, details: CatalogueForm | None = None):
    """The course page; a form posted with problems is shown again in place of its blank."""
    return render_template("courses/course.html", course=course,
                           versions=catalogue.versions_of(course),
                           learners=catalogue.learners_of(course),
                           policy=policy or _policy_form(course), register=register or
                           RegisterForm(formdata=None),
                           details=details or CatalogueForm(formdata=None, obj=course)), status


@bp.post("/<int:course_id>/details")
@roles(TRAINER, MANAGER, ADMIN)
def details(course_id: int):
    found = _course_or_404(course_id)
    form = CatalogueForm()
    if not form.validate_on_submit():
        return _course_page(found, 422, details=form)
    catalogue.save_details(found, current_user, **{
        name: getattr(form, name).data for name in catalogue.DETAILS})
    db.session.commit()
    flash("Course details saved.", "success")
    return redirect(url_for(".course", course_id=found.id), code=303)


@bp.post("/<int:course_id>/archive")
@roles(TRAINER, MANAGER, ADMIN)
def archive(course_id: int):
    found = _course_or_404(course_id, archived_ok=True)
    archived = request.form.get("archive") == "1"
    catalogue.set_archived(found, archived, current_user)
    db.session.commit()
    flash(f"{'Archived' if archived else 'Restored'}: {found.title}.", "success")
    return redirect(url_for(".course", course_id=found.id), code=303)


@bp.post("/<int:course_id>/policy")
@roles(TRAINER, MANAGER, ADMIN)
def policy(course_id: int):
    found = _course_or_404(course_id)
    form = _policy_form(found, request.form)
    if not form.validate():
        return _course_page(found, 422, policy=form)
    registrations.set_policy(found, form.max_attempts.data, form.new_attempt.data,
                             form.grading.data, current_user)
    db.session.commit()
    flash("Attempt rules saved.", "success")
    return redirect(url_for(".course", course_id=found.id), code=303)


@bp.post("/<int:course_id>/learners")
@roles(TRAINER, MANAGER, ADMIN)
def register_learners(course_id: int):
    found = _course_or_404(course_id)
    form = RegisterForm()
    if not form.validate_on_submit():
        return _course_page(found, 422, register=form)
    added, skipped = registrations.register_emails(found, form.emails.data or "")
    db.session.commit()
    flash(f"{len(added)} learner{'s' if len(added) != 1 else ''} registered."
          + ("".join(f" Skipped {email}: {why}." for email, why in skipped[:20])),
          "success" if not skipped else "warning")
    return redirect(url_for(".course", course_id=found.id) + "#learners", code=303)


@bp.route("/new", methods=["GET", "POST"])
@roles(TRAINER, MANAGER, ADMIN)
@accepts_upload("MAX_UPLOAD_MB")
def upload():
    return _upload_page(None)


@bp.route("/<int:course_id>/versions/new", methods=["GET", "POST"])
@roles(TRAINER, MANAGER, ADMIN)
@accepts_upload("MAX_UPLOAD_MB")
def new_version(course_id: int):
    return _upload_page(course_id)


def _upload_page(course_id: int | None):
    """The upload form; posted, the package imported as a new course (`course_id` None) or as
    the course's next version, or the page again with every problem (422)."""
    form = PackageForm()
    problems: tuple[str, ...] = ()
    if form.validate_on_submit():
        try:
            with _saved(form.package.data) as zip_path, importing.unpack(zip_path) as unpacked:
                # The database only now: on SQLite a POST's first statement takes the write
                # lock, which the unpacking above would otherwise hold for its whole length.
                version = importing.store(unpacked, title=form.title.data,
                                          course=_course_or_404(course_id), actor=current_user)
        except importing.ImportRefused as refused:
            problems = refused.problems
        else:
            db.session.commit()
            flash(f"Imported version {version.number} of {version.course.title}: SCORM "
                  f"{version.scorm_version}, {version.file_count} files.", "success")
            return redirect(url_for("courses.course", course_id=version.course_id), code=303)
    target = _course_or_404(course_id)
    if target:
        form.title.description = f"Leave empty to keep the title “{target.title}”."
    status = 422 if problems or form.errors else 200
    return render_template("courses/upload.html", form=form, problems=problems,
                           course=target), status


def _course_or_404(course_id: int | None, archived_ok: bool = False) -> Course | None:
    """The course; an archived one only where it may be seen or restored."""
    if course_id is None:
        return None
    found = db.session.get(Course, course_id)
    if found is None or (found.archived_at is not None and not archived_ok):
        abort(404)
    return found


@contextlib.contextmanager
def _saved(upload):
    """The uploaded file as a file of its own (the package reader opens a path), copied in
    chunks from where Werkzeug spooled it, and deleted afterwards."""
    handle, path = tempfile.mkstemp(prefix="course-upload-", suffix=".zip")
    try:
        with os.fdopen(handle, "wb") as out:
            shutil.copyfileobj(upload.stream, out, storage.CHUNK)
        yield path
    finally:
        os.unlink(path)
