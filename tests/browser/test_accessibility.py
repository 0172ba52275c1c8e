"""Every page, and its error states, checked with axe-core (WCAG 2.1 A/AA rules) in Chromium.

Each visit in VISITS is checked at 1280 px and at 390 px (a phone; there with the navbar menu
opened, so its links are checked too), plus a reflow check at 320 px (400 % zoom): nothing may make
the page itself scroll sideways. A violation of impact "critical" or "serious" fails the visit and
is printed with its rule id, help text and the elements concerned.

To check a new page, add one line to VISITS: a name, the role that looks at it, its path (which may
name fields of `A11yData`, like `{opening_id}`) and optionally what to do there first (`submit(...)`
to see the form's errors). One browser context per role, logged in once through the login form.
`A11Y_SCREENSHOTS=1` also saves a screenshot of every visit into tests/artifacts/a11y/.
"""

import os
import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from portal.extensions import db
from tests.browser.conftest import _CSP_REPORTER, ARTIFACTS, TIMEOUT_MS
from tests.conftest import DEFAULT_PASSWORD

try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect
except ImportError:  # the conftest skips (or, under CI, fails) the browser tests with the reason
    if os.environ.get("CI", "").lower() == "true":
        raise
    pytest.skip("`playwright` or `axe-playwright-python` is missing: pip install -e '.[test]'",
                allow_module_level=True)

BLOCKING_IMPACTS = ("critical", "serious")
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                          "best-practice"]},
}
WIDTHS = {"1280": {"width": 1280, "height": 900}, "390": {"width": 390, "height": 844}}
REFLOW = {"width": 320, "height": 640}
SHOTS = ARTIFACTS / "a11y"
NAME = "a11y-" + uuid.uuid4().hex[:6]  # this run's users never collide with other tests'


@dataclass(frozen=True)
class A11yData:
    opening_id: int           # the seed opening (the candidate applied to it)
    apply_opening_id: int     # an open opening the candidate has not applied to
    application_id: int
    admin_id: int
    reset_path: str           # a valid password-reset link, as emailed
    assessed_application_id: int  # an application to an opening with every assessment step
    assessed_opening_id: int
    sjt_attempt_id: int       # in progress
    typing_attempt_id: int    # its typing test running
    done_attempt_id: int      # finished
    course_id: int            # a small SCORM course, imported
    team_id: int              # the agent's team
    announcement_id: int      # for everyone, pinned, formatted
    path_id: int              # a learning path of the course, the agent enrolled
    agent_id: int
    registration_id: int      # the agent's registration to the course


# --- what to do on a page before checking it -------------------------------------------------

def submit(button: str) -> Callable:
    """Click the (first) form's button (by its accessible name) and wait for the answer."""
    def act(page):
        with page.expect_navigation():
            page.get_by_role("button", name=button, exact=True).first.click()
    return act


@dataclass(frozen=True)
class Visit:
    name: str
    role: str                 # "anonymous", "candidate", "agent", "manager" or "admin"
    path: str                 # may name A11yData fields: "/jobs/{opening_id}"
    then: Callable | None = None
    status: int = 200
    answer_status: int = 200  # of the page `then` leads to (a refused upload is 422)


