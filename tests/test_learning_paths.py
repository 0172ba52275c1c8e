"""Onboarding paths: a hire is enrolled in the opening's path once (even when `hired` comes
twice), a step opens when the one before it is done, every progress change leaves exactly
one outbox event in order (none when the change rolls back), replaying the outbox changes
nothing, and certificates are issued once, re-issued under a new name and revoked."""

import pytest
from sqlalchemy import func, select

from courses import certificates, enrolment, paths, progress
from courses.certificate_models import Certificate
from courses.path_models import PathEnrolment
from courses.paths import StepPlan
from courses.progress_models import ProgressEvent
from courses.tracking_models import Registration
from portal.extensions import db
from portal.recruiting import services, signals, stages
from tests.helpers import apply, open_opening
from tests.test_course_tracking import (
    MANIFEST_12,
    MANIFEST_2004,
    commit,
    imported,
    launch,
    open_attempt,
)


@pytest.fixture
def manager(make_user):
    return make_user(roles=("manager",), full_name="Morgan Lee")


@pytest.fixture
def two_courses(app, tmp_path):
    first = imported(tmp_path, MANIFEST_12, "first").course
    second = imported(tmp_path, MANIFEST_2004, "second").course
    first.certifies = True
    return first, second


@pytest.fixture
def path(two_courses, manager):
    first, second = two_courses
    made = paths.save(None, title="New agent onboarding", description="", due_days=14,
                      steps=[StepPlan(first.id), StepPlan(second.id, "passed")], actor=manager)
    db.session.commit()
    return made


def types_of(learner_id: int) -> list[str]:
    return list(db.session.scalars(select(ProgressEvent.type).where(
        ProgressEvent.learner_id == learner_id).order_by(ProgressEvent.id)))


def test_a_hire_is_enrolled_in_the_openings_path_once(make_user, manager, path):
    opening = open_opening(manager)
    paths.set_openings(path, [opening.id], manager)
    candidate = make_user(full_name="Casey Hale")
    application = apply(opening, candidate)
    services.move(application, stages.HIRED, manager, "Welcome")
    signals.hired.send(application, user=candidate, actor=manager)  # a second `hired`
    db.session.commit()
    enrolments = db.session.scalars(select(PathEnrolment).where(
        PathEnrolment.learner_id == candidate.id)).all()
    assert len(enrolments) == 1 and enrolments[0].source == "hire"
    assert enrolments[0].application_id == application.id
    rows = db.session.scalars(select(Registration).where(
        Registration.learner_id == candidate.id)).all()
    assert len(rows) == 2 and all(row.due_at == enrolments[0].due_at for row in rows)
    assert types_of(candidate.id).count("enrolled") == 3  # the path and its two courses


def test_a_failing_enrolment_rolls_the_hire_back(make_user, manager, path, monkeypatch):
    opening = open_opening(manager)
    paths.set_openings(path, [opening.id], manager)
    application = apply(opening, make_user())
    db.session.commit()
    monkeypatch.setattr(enrolment, "enrol", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.move(application, stages.HIRED, manager, "Welcome")
    db.session.rollback()
    assert db.session.get(type(application), application.id).stage == stages.APPLIED


def test_the_next_course_opens_when_the_one_before_is_passed(make_user, client, login, path,
                                                             two_courses):
    first, second = two_courses
    learner = make_user(roles=("agent",))
    enrolment.enrol(learner, path, source="hand")
    db.session.commit()
    assert "is passed" in paths.locks_for(learner.id)[second.id]
    login(client, learner)
    locked = db.session.scalar(select(Registration).where(
        Registration.course_id == second.id, Registration.learner_id == learner.id))
    answer = client.post(f"/me/courses/{locked.id}/launch")
    assert answer.status_code == 409 and "is passed" in answer.get_data(as_text=True)
    opened = db.session.scalar(select(Registration).where(
        Registration.course_id == first.id, Registration.learner_id == learner.id))
    attempt_id = open_attempt(client, opened)
    seq = launch(client, attempt_id)["seq"]
    commit(client, attempt_id, seq + 1, [["cmi.core.lesson_status", "completed"],
                                         ["cmi.core.score.raw", "90"]])
    assert paths.locks_for(learner.id) == {}


def test_every_progress_change_is_one_event_in_order(make_user, client, login, path,
                                                     two_courses):
    first, _ = two_courses
    learner = make_user(roles=("agent",), full_name="Avery Lin")
    enrolment.enrol(learner, path, source="hand")
    db.session.commit()
    login(client, learner)
    registration = db.session.scalar(select(Registration).where(
        Registration.course_id == first.id, Registration.learner_id == learner.id))
    attempt_id = open_attempt(client, registration)
    seq = launch(client, attempt_id)["seq"]
    commit(client, attempt_id, seq + 1, [["cmi.core.lesson_status", "incomplete"]])
    commit(client, attempt_id, seq + 2, [["cmi.core.lesson_location", "page 2"]])
    commit(client, attempt_id, seq + 3, [["cmi.core.lesson_status", "completed"],
                                         ["cmi.core.score.raw", "60"]])
    commit(client, attempt_id, seq + 4, [["cmi.core.score.raw", "85"]])
    commit(client, attempt_id, seq + 4, [["cmi.core.score.raw", "85"]])  # replayed: stale
    assert types_of(learner.id) == [
        "enrolled", "enrolled", "enrolled",  # the two courses, then the path
        "started",
        "completed", "failed", "score_changed",  # 60 under the mastery score of 80
        "passed", "certificate_issued", "score_changed"]  # the pass certifies at once
    changed = db.session.scalars(select(ProgressEvent).where(
        ProgressEvent.learner_id == learner.id, ProgressEvent.type == "score_changed")
        .order_by(ProgressEvent.id)).all()
    assert [(e.payload["previous"], e.payload["score"]) for e in changed] == [
        (None, 0.6), (0.6, 0.85)]


def test_a_rolled_back_change_leaves_no_event(make_user, path):
    learner = make_user(roles=("agent",))
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(ProgressEvent))
    enrolment.enrol(learner, path, source="hand")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ProgressEvent)) == before
    assert db.session.scalar(select(func.count()).select_from(PathEnrolment)) == 0


