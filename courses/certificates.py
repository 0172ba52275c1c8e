"""Certificates, issued as a consumer of the progress outbox: a certifying course completed
(passed, when the course reports success) or a whole path completed earns one, once. A
certificate is never edited: a changed name re-issues it under a new code (the old code then
says it was replaced) and a reset completion revokes it.

The code is what anyone may verify: twelve characters from an alphabet without look-alikes
(0/O, 1/I/L), about 59 bits, so guessing one is hopeless."""

import secrets

from sqlalchemy import select

from courses import progress, sco_status
from courses.certificate_models import Certificate
from courses.models import Course
from courses.path_models import LearningPath, PathEnrolment, PathStep
from courses.progress_models import ProgressEvent
from courses.tracking_models import Registration
from portal import audit
from portal.auth.models import User
from portal.extensions import db, utcnow

CONSUMER = "certificates"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def normalised(code: str) -> str:
    """What a person typed, as we store it: upper case, dashes where they belong."""
    raw = "".join(ch for ch in code.upper() if ch in ALPHABET)
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


class ReissueRefused(ValueError):
    pass


def valid_for(learner_id: int) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(
        Certificate.learner_id == learner_id, Certificate.revoked_at.is_(None))
        .order_by(Certificate.issued_at.desc())))


def by_code(code: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.code == normalised(code)))


# --- issuing, from the outbox ---------------------------------------------------------------

def _on_progress(event: ProgressEvent, **_) -> None:
    if event.type in ("completed", "passed"):
        progress.handle_once(CONSUMER, event, _issue_for)


def _issue_for(event: ProgressEvent) -> None:
    if event.registration_id is not None:
        registration = db.session.get(Registration, event.registration_id)
        course = registration.course
        if not course.certifies or registration.completion != sco_status.COMPLETED:
            return
        if registration.success == sco_status.FAILED:
            return  # a scored course certifies a pass
        achievement = (sco_status.PASSED if registration.success == sco_status.PASSED
                       else sco_status.COMPLETED)
        _issue(registration.learner, course=course, registration=registration,
               achievement=achievement, achieved_at=registration.completed_at or utcnow())
    elif event.path_id is not None:
        enrolment = db.session.scalar(select(PathEnrolment).where(
            PathEnrolment.path_id == event.path_id,
            PathEnrolment.learner_id == event.learner_id))
        if enrolment is not None and enrolment.completed_at is not None:
            _issue(enrolment.learner, path=enrolment.path, enrolment=enrolment,
                   achievement=sco_status.COMPLETED, achieved_at=enrolment.completed_at)


def _issue(learner: User, *, course: Course | None = None, path: LearningPath | None = None,
           registration: Registration | None = None, enrolment: PathEnrolment | None = None,
           achievement: str, achieved_at) -> Certificate | None:
    held = _valid_one(learner.id, course, path)
    if held is not None:
        return None
    certificate = Certificate(
        code=new_code(), learner_id=learner.id, course_id=course.id if course else None,
        path_id=path.id if path else None, registration_id=registration.id if registration
        else None, enrolment_id=enrolment.id if enrolment else None, name=learner.full_name,
        title=(course or path).title, achievement=achievement, achieved_at=achieved_at)
    db.session.add(certificate)
    db.session.flush()
    progress.record("certificate_issued", learner_id=learner.id,
                    course_id=certificate.course_id, path_id=certificate.path_id,
                    registration_id=certificate.registration_id, certificate_id=certificate.id,
                    code=certificate.code)
    return certificate


def _valid_one(learner_id: int, course: Course | None, path: LearningPath | None):
    return db.session.scalar(select(Certificate).where(
        Certificate.learner_id == learner_id, Certificate.revoked_at.is_(None),
        Certificate.course_id == course.id if course else Certificate.path_id == path.id))


# --- re-issue and revoke ---------------------------------------------------------------------

def reissue(certificate: Certificate, actor) -> Certificate:
    """The same achievement under the learner's current name and a new code."""
    if certificate.revoked_at is not None:
        raise ReissueRefused("This certificate was revoked; a revoked certificate is not "
                             "re-issued.")
    if certificate.name == certificate.learner.full_name:
        raise ReissueRefused(f"The certificate already carries the learner's name "
                             f"({certificate.name}); change the name on their account first.")
    _revoke(certificate, "Replaced by a certificate re-issued under a new name.")
    fresh = _issue(certificate.learner, course=certificate.course, path=certificate.path,
                   registration=db.session.get(Registration, certificate.registration_id)
                   if certificate.registration_id else None,
                   enrolment=db.session.get(PathEnrolment, certificate.enrolment_id)
                   if certificate.enrolment_id else None,
                   achievement=certificate.achievement, achieved_at=certificate.achieved_at)
    audit.record("certificate.reissued", fresh, actor, replaces=certificate.code)
    return fresh


def revoke_for_registration(registration: Registration, reason: str) -> None:
    """A reset completion takes back the course's certificate and those of paths holding it."""
    held = db.session.scalars(select(Certificate).where(
        Certificate.learner_id == registration.learner_id, Certificate.revoked_at.is_(None),
        (Certificate.course_id == registration.course_id) | Certificate.path_id.in_(
            _paths_holding(registration.course_id))))
    for certificate in list(held):
        _revoke(certificate, reason)


def _paths_holding(course_id: int):
    return select(PathStep.path_id).where(PathStep.course_id == course_id)


def _revoke(certificate: Certificate, reason: str) -> None:
    certificate.revoked_at, certificate.revoked_reason = utcnow(), reason
    progress.record("certificate_revoked", learner_id=certificate.learner_id,
                    course_id=certificate.course_id, path_id=certificate.path_id,
                    registration_id=certificate.registration_id,
                    certificate_id=certificate.id, reason=reason)


def register() -> None:
    progress.progress_changed.connect(_on_progress)