VISITS = [
    Visit("careers", "anonymous", "/"),
    Visit("opening", "anonymous", "/jobs/{opening_id}"),
    Visit("privacy", "anonymous", "/privacy"),
    Visit("login", "anonymous", "/login"),
    Visit("login-errors", "anonymous", "/login", submit("Log in")),
    Visit("register", "anonymous", "/register"),
    Visit("register-errors", "anonymous", "/register", submit("Create account")),
    Visit("forgot", "anonymous", "/password/forgot"),
    Visit("forgot-errors", "anonymous", "/password/forgot", submit("Email me a reset link")),
    Visit("reset", "anonymous", "{reset_path}"),
    Visit("reset-errors", "anonymous", "{reset_path}", submit("Set new password")),
    Visit("not-found", "anonymous", "/no-such-page", status=404),
    Visit("dashboard", "candidate", "/me"),
    Visit("opening-applied", "candidate", "/jobs/{opening_id}"),
    Visit("apply", "candidate", "/jobs/{apply_opening_id}/apply"),
    Visit("apply-errors", "candidate", "/jobs/{apply_opening_id}/apply",
          submit("Submit application")),
    Visit("my-application", "candidate", "/me/applications/{application_id}"),
    Visit("my-data", "candidate", "/me/data"),
    Visit("account", "candidate", "/account"),
    Visit("pipeline", "manager", "/pipeline/"),
    Visit("pipeline-filtered", "manager", "/pipeline/?opening={opening_id}&stage=all&q=a11y"),
    Visit("pipeline-bad-filter", "manager", "/pipeline/?applied_from=2024-13-45&stage=all"),
    Visit("pipeline-page-2", "manager", "/pipeline/?stage=all", then=lambda page: next_page(page)),
    Visit("candidate-page", "manager", "/pipeline/applications/{application_id}"),
    Visit("openings", "manager", "/openings/"),
    Visit("opening-new", "manager", "/openings/new"),
    Visit("opening-new-errors", "manager", "/openings/new", submit("Create draft")),
    Visit("opening-edit", "manager", "/openings/{opening_id}/edit"),
    Visit("assessment-banks", "manager", "/assessments/banks/"),
    Visit("assessment-banks-errors", "manager", "/assessments/banks/",
          submit("Check and publish"), answer_status=422),
    Visit("assessment-step", "candidate",
          "/me/assessments/applications/{assessed_application_id}/skills_assessment"),
    Visit("assessment-page", "candidate", "/me/assessments/attempts/{sjt_attempt_id}?page=1"),
    Visit("assessment-page-2", "candidate", "/me/assessments/attempts/{sjt_attempt_id}?page=2"),
    Visit("assessment-page-errors", "candidate",
          "/me/assessments/attempts/{sjt_attempt_id}?page=2",
          then=lambda page: rank_twice_and_go_on(page), answer_status=422),
    Visit("assessment-review", "candidate", "/me/assessments/attempts/{sjt_attempt_id}/review"),
    Visit("typing-test", "candidate",
          "/me/assessments/attempts/{typing_attempt_id}/typing/call_notes"),
    Visit("assessment-done", "candidate", "/me/assessments/attempts/{done_attempt_id}/done"),
    Visit("assessment-results", "manager", "/assessments/applications/{assessed_application_id}",
          then=lambda page: page.locator("details summary").first.click()),
    Visit("readiness-check", "candidate", "/me/readiness/applications/{assessed_application_id}",
          then=lambda page: page.get_by_role("button", name="Check my computer").click()),
    Visit("recording-review", "manager",
          "/recordings/applications/{assessed_application_id}"),
    Visit("recording-review-errors", "manager",
          "/recordings/applications/{assessed_application_id}",
          submit("Submit my review"), answer_status=422),
    Visit("sample-call", "candidate",
          "/me/recordings/applications/{assessed_application_id}/sample_call"),
    Visit("interview", "candidate",
          "/me/recordings/applications/{assessed_application_id}/video_interview"),
    Visit("recording-scripts", "manager", "/recordings/scripts"),
    Visit("interview-template", "manager", "/recordings/scripts/new/video_interview"),
    Visit("interview-template-errors", "manager", "/recordings/scripts/new/video_interview",
          submit("Save the script"), answer_status=422),
    Visit("rubric-errors", "manager", "/recordings/rubrics/new", submit("Save the rubric"),
          answer_status=422),
    Visit("recording-setup", "manager",
          "/recordings/openings/{assessed_opening_id}/video_interview"),
    Visit("courses", "manager", "/courses/"),
    Visit("course", "manager", "/courses/{course_id}"),
    Visit("course-import", "manager", "/courses/new"),
    Visit("course-import-errors", "manager", "/courses/new", submit("Upload and import"),
          answer_status=422),
    Visit("screening-rules", "manager", "/assessments/openings/{assessed_opening_id}/rules"),
    Visit("screening-rules-errors", "manager",
          "/assessments/openings/{assessed_opening_id}/rules",
          then=lambda page: bad_cut_score(page), answer_status=422),
    Visit("landing", "agent", "/me/home"),
    Visit("my-courses", "agent", "/me/courses/"),
    Visit("announcement", "agent", "/me/announcements/{announcement_id}"),
    Visit("announcements", "manager", "/learning/announcements/"),
    Visit("announcement-edit", "manager", "/learning/announcements/{announcement_id}"),
    Visit("announcement-preview", "manager", "/learning/announcements/{announcement_id}",
          submit("Preview")),
    Visit("announcement-new-errors", "manager", "/learning/announcements/new", submit("Save"),
          answer_status=422),
    Visit("tool-links", "manager", "/learning/tools/"),
    Visit("tool-links-errors", "manager", "/learning/tools/", submit("Save the link"),
          answer_status=422),
    Visit("paths", "manager", "/learning/paths/"),
    Visit("path", "manager", "/learning/paths/{path_id}"),
    Visit("path-edit", "manager", "/learning/paths/{path_id}/edit"),
    Visit("path-edit-errors", "manager", "/learning/paths/{path_id}/edit",
          then=lambda page: empty_the_title_and_save(page), answer_status=422),
    Visit("matrix", "manager", "/learning/matrix"),
    Visit("learner-record", "manager", "/learning/learners/{agent_id}"),
    Visit("registration", "manager", "/learning/registrations/{registration_id}"),
    Visit("course-reports", "manager", "/courses/{course_id}/interactions"),
    Visit("verify", "anonymous", "/certificates/verify"),
    Visit("verify-unknown", "anonymous", "/certificates/verify/ABCD-EFGH-JKMN", status=404),
    Visit("teams", "manager", "/teams/"),
    Visit("team", "manager", "/teams/{team_id}"),
    Visit("team-skipped", "manager", "/teams/{team_id}", then=lambda page: paste_emails(page)),
    Visit("users", "admin", "/admin/users"),
    Visit("users-bad-filter", "admin", "/admin/users?q=" + "x" * 101),
    Visit("user", "admin", "/admin/users/{admin_id}"),
    Visit("create-user", "admin", "/admin/users/new"),
    Visit("create-user-errors", "admin", "/admin/users/new", submit("Create account")),
    Visit("audit-log", "admin", "/admin/audit"),
    Visit("audit-log-older", "admin", "/admin/audit", then=lambda page: older_page(page)),
    Visit("audit-log-bad-filter", "admin", "/admin/audit?date_from=2024-01-31&date_to=2024-01-01"),
]


