"""A course's reports for trainers, managers and admins: how learners answered each question,
completions per week, and CSV downloads of the learners table and the questions report.
A download of learner data is audited (who, which course, how many rows)."""

from flask import Blueprint, abort, render_template
from flask_login import current_user

from courses import charts, reports
from courses.models import Course
from portal import audit, csv_export
from portal.auth.models import ADMIN, MANAGER, TRAINER
from portal.auth.permissions import roles
from portal.extensions import db, writes_on_get

bp = Blueprint("course_reports", __name__, url_prefix="/courses", template_folder="templates")


@bp.get("/<int:course_id>/interactions")
@roles(TRAINER, MANAGER, ADMIN)
def interactions(course_id: int):
    course = _course_or_404(course_id)
    weeks = reports.completions_by_week(course)
    chart = charts.bar_chart(
        [(f"{start:%b} {start.day}", count) for start, count in weeks], chart_id="completions",
        title=f"Completions per week, last {len(weeks)} weeks",
        description="Learners who completed the course, by week starting Monday (UTC):")
    return render_template("courses/interactions.html", course=course, weeks=weeks,
                           chart=chart, completed=sum(count for _, count in weeks),
                           questions=reports.interactions(course),
                           top_wrong=reports.TOP_WRONG)


@bp.get("/<int:course_id>/interactions.csv")
@roles(TRAINER, MANAGER, ADMIN)
@writes_on_get
def interactions_csv(course_id: int):
    course = _course_or_404(course_id)
    rows = reports.question_rows(reports.interactions(course))
    return _download(course, "questions", reports.QUESTION_COLUMNS, rows)


@bp.get("/<int:course_id>/learners.csv")
@roles(TRAINER, MANAGER, ADMIN)
@writes_on_get
def learners_csv(course_id: int):
    course = _course_or_404(course_id)
    return _download(course, "learners", reports.LEARNER_COLUMNS, reports.learner_rows(course))


def _download(course: Course, table: str, header, rows: list):
    """The rows (plain values, read already) as a CSV download, audited and committed before
    the first byte is sent: the stream itself touches no database."""
    audit.record(f"course.{table}_exported", course, current_user, rows=len(rows))
    name = csv_export.filename(course.key, table)
    db.session.commit()
    return csv_export.response(name, header, rows)


def _course_or_404(course_id: int) -> Course:
    found = db.session.get(Course, course_id)
    if found is None or found.archived_at is not None:
        abort(404)
    return found
