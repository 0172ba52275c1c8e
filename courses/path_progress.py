"""A path is completed when every course in it is completed (and none of them failed): a
consumer of the course events, which records the path's own `completed` event once."""

from sqlalchemy import func, select

from courses import progress, sco_status
from courses.path_models import PathEnrolment, PathStep
from courses.progress_models import ProgressEvent
from courses.tracking_models import Registration
from portal.extensions import db, utcnow

CONSUMER = "path-completion"


def _on_progress(event: ProgressEvent, **_) -> None:
    if event.type in ("completed", "passed") and event.registration_id is not None:
        progress.handle_once(CONSUMER, event, _complete_paths)


def _complete_paths(event: ProgressEvent) -> None:
    enrolments = db.session.scalars(
        select(PathEnrolment).join(PathStep, PathStep.path_id == PathEnrolment.path_id)
        .where(PathEnrolment.learner_id == event.learner_id,
               PathStep.course_id == event.course_id,
               PathEnrolment.unenrolled_at.is_(None), PathEnrolment.completed_at.is_(None)))
    for enrolment in list(enrolments):
        if _unfinished_steps(enrolment) == 0:
            enrolment.completed_at = utcnow()
            progress.record("completed", learner_id=enrolment.learner_id,
                            path_id=enrolment.path_id, enrolment_id=enrolment.id)


def _unfinished_steps(enrolment: PathEnrolment) -> int:
    finished = ((Registration.completion == sco_status.COMPLETED)
                & (Registration.success != sco_status.FAILED))
    return db.session.scalar(
        select(func.count()).select_from(PathStep)
        .outerjoin(Registration, (Registration.course_id == PathStep.course_id)
                   & (Registration.learner_id == enrolment.learner_id))
        .where(PathStep.path_id == enrolment.path_id,
               (Registration.id.is_(None)) | ~finished))


def register() -> None:
    progress.progress_changed.connect(_on_progress)
