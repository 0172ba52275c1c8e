"""A candidate's right to their data: download it, have it erased, and have it deleted when
the retention period they agreed to ends."""

from datetime import timedelta

from blinker import Namespace
from sqlalchemy import delete, func, or_, select, update

from portal import audit
from portal.audit import AuditEvent
from portal.auth import sessions
from portal.auth.models import AGENT, User
from portal.extensions import db, utcnow
from portal.mail import CREDENTIAL_TEMPLATES, OutboxEmail
from portal.recruiting import stages
from portal.recruiting.models import (
    Application,
    ApplicationNote,
    ApplicationScore,
    StageChange,
    StageCount,
    StepProgress,
)

_signals = Namespace()
# Later packages (assessments, recordings) connect here to erase what they hold for a user,
erasing = _signals.signal("personal-data-erasing")
# and here to add it to the download: each receiver returns (section name, its data).
exporting = _signals.signal("personal-data-exporting")
# Sent with the ids of applications the retention period is about to delete, in that
# transaction: what other packages keep outside the database (files) goes with them.
purging = _signals.signal("applications-purging")


class ErasureRefused(ValueError):
    pass


def can_erase(user: User) -> bool:
    # Employees' records are kept under employment law; HR erases them, not a self-service click.
    return not (user.is_staff or AGENT in user.roles)


def export(user: User) -> dict:
    """Everything we hold about `user` (GDPR art. 15): the account, each application with its
    full history (reasons and the staff who acted), internal notes, step and screening
    results, the emails we sent with their delivery, the audit events about them or by
    them, and what later packages hold (their assessment answers and scores). Only the bodies
    of emails carrying a sign-in link are left out: they are credentials, not data."""
    applications = list(db.session.scalars(
        select(Application).where(Application.candidate_id == user.id)
        .order_by(Application.created_at)))
    ids = [a.id for a in applications]
    history = _grouped(StageChange, ids, StageChange.created_at)
    notes = _grouped(ApplicationNote, ids, ApplicationNote.created_at)
    progress = _grouped(StepProgress, ids, StepProgress.step_key)
    scores = _grouped(ApplicationScore, ids, ApplicationScore.key)
    emails = db.session.scalars(select(OutboxEmail).where(OutboxEmail.recipient_id == user.id)
                                .order_by(OutboxEmail.created_at))
    data = {
        "account": {"email": user.email, "full_name": user.full_name,
                    "created_at": user.created_at, "email_verified_at": user.email_verified_at,
                    "last_login_at": user.last_login_at, "roles": sorted(user.roles)},
        "applications": [_application_export(a, history, notes, progress, scores)
                         for a in applications],
        "emails": [{"created_at": e.created_at, "to": e.to_address, "subject": e.subject,
                    "delivery": e.status, "sent_at": e.sent_at,
                    "body": "(contains a sign-in link; not exported)"
                    if e.template in CREDENTIAL_TEMPLATES else e.body_text} for e in emails],
        "audit_events": [{"at": e.created_at, "action": e.action,
                          "by": _name(e.actor) if e.actor_id != user.id else "you",
                          "detail": e.detail, "ip_address": e.ip_address}
                         for e in _audit_events(user, ids)],
    }
    for _, (section, held) in exporting.send(user):
        data[section] = held
    return data


def _name(person: User | None) -> str | None:
    return person.full_name if person is not None else None


def _application_export(application: Application, history, notes, progress,
                        scores) -> dict:
    answers = {column.key: getattr(application, column.key)
               for column in Application.__table__.columns
               if column.key not in ("id", "opening_id", "candidate_id")}
    return {
        "opening": application.opening.title,
        **answers,
        "stage_history": [{"stage": stages.label(c.to_stage), "at": c.created_at,
                           "by": _name(c.actor), "reason": c.reason}
                          for c in history.get(application.id, [])],
        "internal_notes": [{"at": n.created_at, "by": _name(n.author), "note": n.body}
                           for n in notes.get(application.id, [])],
        "steps": {row.step_key: {"status": row.status, "summary": row.summary,
                                 "updated_at": row.updated_at}
                  for row in progress.get(application.id, [])},
        "screening_scores": {row.key: row.value for row in scores.get(application.id, [])},
    }


def _grouped(model, application_ids: list[int], order_by) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in db.session.scalars(select(model).where(
            model.application_id.in_(application_ids)).order_by(order_by)):
        grouped.setdefault(row.application_id, []).append(row)
    return grouped


def _audit_events(user: User, application_ids: list[int]) -> list[AuditEvent]:
    about = or_(AuditEvent.actor_id == user.id,
                (AuditEvent.target_type == User.__tablename__) & (AuditEvent.target_id == user.id))
    if application_ids:
        about = or_(about, (AuditEvent.target_type == Application.__tablename__)
                    & AuditEvent.target_id.in_(application_ids))
    return list(db.session.scalars(select(AuditEvent).where(about)
                                   .order_by(AuditEvent.created_at, AuditEvent.id)))


def erase(user: User, confirmation: str) -> None:
    """Delete the user's applications and everything hanging off them, and anonymise the
    account, once they typed their own email address to confirm. One transaction: the caller
    commits, so a failure erases nothing."""
    if confirmation.strip().lower() != user.email:
        raise ErasureRefused("That is not the email address of this account; nothing was "
                             "deleted.")
    if not can_erase(user):
        raise ErasureRefused("Accounts of employees cannot be deleted here. Please contact HR.")
    erasing.send(user)
    deleted = _delete_applications(Application.candidate_id == user.id)
    db.session.execute(delete(OutboxEmail).where(OutboxEmail.recipient_id == user.id))
    # The addresses they acted from are personal data too; the events themselves stay.
    db.session.execute(update(AuditEvent).where(AuditEvent.actor_id == user.id)
                       .values(ip_address=None))
    user.email = f"erased-{user.id}@invalid"
    user.full_name = "Erased user"
    user.password_hash = ""
    user.erased_at = utcnow()
    user.credentials_version += 1
    user.role_rows = []
    sessions.end_all(user)
    audit.record("user.erased", user, None, applications=deleted)


def purge_expired(retention_days: int) -> int:
    """Delete applications older than the retention period the candidate agreed to. Hires are
    employees now: their application is part of the employment record and is kept."""
    cutoff = utcnow() - timedelta(days=retention_days)
    expired = (Application.created_at < cutoff, Application.stage != stages.HIRED)
    going = list(db.session.scalars(select(Application.id).where(*expired)))
    if going:
        purging.send(going)
    deleted = _delete_applications(*expired)
    if deleted:
        audit.record("application.purged", None, None, applications=deleted,
                     retention_days=retention_days)
    return deleted


def _delete_applications(*conditions) -> int:
    """Delete matching applications (their history, notes, steps and screening scores go with
    them by cascade; SQLite enforces foreign keys too, see portal/extensions.py) and keep the
    pipeline's stage counts true."""
    per_stage = db.session.execute(
        select(Application.opening_id, Application.stage, func.count())
        .where(*conditions).group_by(Application.opening_id, Application.stage)).all()
    for opening_id, stage, count in per_stage:
        db.session.execute(update(StageCount).where(
            StageCount.opening_id == opening_id, StageCount.stage == stage)
            .values(count=StageCount.count - count))
    db.session.execute(delete(Application).where(*conditions))
    return sum(count for _, _, count in per_stage)
