"""Background jobs: `enqueue()` runs the job inline by default, on RQ when REDIS_URL is set.

Every job is a row (status, attempts, error) so that an admin can see what ran and a retried
job is recognised by its idempotency key instead of running twice.
"""

import importlib
import logging
import traceback
import uuid
from datetime import datetime, timedelta
from functools import cache

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import JSON, String, Text, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.extensions import UTCDateTime, db, utcnow

log = logging.getLogger(__name__)

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
QUEUES = ("default", "email", "media", "pdf")


class JobRun(db.Model):
    __tablename__ = "job_runs"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    func: Mapped[str] = mapped_column(String(200))
    queue: Mapped[str] = mapped_column(String(20), default="default")
    args: Mapped[dict] = mapped_column(JSON, default=dict)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(12), default=QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def forgets_arguments(func):
    """A job whose arguments are personal data that nothing needs once it has run (an address
    typed into "forgot password", which may be no user's): they are cleared when it succeeds,
    so the job table does not keep them."""
    func.forgets_arguments = True
    return func


def _dotted(func) -> str:
    return f"{func.__module__}:{func.__qualname__}"


def _resolve(dotted: str):
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)


def enqueue(func, *, queue: str = "default", idempotency_key: str | None = None,
            after_response: bool = False, **kwargs) -> JobRun:
    """Run `func(**kwargs)` in the background (JSON-able kwargs only).

    The job row is committed with the caller's transaction: call this before your commit and
    the job starts only once your data is visible to it (inline jobs run after the commit).
    `after_response`: run inline only once the answer has been sent, for work whose duration
    must not show in the answer time (whether an account exists).
    """
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    if idempotency_key:
        existing = db.session.scalar(
            select(JobRun).where(JobRun.idempotency_key == idempotency_key))
        if existing is not None:
            return existing
    job = JobRun(id=str(uuid.uuid4()), func=_dotted(func), queue=queue, args=kwargs,
                 idempotency_key=idempotency_key)
    db.session.add(job)
    # Dispatched by the session's after_commit hook: a rolled-back caller leaves no job behind.
    db.session.info.setdefault("pending_jobs", []).append((job.id, queue, after_response))
    return job


@event.listens_for(Session, "after_commit")
def _dispatch_pending(session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT was released; the data is not visible to others until the end
    pending = session.info.pop("pending_jobs", [])
    if not pending:
        return
    app = current_app._get_current_object()
    redis_url = app.config.get("REDIS_URL")
    for job_id, queue, after_response in pending:
        if redis_url:
            try:
                _rq_queue(redis_url, queue).enqueue(run_job, job_id, job_id=job_id)
            except Exception:  # the caller's data is committed: never fail it for Redis
                log.exception("could not queue job %s; `flask jobs requeue` sends it again",
                              job_id)
        elif after_response and has_request_context():
            g.setdefault("jobs_after_response", []).append(job_id)
        else:
            # A fresh app context gives the job its own session; the caller's has just ended.
            with app.app_context():
                run_job(job_id)


def init_app(app) -> None:
    @app.after_request
    def _run_after_the_response(response):
        job_ids = g.pop("jobs_after_response", None)
        if job_ids:
            # The server calls this once the answer is sent (test clients: when closed).
            response.call_on_close(lambda: _run_inline(app, job_ids))
        return response


def _run_inline(app, job_ids: list[str]) -> None:
    for job_id in job_ids:
        with app.app_context():
            run_job(job_id)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session) -> None:
    # A rolled-back SAVEPOINT keeps the outer transaction's jobs; any of its own jobs lost
    # their rows with it, and run_job() ignores a job id that has no row.
    if not session.in_nested_transaction():
        session.info.pop("pending_jobs", None)


def _rq_queue(redis_url: str, name: str):
    from redis import Redis
    from rq import Queue

    return Queue(name, connection=Redis.from_url(redis_url))


def run_job(job_id: str) -> None:
    """Execute one job; safe to call twice (a finished job is not run again)."""
    if not has_app_context():
        with _worker_app().app_context():  # an RQ worker process
            return run_job(job_id)
    job = db.session.get(JobRun, job_id)
    if job is None or job.status == SUCCEEDED:
        return
    job.status, job.attempts = RUNNING, job.attempts + 1
    db.session.commit()
    func = _resolve(job.func)
    try:
        func(**job.args)
    except Exception:  # a job's failure is recorded, never lost
        db.session.rollback()
        job = db.session.get(JobRun, job_id)
        job.status, job.error = FAILED, traceback.format_exc(limit=5)
        log.exception("job %s (%s) failed", job_id, job.func)
    else:
        job.status, job.error = SUCCEEDED, None
        if getattr(func, "forgets_arguments", False):
            job.args = {}
    job.finished_at = utcnow()
    db.session.commit()


@cache
def _worker_app():
    """One app (and one connection pool) per worker process, not one per job."""
    from portal import create_app

    return create_app()


def requeue_stale(older_than_seconds: int = 300) -> int:
    """Send again the jobs still `queued` after a while (Redis was down when they were made)."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    stale = list(db.session.scalars(select(JobRun).where(
        JobRun.status == QUEUED, JobRun.created_at < cutoff)))
    db.session.info.setdefault("pending_jobs", []).extend(
        (job.id, job.queue, False) for job in stale)
    db.session.commit()  # dispatches them, as after any commit
    return len(stale)


def retry_failed(queue: str | None = None) -> int:
    """Send again the jobs that failed (in `queue`, or in any): for a fault that was the
    server's, such as a missing ffmpeg, once it is mended. A job must tolerate running again
    (every job here checks what it has done), so a retry repeats nothing."""
    stmt = select(JobRun).where(JobRun.status == FAILED)
    if queue is not None:
        if queue not in QUEUES:
            raise ValueError(f"unknown queue {queue!r}")
        stmt = stmt.where(JobRun.queue == queue)
    failed = list(db.session.scalars(stmt))
    for job in failed:
        job.status = QUEUED
    db.session.info.setdefault("pending_jobs", []).extend(
        (job.id, job.queue, False) for job in failed)
    db.session.commit()  # dispatches them, as after any commit
    return len(failed)


def has_failed(idempotency_key: str) -> bool:
    """Whether the job of this key ran and failed (and has not been sent again since)."""
    return db.session.scalar(select(JobRun.status).where(
        JobRun.idempotency_key == idempotency_key)) == FAILED
