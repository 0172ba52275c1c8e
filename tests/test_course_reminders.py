"""Due-date reminders: a course due within three days and an overdue one are each reminded
once however often the job runs (and when a concurrent run got there first), completed and
unenrolled registrations never, a new due date again; the overdue reminder writes the
"overdue" progress event once; the emails name the course and its due date; the command
line queues the day's job once and, with --now, prints the counts."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from courses import registrations, reminders
from courses.models import Course
from courses.path_models import Reminder
from courses.progress_models import ProgressEvent
from portal.extensions import db, utcnow
from portal.jobs import JobRun
from portal.mail import OutboxEmail

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def course(app):
    made = Course(key="due-dates", title="Handling complaints")
    db.session.add(made)
    db.session.flush()
    return made


@pytest.fixture
def register(course, make_user):
    def make(due_at, **fields):
        learner = make_user(roles=("agent",))
        registration = registrations.register(course, learner)
        registration.due_at = due_at
        for name, value in fields.items():
            setattr(registration, name, value)
        db.session.commit()
        return registration

    return make


def emails_to(user, template=None) -> list[OutboxEmail]:
    query = select(OutboxEmail).where(OutboxEmail.recipient_id == user.id)
    if template:
        query = query.where(OutboxEmail.template == template)
    return list(db.session.scalars(query.order_by(OutboxEmail.id)))


def overdue_events(registration) -> int:
    return db.session.scalar(select(func.count()).select_from(ProgressEvent).where(
        ProgressEvent.registration_id == registration.id, ProgressEvent.type == "overdue"))


def test_due_soon_and_overdue_are_each_sent_once_across_two_runs(register):
    soon = register(NOW + timedelta(days=2))
    late = register(NOW - timedelta(days=1))
    later = register(NOW + timedelta(days=5))  # not yet: outside the three days
    assert reminders.send_due_reminders(NOW) == {"due_soon": 1, "overdue": 1, "skipped": 0}
    assert reminders.send_due_reminders(NOW + timedelta(hours=12)) == {
        "due_soon": 0, "overdue": 0, "skipped": 0}
    assert [m.template for m in emails_to(soon.learner)] == ["course_due_soon"]
    assert [m.template for m in emails_to(late.learner)] == ["course_overdue"]
    assert emails_to(later.learner) == []
    assert overdue_events(late) == 1 and overdue_events(soon) == 0


def test_the_due_soon_one_is_followed_by_the_overdue_one(register):
    registration = register(NOW + timedelta(days=1))
    reminders.send_due_reminders(NOW)
    reminders.send_due_reminders(NOW + timedelta(days=2))
    reminders.send_due_reminders(NOW + timedelta(days=3))
    assert [m.template for m in emails_to(registration.learner)] == [
        "course_due_soon", "course_overdue"]
    assert overdue_events(registration) == 1
    event = db.session.scalar(select(ProgressEvent).where(
        ProgressEvent.registration_id == registration.id, ProgressEvent.type == "overdue"))
    assert event.payload["due_at"] == registration.due_at.isoformat()


def test_completed_unenrolled_and_undated_registrations_get_none(register):
    done = register(NOW - timedelta(days=1), completion="completed")
    gone = register(NOW + timedelta(days=1), unenrolled_at=NOW - timedelta(days=3))
    undated = register(None)
    assert reminders.send_due_reminders(NOW) == {"due_soon": 0, "overdue": 0, "skipped": 0}
    for registration in (done, gone, undated):
        assert emails_to(registration.learner) == []
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == 0


def test_a_new_due_date_is_reminded_again(register):
    registration = register(NOW + timedelta(days=1))
    reminders.send_due_reminders(NOW)
    registration.due_at = NOW + timedelta(days=2)  # a new enrolment moved it
    db.session.commit()
    assert reminders.send_due_reminders(NOW)["due_soon"] == 1
    assert len(emails_to(registration.learner, "course_due_soon")) == 2


def test_the_emails_name_the_course_and_the_due_date(register):
    soon = register(datetime(2025, 3, 12, 17, 0, tzinfo=UTC))
    late = register(datetime(2025, 3, 7, 17, 0, tzinfo=UTC))
    reminders.send_due_reminders(NOW)
    [reminder] = emails_to(soon.learner)
    assert "Handling complaints" in reminder.subject
    for body in (reminder.body_text, reminder.body_html):
        assert "Handling complaints" in body and "Wednesday, 12 March 2025" in body
        assert "/me/home" in body
    [overdue] = emails_to(late.learner)
    assert overdue.subject.startswith("Overdue:") and "Handling complaints" in overdue.subject
    assert "Friday, 7 March 2025" in overdue.body_text and "/me/home" in overdue.body_text
    assert overdue.body_text.startswith(f"Hello {late.learner.full_name},")


def test_a_reminder_a_concurrent_run_sent_is_skipped_and_the_others_still_go(
        register, monkeypatch):
    first = register(NOW + timedelta(days=1))
    second = register(NOW + timedelta(days=2))
    real = reminders._candidates

    def raced(kind, window, after_id):
        found = real(kind, window, after_id)
        if kind == "due_soon" and found:  # the other run inserts it meanwhile
            db.session.execute(insert(Reminder).values(
                registration_id=first.id, kind="due_soon", due_at=first.due_at, sent_at=NOW))
        return found

    monkeypatch.setattr(reminders, "_candidates", raced)
    assert reminders.send_due_reminders(NOW) == {"due_soon": 1, "overdue": 0, "skipped": 1}
    assert emails_to(first.learner) == []
    assert len(emails_to(second.learner)) == 1


def test_candidates_are_read_in_batches(register, monkeypatch, count_queries):
    for days in (1, 2, 2, 3, -1):
        register(NOW + timedelta(days=days))
    monkeypatch.setattr(reminders, "BATCH", 2)
    with count_queries() as counter:
        counts = reminders.send_due_reminders(NOW)
    assert counts == {"due_soon": 4, "overdue": 1, "skipped": 0}
    reads = [s for s in counter.statements if "FROM course_registrations" in s
             and "course_reminders" in s]
    assert len(reads) == 4  # overdue: 1; due soon: 2 full batches and the empty end


def test_the_command_line_queues_the_days_job_once_and_prints_counts(app, register):
    register(utcnow() + timedelta(days=1))
    register(utcnow() - timedelta(hours=1))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["courses", "remind", "--now"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"due_soon": 1, "overdue": 1, "skipped": 0}

    register(utcnow() + timedelta(days=2))
    queued = runner.invoke(args=["courses", "remind"])
    assert queued.exit_code == 0, queued.output
    printed = json.loads(queued.output)
    assert printed["idempotency_key"] == f"course-reminders:{utcnow().date().isoformat()}"
    assert printed["status"] == "succeeded"  # no Redis: the job ran inline
    again = json.loads(runner.invoke(args=["courses", "remind"]).output)
    assert again["job"] == printed["job"]
    assert db.session.scalar(select(func.count()).select_from(JobRun).where(
        JobRun.func == "courses.reminders:remind_job")) == 1
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == 3