def empty_the_title_and_save(page):
    page.get_by_label("Title", exact=True).fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the path").click()


def next_page(page):
    with page.expect_navigation():
        page.get_by_role("link", name="Next →").click()


def rank_twice_and_go_on(page):
    """Give two responses of a ranking question the same rank, then press Next/Review."""
    selects = page.locator("select[name^='a-'][name*='-']").filter(
        has=page.locator("option", has_text="Rank…"))
    selects.nth(0).select_option("1")
    selects.nth(1).select_option("1")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Next page|Review and finish")).click()


def bad_cut_score(page):
    page.locator("input[name^='cut-']").first.fill("150")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the rules").click()


def paste_emails(page):
    """Addresses that cannot join the team: the page lists each with the reason."""
    page.get_by_label("Paste agents' email addresses").fill(
        "nobody@example.com, " + f"{NAME}-candidate@example.com")
    with page.expect_navigation():
        page.get_by_role("button", name="Add to the team").click()


def older_page(page):
    with page.expect_navigation():
        page.get_by_role("link", name="Older →").click()


# --- data and logins --------------------------------------------------------------------------

def _user(email: str, name: str, *roles: str):
    from portal.auth.models import User
    from portal.extensions import utcnow

    user = User(email=email, full_name=name, email_verified_at=utcnow())
    user.set_password(DEFAULT_PASSWORD)
    for role in roles:
        user.grant(role)
    db.session.add(user)
    db.session.flush()
    return user


@pytest.fixture(scope="module")
def small_pages(live_app):
    """Short pages, so that the paging links (Next, Older) are on screen and get checked."""
    sizes = {"PIPELINE_PAGE_SIZE": 2, "AUDIT_PAGE_SIZE": 5, "ADMIN_USERS_PAGE_SIZE": 3}
    before = {key: live_app.config[key] for key in sizes}
    live_app.config.update(sizes)
    yield
    live_app.config.update(before)


