"""What trainers do on the learning pages: give a course its catalogue details or archive it,
build a path from courses in order, name the openings whose hires join it, enrol people in
bulk (and read who was skipped and why), unenrol, archive; what agents see of it."""

import pytest
from sqlalchemy import select

from courses.models import Course
from courses.path_models import LearningPath, OpeningPath, PathEnrolment
from courses.tracking_models import Registration
from portal.extensions import db
from tests.helpers import open_opening, page_text
from tests.test_course_tracking import MANIFEST_12, MANIFEST_2004, imported


@pytest.fixture
def trainer(make_user):
    return make_user(roles=("trainer",), full_name="Terry Train")


@pytest.fixture
def courses(app, tmp_path):
    first = imported(tmp_path, MANIFEST_12, "first").course
    second = imported(tmp_path, MANIFEST_2004, "second").course
    db.session.commit()
    return first, second


def test_a_trainer_sets_a_courses_catalogue_details_and_archives_it(client, login, trainer,
                                                                    courses):
    first, _ = courses
    login(client, trainer)
    answer = client.post(f"/courses/{first.id}/details", data={
        "title": "Call basics", "description": "Greet and verify.", "category": "Onboarding",
        "estimated_minutes": "25", "certifies": "y"})
    assert answer.status_code == 303
    listed = page_text(client.get("/courses/"))
    assert "Onboarding 25 min" in listed and "Certifies" in listed
    refused = client.post(f"/courses/{first.id}/details", data={"title": "",
                                                                "estimated_minutes": "-3"})
    assert refused.status_code == 422
    assert "Give the course a title." in page_text(refused)
    assert "From 1 to 6,000 minutes" in page_text(refused)
    client.post(f"/courses/{first.id}/archive", data={"archive": "1"})
    assert first.key not in page_text(client.get("/courses/"))
    assert first.key in page_text(client.get("/courses/?archived=1"))
    assert "Restore the course" in page_text(client.get(f"/courses/{first.id}"))
    assert client.post(f"/courses/{first.id}/policy", data={}).status_code == 404
    client.post(f"/courses/{first.id}/archive", data={})
    assert db.session.get(Course, first.id).archived_at is None


def test_a_trainer_builds_a_path_names_an_opening_and_enrols_people(
        client, login, trainer, courses, make_user):
    first, second = courses
    login(client, trainer)
    refused = client.post("/learning/paths/new", data={
        "title": "Onboarding", "step-0-course": str(first.id),
        "step-1-course": str(first.id)})
    assert refused.status_code == 422 and "A course appears twice" in page_text(refused)
    answer = client.post("/learning/paths/new", data={
        "title": "New agent onboarding", "due_days": "14", "step-0-course": str(first.id),
        "step-2-course": str(second.id), "step-2-opens": "passed"})
    assert answer.status_code == 303
    path = db.session.scalar(select(LearningPath))
    assert [(s.course_id, s.opens_after) for s in path.steps] == [
        (first.id, ""), (second.id, "passed")]
    page = page_text(client.get(f"/learning/paths/{path.id}"))
    assert "Due 14 days after enrolment." in page
    assert "Opens when the course before it is passed" in page

    opening = open_opening(make_user(roles=("manager",)))
    db.session.commit()
    client.post(f"/learning/paths/{path.id}/openings", data={"openings": [str(opening.id)]})
    assert db.session.get(OpeningPath, opening.id).path_id == path.id

    agent = make_user(roles=("agent",), email="ana@example.com", full_name="Ana Diaz")
    make_user(roles=("candidate",), email="cal@example.com")
    db.session.commit()
    answer = client.post(f"/learning/paths/{path.id}/enrol", data={
        "how": "emails", "emails": "ana@example.com cal@example.com nope@example.com"},
        follow_redirects=True)
    shown = page_text(answer)
    assert "1 learner enrolled." in shown
    assert "cal@example.com: not an agent" in shown
    assert "nope@example.com: no account has this address" in shown
    assert "Ana Diaz" in shown and "By email list" in shown

    exported = client.get(f"/learning/paths/{path.id}/learners.csv").get_data(as_text=True)
    assert exported.startswith("\ufeffLearner,Email,Enrolled (UTC),How")
    assert "Ana Diaz,ana@example.com," in exported and ",By email list," in exported

    enrolment = db.session.scalar(select(PathEnrolment))
    client.post(f"/learning/paths/{path.id}/enrolments/{enrolment.id}/unenrol")
    db.session.expire_all()
    assert db.session.get(PathEnrolment, enrolment.id).unenrolled_at is not None
    assert all(r.unenrolled_at for r in db.session.scalars(select(Registration).where(
        Registration.learner_id == agent.id)))
    assert "Unenrolled" in page_text(client.get(f"/learning/paths/{path.id}"))

    client.post(f"/learning/paths/{path.id}/archive")
    assert client.get(f"/learning/paths/{path.id}").status_code == 404
    assert "New agent onboarding" not in page_text(client.get("/learning/paths/"))


