"""portal/jobs.py: jobs run after the caller's commit, once, and leave a JobRun row behind.

Inline mode runs them in the committing process; RQ mode puts them on a named Redis queue
and a real rq worker runs them (in-process here, so it shares the test's database session).
"""

import signal

import pytest

from portal.auth.models import User
from portal.extensions import db
from portal.jobs import FAILED, QUEUED, SUCCEEDED, JobRun, enqueue, run_job
from tests.conftest import REDIS_TEST_URL

CALLS: list = []  # what the jobs below did, in order


def record(label):
    CALLS.append(label)


def explode(label):
    CALLS.append(label)
    raise RuntimeError(f"boom {label}")


def record_user_seen(email):
    """Proves the job reads the caller's committed data."""
    CALLS.append(User.by_email(email) is not None)


@pytest.fixture(autouse=True)
def clear_calls():
    CALLS.clear()
    yield
    CALLS.clear()


@pytest.fixture
def inline(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    return app


def reload(job: JobRun) -> JobRun:
    db.session.expire_all()
    return db.session.get(JobRun, job.id)


# --- inline mode -------------------------------------------------------------------------

def test_job_runs_once_after_commit_not_before(inline):
    job = enqueue(record, label="welcome")
    db.session.flush()
    assert CALLS == []
    assert job.status == QUEUED

    db.session.commit()
    assert CALLS == ["welcome"]
    job = reload(job)
    assert (job.status, job.attempts, job.error) == (SUCCEEDED, 1, None)
    assert job.func.endswith("test_jobs:record")
    assert job.args == {"label": "welcome"} and job.queue == "default"
    assert job.finished_at is not None and job.finished_at.tzinfo is not None

    db.session.commit()  # a later commit does not run it again
    assert CALLS == ["welcome"]


def test_an_after_response_job_runs_once_the_answer_is_sent(inline):
    """In a request, inline: not before the answer is closed (so its duration is not part of
    the answer time), then once."""
    with inline.test_request_context("/", method="POST"):
        job = enqueue(record, after_response=True, label="late")
        db.session.commit()
        assert CALLS == []  # committed, but the answer is not sent yet
        response = inline.process_response(inline.make_response("ok"))
    assert CALLS == [] and reload(job).status == QUEUED
    response.close()  # the server has sent it
    assert CALLS == ["late"]
    assert reload(job).status == SUCCEEDED


def test_an_after_response_job_outside_a_request_runs_at_commit(inline):
    enqueue(record, after_response=True, label="cli")
    db.session.commit()
    assert CALLS == ["cli"]


def test_job_sees_the_data_committed_with_it(inline, make_user):
    user = make_user(email="seen@example.com")
    enqueue(record_user_seen, email=user.email)
    db.session.commit()
    assert CALLS == [True]


def test_rollback_drops_the_job(inline):
    job_id = enqueue(record, label="never").id
    db.session.rollback()
    db.session.commit()
    assert CALLS == []
    assert db.session.get(JobRun, job_id) is None


def test_idempotency_key_returns_the_same_job_and_runs_it_once(inline):
    first = enqueue(record, idempotency_key="welcome:42", label="one")
    second = enqueue(record, idempotency_key="welcome:42", label="two")
    assert second is first
    db.session.commit()

    third = enqueue(record, idempotency_key="welcome:42", label="three")
    db.session.commit()
    assert third.id == first.id
    assert CALLS == ["one"]
    assert db.session.query(JobRun).filter_by(idempotency_key="welcome:42").count() == 1


def test_failing_job_is_recorded_with_its_error(inline):
    job = enqueue(explode, queue="email", label="bad")
    db.session.commit()  # the caller's commit survives its job's failure
    job = reload(job)
    assert CALLS == ["bad"]
    assert (job.status, job.attempts) == (FAILED, 1)
    assert "RuntimeError: boom bad" in job.error
    assert job.finished_at is not None


def test_run_job_again_retries_a_failed_job_but_never_a_succeeded_one(inline):
    failed = enqueue(explode, label="f")
    done = enqueue(record, label="d")
    db.session.commit()
    assert sorted(CALLS) == ["d", "f"]

    run_job(done.id)
    run_job(failed.id)
    assert sorted(CALLS) == ["d", "f", "f"]
    assert (reload(done).status, reload(done).attempts) == (SUCCEEDED, 1)
    assert (reload(failed).status, reload(failed).attempts) == (FAILED, 2)


def test_run_job_ignores_an_unknown_id(inline):
    run_job("00000000-0000-0000-0000-000000000000")
    assert CALLS == []


def test_releasing_a_savepoint_does_not_start_the_job_early(inline):
    enqueue(record, label="A")
    with db.session.begin_nested():
        pass
    assert CALLS == []  # the data is not committed yet: a job started now cannot see it
    db.session.commit()
    assert CALLS == ["A"]


def test_a_failed_savepoint_keeps_the_jobs_enqueued_before_it(inline):
    job = enqueue(record, label="B")
    with pytest.raises(ValueError), db.session.begin_nested():
        enqueue(record, label="inside")
        raise ValueError("one step failed; the rest of the transaction goes on")
    db.session.commit()
    assert CALLS == ["B"]
    assert reload(job).status == SUCCEEDED


def test_unknown_queue_is_refused(inline):
    with pytest.raises(ValueError, match="unknown queue"):
        enqueue(record, queue="nope", label="x")


# --- RQ mode -----------------------------------------------------------------------------

@pytest.fixture
def rq_mode(app, redis_conn, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_TEST_URL)
    return redis_conn


def work_burst(connection, *names):
    """Run a real rq worker in this process until its queues are empty."""
    from rq import Queue, SimpleWorker

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:  # the worker installs its own signal handlers; give pytest its own back
        queues = [Queue(name, connection=connection) for name in names]
        SimpleWorker(queues, connection=connection).work(burst=True)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


@pytest.mark.redis
def test_rq_job_waits_on_its_named_queue_until_a_worker_runs_it(app, rq_mode):
    from rq import Queue

    job = enqueue(record, queue="media", label="transcode")
    assert Queue("media", connection=rq_mode).count == 0  # nothing before the commit
    db.session.commit()

    assert Queue("media", connection=rq_mode).job_ids == [job.id]
    assert Queue("default", connection=rq_mode).count == 0
    assert CALLS == []
    assert reload(job).status == QUEUED

    work_burst(rq_mode, "media")
    assert CALLS == ["transcode"]
    job = reload(job)
    assert (job.status, job.attempts) == (SUCCEEDED, 1)
    assert Queue("media", connection=rq_mode).count == 0


@pytest.mark.redis
def test_rq_rollback_enqueues_nothing(app, rq_mode):
    from rq import Queue

    enqueue(record, queue="email", label="never")
    db.session.rollback()
    db.session.commit()
    assert Queue("email", connection=rq_mode).count == 0


@pytest.mark.redis
def test_rq_failed_job_is_recorded(app, rq_mode):
    job = enqueue(explode, queue="pdf", label="broken pdf")
    db.session.commit()
    work_burst(rq_mode, "pdf")
    job = reload(job)
    assert (job.status, job.attempts) == (FAILED, 1)
    assert "boom broken pdf" in job.error