@pytest.fixture(scope="module")
def a11y_data(live_app, seed, small_pages) -> A11yData:
    """A candidate with an application part-way through, an admin, a second opening, a reset link;
    made through the app's services (never through registration)."""
    from portal.auth import services as auth_services
    from portal.auth.models import ADMIN, CANDIDATE, MANAGER, User
    from portal.mail import OutboxEmail
    from portal.recordings.demo import record_interviews, record_sample_calls
    from portal.recruiting import services, steps
    from portal.recruiting.models import Opening
    from tests.helpers import apply, open_opening

    with live_app.app_context():
        manager = db.session.get(User, User.by_email(seed.manager_email).id)
        admin = _user(f"{NAME}-admin@example.com", "Alex Admin", ADMIN, MANAGER)
        candidate = _user(f"{NAME}-candidate@example.com", "Casey Candidate", CANDIDATE)
        others = [_user(f"{NAME}-cand{n}@example.com", f"Robin Other{n}", CANDIDATE)
                  for n in range(3)]
        opening = db.session.get(Opening, seed.opening_id)
        second = open_opening(manager, title="Billing Support Specialist (Remote)",
                              countries=[], steps=[])
        application = apply(opening, candidate, full_name="Casey Candidate")
        services.move(application, "assessment", manager, "Good phone manner.")
        known = {step.key for step in steps.all_steps()}
        for key, status in zip(opening.steps, (steps.COMPLETED, steps.IN_PROGRESS), strict=False):
            if key in known:
                services.record_step(application, key, status, "scored 82%")
        # More rows than a pipeline page, in a stage whose count no other browser test reads.
        for other in others:
            services.move(apply(second, other), "review", manager)
        assessed = _assessments_part_way(manager, candidate)
        # Its sample call recorded and reviewed by the admin, its interview answered on video:
        # the manager's review page then shows players, comments, the rubric form and "1
        # submitted so far".
        db.session.commit()
        record_sample_calls(random.Random(5), admin)
        record_interviews(random.Random(5), admin)
        auth_services.request_password_reset(candidate.email)
        db.session.commit()
        body = db.session.scalars(
            select(OutboxEmail.body_text)
            .where(OutboxEmail.to_address == candidate.email,
                   OutboxEmail.template == "password_reset")
            .order_by(OutboxEmail.id.desc())).first()
        match = re.search(r"https?://[^/\s]+(/\S*/reset/[A-Za-z0-9_.-]+)", body or "")
        assert match, f"no reset link in the email:\n{body}"
        course_id = _course(manager)
        return A11yData(opening_id=opening.id, apply_opening_id=second.id,
                        application_id=application.id, admin_id=admin.id,
                        reset_path=match.group(1), course_id=course_id,
                        **_landing(manager, course_id), **assessed)


def _course(manager) -> int:
    """A small SCORM package imported twice: a course with two versions and a note."""
    import tempfile
    from pathlib import Path

    from courses import importing
    from tests.test_course_import import tiny_package

    with tempfile.TemporaryDirectory() as folder:
        path = tiny_package(Path(folder) / "course.zip")
        course = importing.import_package(path, title="Call handling basics",
                                          actor=manager).course
        importing.import_package(path, course=course, actor=manager)
    db.session.commit()
    return course.id


def _landing(manager, course_id: int) -> dict:
    """An agent in a team, enrolled in a path of the course, with a pinned announcement and a
    tool link: their home page has something in each section."""
    from courses import announcements, enrolment, paths, registrations, tool_links
    from courses.models import Course
    from portal.auth.models import AGENT
    from portal.teams import services as teams

    agent = _user(f"{NAME}-agent@example.com", "Avery Agent", AGENT)
    team = teams.create(f"Team {NAME}", manager.id, manager)
    db.session.flush()
    teams.add_agents(team, [agent.id], manager)
    registration = registrations.register(db.session.get(Course, course_id), agent)
    path = paths.save(None, title="New agent onboarding", description="Your first weeks.",
                      due_days=14, steps=[paths.StepPlan(course_id)], actor=manager)
    enrolment.enrol(agent, path, source="hand", actor=manager)
    announcement = announcements.create(announcements.Fields(
        kind="news", title="Welcome to the team", body="Start with **Call handling basics**."
        "\n\n- Ask your supervisor\n- Read the guide: https://kb.example.com",
        audience="everyone", team_id=None, opening_id=None, pinned=True,
        starts_on=announcements.today(), ends_on=None), manager)
    tool_links.save(None, "CRM", "https://crm.example.com", "Customer records.", None, manager)
    db.session.commit()
    return dict(team_id=team.id, announcement_id=announcement.id, path_id=path.id,
                agent_id=agent.id, registration_id=registration.id)


