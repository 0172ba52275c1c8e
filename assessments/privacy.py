"""A candidate's assessments in the download of their data (GDPR art. 15): every attempt with
the bank version, times, integrity signals, grants, each answer as saved and the scores, and
every computer check run. (Erasure needs nothing here: attempts, grants and runs go with their
application, by cascade.)"""

from sqlalchemy import select

from assessments.models import Answer, Attempt, Grant, ReadinessRun
from portal.auth.models import User
from portal.extensions import db
from portal.recruiting import privacy
from portal.recruiting.models import Application


def _export(user: User) -> tuple[str, list[dict]]:
    rows = db.session.execute(
        select(Attempt, Application).join(Application)
        .where(Application.candidate_id == user.id)
        .order_by(Attempt.started_at)).all()
    return "assessments", [_attempt(attempt, application) for attempt, application in rows]


def _attempt(attempt: Attempt, application: Application) -> dict:
    answers = db.session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)
                                 .order_by(Answer.first_saved_at))
    grants = db.session.scalars(select(Grant).where(
        Grant.application_id == application.id, Grant.bank_key == attempt.bank_key))
    return {
        "opening": application.opening.title, "assessment": attempt.version_row.title,
        "version": attempt.bank_version, "attempt": attempt.number, "status": attempt.status,
        "started_at": attempt.started_at, "closed_at": attempt.closed_at,
        "extra_minutes": attempt.extra_minutes,
        "left_the_page": attempt.focus_losses, "paste_attempts": attempt.paste_attempts,
        "answers": [{"question": a.item_id, "answer": a.value, "points": a.points,
                     "first_saved_at": a.first_saved_at, "saved_at": a.saved_at}
                    for a in answers],
        "scores": attempt.scores, "typing": attempt.measures,
        "granted": [{"kind": g.kind, "minutes": g.minutes, "reason": g.reason,
                     "at": g.created_at} for g in grants],
    }


def _export_readiness(user: User) -> tuple[str, list[dict]]:
    """Every computer check run, with what the browser reported and the raw samples."""
    rows = db.session.execute(
        select(ReadinessRun, Application).join(Application)
        .where(Application.candidate_id == user.id).order_by(ReadinessRun.id)).all()
    return "computer_checks", [
        {"opening": application.opening.title, "at": run.created_at, "verdict": run.verdict,
         "figures": run.figures, "checks": run.checks, "reported": run.device,
         "samples": run.samples, "browser": run.user_agent}
        for run, application in rows]


def register() -> None:
    privacy.exporting.connect(_export)
    privacy.exporting.connect(_export_readiness)