def test_an_agent_reaches_no_path_page(client, login, make_user):
    login(client, make_user(roles=("agent",)))
    assert client.get("/learning/paths/").status_code == 403
    assert client.post("/learning/paths/new", data={"title": "x"}).status_code == 403


def test_an_unknown_path_is_not_found(client, login, trainer):
    login(client, trainer)
    assert client.get("/learning/paths/999").status_code == 404
    assert client.post("/learning/paths/999/enrol", data={"how": "emails"}).status_code == 404


def test_my_courses_shows_the_due_date_and_why_a_course_is_not_open_yet(
        app, client, login, trainer, courses, make_user):
    first, second = courses
    login(client, trainer)
    client.post("/learning/paths/new", data={
        "title": "Onboarding", "due_days": "7", "step-0-course": str(first.id),
        "step-1-course": str(second.id), "step-1-opens": "completed"})
    path = db.session.scalar(select(LearningPath))
    make_user(roles=("agent",), email="ana@example.com")
    db.session.commit()
    client.post(f"/learning/paths/{path.id}/enrol", data={"how": "emails",
                                                         "emails": "ana@example.com"})
    agent = db.session.scalar(select(PathEnrolment)).learner
    agents_browser = app.test_client()
    login(agents_browser, agent)
    shown = page_text(agents_browser.get("/me/courses/"))
    assert "Due " in shown and "Opens when “Call basics” is completed." in shown


def test_the_path_page_draws_how_far_learners_got(client, login, trainer, courses, make_user,
                                                  count_queries):
    from courses import enrolment, paths
    from courses.paths import StepPlan

    first, second = courses
    path = paths.save(None, title="Onboarding", description="", due_days=None,
                      steps=[StepPlan(first.id), StepPlan(second.id)], actor=trainer)
    learners = [make_user(roles=("agent",)) for _ in range(3)]
    for learner in learners:
        enrolment.enrol(learner, path, source="hand")
    done = db.session.scalar(select(Registration).where(
        Registration.learner_id == learners[0].id, Registration.course_id == first.id))
    done.completion, done.attempt_count = "completed", 1
    db.session.commit()
    assert paths.funnel(path) == [("Enrolled", 3), ("Started", 1),
                                  ("Completed Call basics", 1), ("Completed QM basics", 0),
                                  ("Completed the path", 0)]
    login(client, trainer)
    page = client.get(f"/learning/paths/{path.id}").get_data(as_text=True)
    assert "Enrolled: 3; Started: 1; Completed Call basics: 1" in page  # the text alternative


def test_an_opening_or_team_that_is_no_id_is_asked_for_in_words(client, login, trainer,
                                                                 courses):
    first, _ = courses
    login(client, trainer)
    client.post("/learning/paths/new", data={"title": "Onboarding",
                                             "step-0-course": str(first.id)})
    path = db.session.scalar(select(LearningPath))
    answer = client.post(f"/learning/paths/{path.id}/enrol", data={"how": "opening",
                                                                   "opening_id": "abc"})
    assert answer.status_code == 422
    assert "Choose the opening whose hires to enrol." in page_text(answer)
    assert "could not coerce" not in page_text(answer)