def finish(client, login, learner, course, score="90"):
    login(client, learner)
    registration = db.session.scalar(select(Registration).where(
        Registration.course_id == course.id, Registration.learner_id == learner.id))
    attempt_id = open_attempt(client, registration)
    seq = launch(client, attempt_id)["seq"]
    commit(client, attempt_id, seq + 1, [["cmi.core.lesson_status", "completed"],
                                         ["cmi.core.score.raw", score]])
    db.session.expire_all()
    return registration


def test_replaying_the_outbox_changes_nothing(make_user, client, login, path, two_courses):
    learner = make_user(roles=("agent",))
    enrolment.enrol(learner, path, source="hand")
    db.session.commit()
    finish(client, login, learner, two_courses[0])
    counted = (select(func.count()).select_from(Certificate), select(func.count())
               .select_from(ProgressEvent))
    before = [db.session.scalar(query) for query in counted]
    assert before[0] == 1
    sent = progress.replay(lambda event: progress.progress_changed.send(event))
    db.session.commit()
    assert sent == before[1] and [db.session.scalar(query) for query in counted] == before


def test_a_certificate_is_reissued_under_a_new_name_and_revoked_on_reset(
        make_user, client, login, path, two_courses, manager):
    learner = make_user(roles=("agent",), full_name="Avery Lin")
    enrolment.enrol(learner, path, source="hand")
    db.session.commit()
    registration = finish(client, login, learner, two_courses[0])
    issued = certificates.valid_for(learner.id)
    assert [(c.name, c.title, c.achievement) for c in issued] == [
        ("Avery Lin", "Call basics", "passed")]
    with pytest.raises(certificates.ReissueRefused, match="already carries"):
        certificates.reissue(issued[0], manager)  # same name: the code stays valid
    learner.full_name = "Avery Lin-Moreau"
    fresh = certificates.reissue(issued[0], manager)
    db.session.commit()
    assert fresh.name == "Avery Lin-Moreau" and fresh.code != issued[0].code
    assert certificates.by_code(issued[0].code.lower().replace("-", "")).revoked_at
    certificates.revoke_for_registration(registration, "The completion was reset.")
    db.session.commit()
    assert certificates.valid_for(learner.id) == []


def test_a_whole_path_completed_certifies_it(make_user, client, login, path, two_courses):
    learner = make_user(roles=("agent",))
    enrolment.enrol(learner, path, source="hand")
    db.session.commit()
    finish(client, login, learner, two_courses[0])
    registration = db.session.scalar(select(Registration).where(
        Registration.course_id == two_courses[1].id, Registration.learner_id == learner.id))
    attempt_id = open_attempt(client, registration)
    seq = launch(client, attempt_id)["seq"]
    commit(client, attempt_id, seq + 1, [["cmi.completion_status", "completed"],
                                         ["cmi.success_status", "passed"],
                                         ["cmi.score.scaled", "0.9"]])
    db.session.expire_all()
    held = {c.title for c in certificates.valid_for(learner.id)}
    assert held == {"Call basics", "New agent onboarding"}
    assert db.session.scalar(select(PathEnrolment.completed_at).where(
        PathEnrolment.learner_id == learner.id)) is not None


def test_bulk_enrolment_reports_who_was_skipped_and_why(make_user, path, manager):
    agent = make_user(roles=("agent",), email="agent@example.com")
    make_user(roles=("candidate",), email="cand@example.com")
    enrolment.enrol(agent, path, source="hand")
    result = enrolment.enrol_emails(path, "agent@example.com, cand@example.com\n"
                                    "nobody@example.com", manager)
    assert result.enrolled == []
    assert dict(result.skipped) == {
        "nobody@example.com": "no account has this address",
        "agent@example.com": "already enrolled in this path",
        "cand@example.com": "not an agent (only hired agents take onboarding paths)"}


def test_unenrolling_keeps_the_history(make_user, client, login, path, two_courses, manager):
    learner = make_user(roles=("agent",))
    row = enrolment.enrol(learner, path, source="hand")
    db.session.commit()
    finish(client, login, learner, two_courses[0])
    enrolment.unenrol(db.session.get(PathEnrolment, row.id), manager)
    db.session.commit()
    first, second = (db.session.scalar(select(Registration).where(
        Registration.course_id == course.id, Registration.learner_id == learner.id))
        for course in two_courses)
    assert first.unenrolled_at is None and first.completion == "completed"
    assert second.unenrolled_at is not None and second.due_at is None
    assert enrolment.enrol(learner, path, source="hand") is not None  # may come back
