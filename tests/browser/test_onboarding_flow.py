"""Issue 10's whole journey in headless Chromium: a candidate is hired through the pipeline
and the new agent is enrolled in the opening's path once, even when `hired` comes twice; the
agent signs in to their home page, sees the due course and an announcement, starts the
built-in QM course from there, completes it in the player, gets the certificate, and its
public verify page confirms it; the trainer sees the matrix cell turn passed, the questions
report and the CSV. Screenshots go to tests/artifacts/screens/onboarding-*.png."""

import csv
import io
import re

from sqlalchemy import func, select

from portal.extensions import db
from tests.browser.test_assessments_flow import log_in, shot
from tests.browser.test_builtin_course_flow import (  # noqa: F401 (qm_course is a fixture)
    TITLE,
    expect,
    opened,
    qm_course,
    read_to_the_end,
    sco,
    take_quiz,
    tracked,
)
from tests.browser.test_course_player_flow import wait_for
from tests.conftest import DEFAULT_PASSWORD

AGENT_EMAIL = "onboarding.flow@example.com"
TRAINER_EMAIL = "onboarding.trainer@example.com"


def hire_into_a_path(live_app, ids: dict) -> dict:
    """A path of the QM course, due in 7 days, named by an opening; a candidate applies and
    is hired through the pipeline's service, and `hired` is sent a second time."""
    from courses import catalogue, paths
    from courses.announcements import Fields, create, today
    from courses.landing_models import EVERYONE
    from courses.models import Course
    from courses.path_models import PathEnrolment
    from portal.auth.models import MANAGER, TRAINER
    from portal.recruiting import services, signals, stages
    from tests.helpers import apply, new_user, open_opening

    with live_app.app_context():
        manager = new_user("onboarding.manager@example.com", "Morgan Hale", MANAGER,
                           DEFAULT_PASSWORD)
        trainer = new_user(TRAINER_EMAIL, "Tess Trainer", TRAINER, DEFAULT_PASSWORD)
        course = db.session.get(Course, ids["course_id"])
        catalogue.save_details(course, trainer, certifies=True, estimated_minutes=30)
        path = paths.save(None, title="Onboarding flow path", description="", due_days=7,
                          steps=[paths.StepPlan(course.id)], actor=trainer)
        opening = open_opening(manager, title="Flow Support Agent")
        paths.set_openings(path, [opening.id], trainer)
        create(Fields(kind="news", title="Welcome to the flow team", body="Glad you are here.",
                      audience=EVERYONE, team_id=None, opening_id=None, pinned=True,
                      starts_on=today(), ends_on=None), trainer)
        candidate = new_user(AGENT_EMAIL, "Jordan Flow", "candidate", DEFAULT_PASSWORD)
        application = apply(opening, candidate)
        services.move(application, stages.HIRED, manager, "Welcome aboard")
        signals.hired.send(application, user=candidate, actor=manager)  # a second `hired`
        db.session.commit()
        enrolments = db.session.scalar(select(func.count()).select_from(PathEnrolment).where(
            PathEnrolment.learner_id == candidate.id))
        return {"path_id": path.id, "enrolments": enrolments, "course_id": course.id}


def correct_answers(live_app, course_id: int) -> dict[str, int]:
    """Each question's learners who answered it right, as the questions report counts them
    (other tests' learners take the same course in this session)."""
    from courses import reports
    from courses.models import Course

    with live_app.app_context():
        return {q.interaction_id: q.correct
                for q in reports.interactions(db.session.get(Course, course_id))}


def test_a_hire_is_enrolled_once_completes_the_qm_course_and_is_certified(
        page, browser, live_app, live_server, qm_course):  # noqa: F811 (the fixture)
    hired = hire_into_a_path(live_app, qm_course)
    assert hired["enrolments"] == 1

    log_in(page, live_server, AGENT_EMAIL, DEFAULT_PASSWORD)
    expect(page).to_have_url(f"{live_server}/me/home")
    assignment = page.get_by_role("listitem").filter(has_text=TITLE)
    expect(assignment).to_contain_text("Due ")
    expect(page.get_by_role("link", name="Welcome to the flow team")).to_be_visible()
    shot(page, "onboarding-home")
    assignment.get_by_role("button", name=re.compile("^Start")).click()
    expect(page).to_have_url(re.compile(r"/me/courses/attempts/\d+$"))

    right_before = correct_answers(live_app, hired["course_id"])
    opened(page, "qm_why")
    # Each lesson's own last button asks the player to continue (adl.nav.request).
    for item, following, button in (
            ("qm_why", "qm_scorecard", "Go on to lesson 2"),
            ("qm_scorecard", "qm_evaluations", "Go on to lesson 3"),
            ("qm_evaluations", "qm_coaching", "Go on to lesson 4"),
            ("qm_coaching", "qm_quiz", "Take the quiz")):
        read_to_the_end(page, live_app, AGENT_EMAIL, item)
        sco(page).get_by_role("button", name=button, exact=True).click()
        opened(page, following)
    take_quiz(page, wrong_answers=set())
    wait_for(lambda: tracked(live_app, AGENT_EMAIL)["registration"],
             lambda row: row["success"] == "passed", "the course passed")

    page.goto(f"{live_server}/me/home")
    earned = page.locator(".certificate-list li").filter(has_text=TITLE)
    expect(earned).to_contain_text("Passed")
    code = re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", earned.inner_text()).group(0)
    shot(page, "onboarding-home-certified")
    with page.expect_download() as download:
        earned.get_by_role("link", name=re.compile("^Download PDF")).click()
    assert download.value.suggested_filename == f"certificate-{code}.pdf"

    visitor = browser.new_context().new_page()  # anyone, not signed in
    visitor.goto(f"{live_server}/certificates/verify/{code.lower().replace('-', '')}")
    expect(visitor.get_by_text("Valid:")).to_be_visible()
    expect(visitor.locator("main")).to_contain_text(f"issued to Jordan Flow for {TITLE}")
    assert AGENT_EMAIL not in visitor.content()
    shot(visitor, "onboarding-verify")
    visitor.context.close()

    staff = browser.new_context(accept_downloads=True).new_page()
    log_in(staff, live_server, TRAINER_EMAIL, DEFAULT_PASSWORD)
    staff.goto(f"{live_server}/learning/matrix?path={hired['path_id']}")
    row = staff.get_by_role("row").filter(has_text="Jordan Flow")
    expect(row.locator(".matrix-cell")).to_contain_text("Passed")
    shot(staff, "onboarding-matrix")
    staff.goto(f"{live_server}/courses/{hired['course_id']}/interactions")
    right = right_before.get("qm-q01-sampling", 0) + 1  # this learner's answer counts
    expect(staff.get_by_role("row").filter(has_text="qm-q01-sampling")).to_contain_text(
        re.compile(rf"\b{right} of \d+"))
    assert all(count == right_before.get(question, 0) + 1 for question, count in
               correct_answers(live_app, hired["course_id"]).items())
    shot(staff, "onboarding-questions")
    with staff.expect_download() as download:
        staff.goto(f"{live_server}/learning/matrix?path={hired['path_id']}")
        staff.get_by_role("link", name=re.compile("CSV")).first.click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert any("Jordan Flow" in cells and TITLE in cells for cells in rows[1:]), rows
    staff.context.close()