def _assessments_part_way(manager, candidate) -> dict:
    """The shipped banks published; an application to an opening with every assessment step:
    the situations in progress, the typing test running, the work-style questionnaire finished.
    Clocks are set far ahead: the checks take longer than the tests' time limits."""
    from datetime import timedelta

    from assessments import attempts, typing_test
    from assessments import services as bank_services
    from assessments.candidate_views import PAGE_SIZE
    from assessments.readiness import measures
    from assessments.readiness import runs as readiness_runs
    from portal.extensions import utcnow
    from portal.recruiting import services
    from tests.helpers import apply, open_opening
    from tests.test_readiness_rules import CHROME, body

    bank_services.publish_shipped()
    opening = open_opening(manager, title="Chat Support Agent (Remote)", steps=[
        "personality_fit", "skills_assessment", "home_office_readiness", "desktop_readiness",
        "sample_call", "video_interview"])
    application = apply(opening, candidate, full_name="Casey Candidate")
    # Out of Applied: the hiring-flow test counts that stage across all openings.
    services.move(application, "assessment", manager, "Invited to the assessments.")
    found = {}
    for step in ("skills_assessment", "personality_fit"):
        for row, bank in attempts.step_banks(step):
            found[bank.key] = attempt = attempts.start(application, row)
            attempt.deadline_at = utcnow() + timedelta(hours=3)
    sjt = found["soft_skills"]
    # A seed whose second page holds a ranking question (the error visit ranks one twice):
    # item order is random per attempt, and some orders put every ranking on page one.
    page_two = slice(PAGE_SIZE, 2 * PAGE_SIZE)
    while not any(item.rule == "rank" for item in attempts.ordered_items(sjt)[page_two]):
        sjt.seed += 1
    typing = found["typing"]
    item = attempts.bank_of(typing).item("call_notes")
    typing_test.begin(typing, item).first_saved_at = utcnow() + timedelta(hours=1)
    done = found["work_style"]
    for seq, item in enumerate(("c5_1", "c5_2", "e1_1"), 1):
        attempts.save_answer(done, item, 4, seq=seq, tab=done.tab_token)
    attempts.submit(done)
    # A computer check run on Wi-Fi: its page shows failed requirements with advice.
    wifi = body(connection={"type": "wifi", "source": "asked"})
    readiness_runs.record(application, measures.read(wifi), CHROME)
    return dict(assessed_application_id=application.id, assessed_opening_id=opening.id,
                sjt_attempt_id=sjt.id, typing_attempt_id=typing.id,
                done_attempt_id=found["work_style"].id)


@dataclass
class RolePage:
    page: object
    errors: list[str]


@pytest.fixture(scope="module")
def role_pages(browser, live_server, seed, a11y_data):
    """One browser context per role, logged in once through the login form; the pages are made
    on first use."""
    from portal.auth.models import User  # noqa: F401  (the app must be importable)

    emails = {"candidate": f"{NAME}-candidate@example.com", "manager": seed.manager_email,
              "admin": f"{NAME}-admin@example.com", "agent": f"{NAME}-agent@example.com"}
    contexts, pages = [], {}

    def get(role: str) -> RolePage:
        if role in pages:
            return pages[role]
        context = browser.new_context(viewport=WIDTHS["1280"])
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(_CSP_REPORTER)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(
            f"console error on {page.url}: {m.text}"))
        page.on("pageerror", lambda e: errors.append(f"uncaught error on {page.url}: {e}"))
        if role != "anonymous":
            page.goto(live_server + "/login")
            page.get_by_label("Email", exact=True).fill(emails[role])
            page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
            with page.expect_navigation():
                page.get_by_role("button", name="Log in").click()
            assert "/login" not in page.url, f"{role} could not log in"
        pages[role] = RolePage(page, errors)
        return pages[role]

    yield get
    for context in contexts:
        context.close()


# --- the checks -------------------------------------------------------------------------------

def _report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}"
                     f"\n    {violation['helpUrl']}")
        for node in violation["nodes"]:
            target = " > ".join(str(t) for t in node["target"])
            lines.append(f"    - {target}\n      {node.get('failureSummary', '').strip()}"
                         .replace("\n  ", "\n        "))
    return "\n".join(lines)


def _open(role_page: RolePage, live_server: str, data: A11yData, visit: Visit, viewport: dict):
    page = role_page.page
    page.set_viewport_size(viewport)
    role_page.errors.clear()
    response = page.goto(live_server + visit.path.format(**vars(data)))
    assert response is not None and response.status == visit.status, (
        f"{visit.path}: status {response and response.status}, expected {visit.status}")
    if visit.then:
        visit.then(page)
    return page


def _open_menu(page):
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    toggler.click()
    expect(page.locator("#nav.collapse.show")).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "true")


@pytest.mark.browser
@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("visit", VISITS, ids=lambda v: v.name)
def test_page_has_no_serious_axe_violations(visit, width, role_pages, live_server, a11y_data):
    role_page = role_pages(visit.role)
    page = _open(role_page, live_server, a11y_data, visit, WIDTHS[width])
    if width == "390":
        _open_menu(page)
    if os.environ.get("A11Y_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{visit.name}-{width}.png"), full_page=True)
    results = Axe().run(page, options=AXE_OPTIONS).response
    blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    others = [v for v in results["violations"] if v["impact"] not in BLOCKING_IMPACTS]
    if others:
        print(f"{visit.name} at {width} px, minor or moderate:\n{_report(others)}")
    assert not blocking, (f"{visit.name} ({page.url}) at {width} px: {len(blocking)} serious or "
                          f"critical axe violation(s):\n{_report(blocking)}")
    expected = [f"the server responded with a status of {status}"  # the page's own
                for status in (visit.status, visit.answer_status) if status != 200]
    errors = [e for e in role_page.errors if not any(text in e for text in expected)]
    assert not errors, "\n".join(errors)


@pytest.mark.browser
@pytest.mark.parametrize("visit", VISITS, ids=lambda v: v.name)
def test_page_reflows_at_320_px(visit, role_pages, live_server, a11y_data):
    """WCAG 1.4.10: at 320 CSS px nothing scrolls sideways but a table, in its own scroller."""
    page = _open(role_pages(visit.role), live_server, a11y_data, visit, REFLOW)
    if os.environ.get("A11Y_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{visit.name}-320.png"), full_page=True)
    overflow = page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const wide = [];
        for (const el of document.querySelectorAll("body *")) {
          if (el.closest(".table-responsive, .stage-tabs, .visually-hidden")) continue;
          const box = el.getBoundingClientRect();
          if (box.width && (box.right > width + 1 || box.left < -1))
            wide.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`
                      + ` (${Math.round(box.left)}..${Math.round(box.right)})`);
        }
        return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 10)};
    }""")
    assert overflow["scroll"] <= overflow["width"] and not overflow["wide"], (
        f"{visit.name} scrolls sideways at 320 px (page {overflow['scroll']} px wide): "
        f"{overflow['wide']}")


# --- keyboard: focus that can be seen, and the error summary ----------------------------------

_FOCUS_CONTRAST = """(element) => {
    const rgb = (c) => (c.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
      .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
    let behind = element.parentElement;
    while (behind && getComputedStyle(behind).backgroundColor.match(/rgba\\(.*, 0\\)$|transparent/))
      behind = behind.parentElement;
    const style = getComputedStyle(element);
    const [a, b] = [lum(rgb(style.outlineColor)),
                    lum(rgb(getComputedStyle(behind || document.body).backgroundColor))];
    return {style: style.outlineStyle, width: parseFloat(style.outlineWidth),
            contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("path, name", [("/", "Jobs"), ("/login", "Log in")])
def test_keyboard_focus_ring_is_visible_on_the_current_nav_item(role_pages, live_server, path,
                                                                 name):
    """WCAG 2.4.7 / 1.4.11: the focus ring of the current nav link (aria-current) is a solid
    outline of at least 2px with 3:1 against the navbar."""
    page = role_pages("anonymous").page
    page.set_viewport_size(WIDTHS["1280"])
    page.goto(live_server + path)
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)
    expect(link).to_have_attribute("aria-current", "page")
    for _ in range(10):  # by keyboard, so that :focus-visible applies
        page.keyboard.press("Tab")
        if link.evaluate("(el) => el === document.activeElement"):
            break
    ring = link.evaluate(_FOCUS_CONTRAST)
    assert ring["style"] == "solid" and ring["width"] >= 2, ring
    assert ring["contrast"] >= 3, ring


@pytest.mark.browser
def test_error_summary_takes_focus_and_its_links_reach_the_checkboxes(role_pages, live_server,
                                                                     a11y_data):
    page = role_pages("candidate").page
    page.set_viewport_size(WIDTHS["1280"])
    page.goto(live_server + f"/jobs/{a11y_data.apply_opening_id}/apply")
    submit("Submit application")(page)
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Days you can work").click()
    first_day = page.get_by_role("group", name="Days you can work").get_by_role("checkbox").first
    expect(first_day).to_be_focused()
    expect(first_day).to_have_accessible_description("Choose at least one day.")
