"""Issue 9's "Done when", in headless Chromium with the real Rustici Golf packages of
../shared/scorm/ (skipped with the reason when they are absent): an agent opens a course from
My courses and goes through the Golf content (its own Previous/Next inside the player's frame,
then its quiz) until it reports completion, and status, score and time are stored and shown; a
course left with "Save and finish later" opens again at the page it was on (entry=resume), and
so does one left with the content's own Exit button; a tab closed mid-lesson keeps what its
last commit stored and what the final beacon carried; the 2004 sequencing package imports and
launches, its hidden wrapper items left out of a flat contents list; a trainer's preview plays
and records nothing. With COURSE_CONTENT_ORIGIN set (a second app on the same database, its
portal pages at http://localhost:<port> and its content at http://127.0.0.1:<port>), the
courses complete through the launcher and the postMessage bridge, the content cannot read the
portal's cookie or pages, "Save and finish later" resumes, and a closed tab's beacon carries
what the bridge reported.

The Golf content never calls Commit: it sets the bookmark on every page and stores everything at
Terminate, from its unload handler. Where a test needs a commit in the middle of a lesson, it
makes one through the content's own API handle, as most authoring tools do on each page.
Screenshots go to tests/artifacts/screens/course-player-*.png.
"""

import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db
from tests import conftest
from tests.browser.test_assessments_flow import log_in, shot

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips (or, under CI, fails) every test with the reason
    if os.environ.get("CI", "").lower() == "true":
        raise
    pytest.skip("the `playwright` Python package is missing", allow_module_level=True)

SHARED_SCORM = Path(__file__).resolve().parents[3] / "shared" / "scorm"
PACKAGES = {  # kind -> (file, course title given at import)
    "1.2": ("golf-runtime-basic-scorm12.zip", "Golf basics (SCORM 1.2)"),
    "2004": ("golf-runtime-advanced-scorm2004-3rd.zip", "Golf advanced (SCORM 2004)"),
    "sequencing": ("golf-sequencing-pretest-posttest-scorm2004-3rd.zip",
                   "Golf pre and post test (SCORM 2004 sequencing)"),
}
# The page headings of the single-SCO Golf courses, in the order of their Next button; the
# 15th page is the quiz. The 2004 sample repeats two pages.
HEADINGS = {
    "1.2": ["Play of the game", "Par", "Scoring", "Other Scoring Systems", "The Rules of Golf",
            "Etiquette - Care For the Course", "Etiquette - Avoiding Distraction",
            "Etiquette - Playing the Game", "Handicapping", "Calculating a Handicap",
            "Calculating a Score", "Handicaping Example", "How to Have Fun Golfing",
            "How to Make Friends on the Golf Course", "Knowledge Check"],
}
HEADINGS["2004"] = [*HEADINGS["1.2"]]
HEADINGS["2004"][6] = HEADINGS["2004"][5]
HEADINGS["2004"][11] = HEADINGS["2004"][10]
LOCATION = {"1.2": "cmi.core.lesson_location", "2004": "cmi.location"}
ENTRY = {"1.2": "cmi.core.entry", "2004": "cmi.entry"}
SESSION_TIME = {"1.2": "cmi.core.session_time", "2004": "cmi.session_time"}
TOTAL_TIME = {"1.2": "cmi.core.total_time", "2004": "cmi.total_time"}
SUSPEND_DATA = "cmi.suspend_data"  # the same name in both versions
TRAINER_EMAIL = "flow.courses.trainer@example.com"
BEACON_WAIT_S = 10


@dataclass(frozen=True)
class Golf:
    versions: dict  # kind -> version id
    courses: dict  # kind -> course id


@pytest.fixture(scope="module")
def golf(live_app, seed) -> Golf:
    """The three Golf packages imported by a trainer, as three courses."""
    from courses import importing
    from portal.auth.models import TRAINER
    from tests.conftest import DEFAULT_PASSWORD
    from tests.helpers import new_user

    if not SHARED_SCORM.is_dir():
        pytest.skip(f"{SHARED_SCORM} is absent: the real SCORM packages live in ../shared/scorm/ "
                    "next to the repository (see its SOURCES.md)")
    missing = [name for name, _ in PACKAGES.values() if not (SHARED_SCORM / name).is_file()]
    if missing:
        pytest.skip(f"{', '.join(missing)} not in {SHARED_SCORM} (see its SOURCES.md)")
    with live_app.app_context():
        trainer = new_user(TRAINER_EMAIL, "Terry Coach", TRAINER, DEFAULT_PASSWORD)
        imported = {kind: importing.import_package(SHARED_SCORM / name, title=title,
                                                   actor=trainer)
                    for kind, (name, title) in PACKAGES.items()}
        db.session.commit()
        return Golf(versions={kind: v.id for kind, v in imported.items()},
                    courses={kind: v.course_id for kind, v in imported.items()})


def learner(live_app, golf: Golf, email: str, name: str, *kinds: str) -> str:
    """A new agent registered to the courses of `kinds`, signed in by the caller: the email."""
    from courses import registrations
    from courses.models import Course
    from portal.auth.models import AGENT
    from tests.conftest import DEFAULT_PASSWORD
    from tests.helpers import new_user

    with live_app.app_context():
        agent = new_user(email, name, AGENT, DEFAULT_PASSWORD)
        for kind in kinds:
            registrations.register(db.session.get(Course, golf.courses[kind]), agent)
        db.session.commit()
    return email


def sign_in(page, live_server, email: str) -> list[str]:
    """Signed in; the content's dialogs answered as a learner would (yes, resume where I left
    off); the list of every dialog's text, for the test to check no error was shown."""
    from tests.conftest import DEFAULT_PASSWORD

    dialogs = answer_dialogs(page, [])
    log_in(page, live_server, email, DEFAULT_PASSWORD)
    return dialogs


def answer_dialogs(page, dialogs: list[str]) -> list[str]:
    def answer(dialog):
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.accept()

    page.on("dialog", answer)
    return dialogs


def sco(page):
    """The SCO's launch page, in the player's frame (in the launcher's, on a content origin)."""
    frame = page.frame_locator("iframe[data-content]")
    if page.locator("#player[data-content-origin]").count():
        return frame.frame_locator("#sco")
    return frame


def lesson(page):
    """The Golf page shown, in the launch page's own frame."""
    return sco(page).frame_locator("#contentFrame")


def expect_page(page, heading: str) -> None:
    expect(lesson(page).get_by_role("heading", name=heading, exact=True, level=1)).to_be_visible()


def turn_pages(page, kind: str, start: int, end: int) -> None:
    """From page `start` to page `end` with the content's own Next button."""
    for number in range(start + 1, end + 1):
        sco(page).locator("#butNext").click()
        expect_page(page, HEADINGS[kind][number])


def open_course(page, live_server, kind: str, button: str) -> None:
    page.goto(f"{live_server}/me/courses/")
    row = page.get_by_role("row").filter(has_text=PACKAGES[kind][1])
    row.get_by_role("button", name=button, exact=True).click()
    expect(page).to_have_url(re.compile(r"/me/courses/attempts/\d+$"))
    expect(page.locator("[data-status]")).to_contain_text("Opened")


def answer_quiz(page, wrong: int) -> tuple[int, int]:
    """The Knowledge Check answered, the first `wrong` questions wrongly, and submitted: the
    score the content reports (a percentage) and the number of questions."""
    quiz = lesson(page)
    questions = quiz.locator("div.question")
    total = questions.count()
    assert total >= 10
    for number in range(total):
        question = questions.nth(number)
        numeric = question.locator("input[type=text]")
        if numeric.count():
            correct = re.search(r"\((\d+)\)", question.locator(".correctAnswer").inner_text())[1]
            numeric.fill(str(int(correct) + 1) if number < wrong else correct)
            numeric.dispatch_event("change")
        else:
            choice = ".answer" if number < wrong else ".correctAnswer"
            question.locator(f"{choice} input[type=radio]").first.check()
    quiz.get_by_role("button", name="Submit Answers").click()
    score = round((total - wrong) * 100 / total)
    expect(quiz.get_by_role("heading", name=f"Score: {score}")).to_be_visible()
    return score, total


def api_call(page, call: str, *args: str) -> str:
    """A call of the run-time API made by the SCO itself (through the handle it found)."""
    launch = next(f for f in page.frames if ("/courses/content/" in f.url
                                             or "/courses/isolated/" in f.url)
                  and "/shared/launchpage.html" in f.url)
    return launch.evaluate("([call, args]) => API[call](...args)", [call, list(args)])


@dataclass(frozen=True)
class Tracked:
    registration: dict
    attempts: list[dict]
    states: dict  # item -> ScoState columns
    interactions: list[dict]
    objectives: list[dict]


def tracked(live_app, email: str, kind: str) -> Tracked:
    """What the database holds for the learner on the course, read fresh."""
    from courses.models import Course
    from courses.tracking_models import (
        Attempt,
        Registration,
        ScoInteraction,
        ScoObjective,
        ScoState,
    )
    from portal.auth.models import User

    def columns(row) -> dict:
        return {c.key: getattr(row, c.key) for c in row.__table__.columns}

    with live_app.app_context():
        course = db.session.scalar(select(Course).where(Course.title == PACKAGES[kind][1]))
        registration = db.session.scalar(select(Registration).where(
            Registration.course_id == course.id,
            Registration.learner_id == User.by_email(email).id))
        attempts = list(db.session.scalars(select(Attempt).where(
            Attempt.registration_id == registration.id).order_by(Attempt.number)))
        ids = [a.id for a in attempts]
        states = db.session.scalars(select(ScoState).where(ScoState.attempt_id.in_(ids)))
        interactions = db.session.scalars(select(ScoInteraction).where(
            ScoInteraction.attempt_id.in_(ids)).order_by(ScoInteraction.index))
        objectives = db.session.scalars(select(ScoObjective).where(
            ScoObjective.attempt_id.in_(ids)).order_by(ScoObjective.index))
        return Tracked(columns(registration), [columns(a) for a in attempts],
                       {s.item: columns(s) for s in states},
                       [columns(i) for i in interactions], [columns(o) for o in objectives])


def only_state(live_app, email: str, kind: str) -> dict:
    (state,) = tracked(live_app, email, kind).states.values()
    return state


def wait_for(read, done, what: str, seconds: float = BEACON_WAIT_S):
    """`read()` polled until `done(value)`; the last value read."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s; last read {value!r}")
        time.sleep(0.1)


def seconds_of(kind: str, text: str) -> float:
    from courses import sco_status

    return sco_status.seconds_of(kind, text)


def my_courses_row(page, kind: str):
    return page.get_by_role("row").filter(has_text=PACKAGES[kind][1])


def no_errors(dialogs: list[str], browser_logs, request) -> None:
    assert not [d for d in dialogs if d.startswith("alert")], dialogs
    assert browser_logs[request.node.name].errors == []


# --- 1. the learner completes -------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "wrong"), [("1.2", 0), ("2004", 1)])
def test_the_learner_completes_and_status_score_and_time_are_recorded(
        page, live_app, live_server, golf, browser_logs, request, kind, wrong):
    dialogs = complete(page, live_app, live_server, golf, kind, wrong, "")
    no_errors(dialogs, browser_logs, request)


def complete(page, live_app, base_url: str, golf: Golf, kind: str, wrong: int, mode: str,
             check_started=None) -> list[str]:
    """A new learner goes through the course and passes it (`wrong` answers wrong); what is
    stored and shown is checked. `check_started(page)` runs once the first page shows. The
    dialogs' texts."""
    live_server = base_url
    email = learner(live_app, golf, f"flow.courses.complete{mode}.{kind}@example.com",
                    "Casey Finisher", kind)
    dialogs = sign_in(page, live_server, email)
    open_course(page, live_server, kind, "Start")
    expect_page(page, HEADINGS[kind][0])
    shot(page, f"course-player{mode}-{kind}-start")
    if check_started:
        check_started(page)
    item = only_state(live_app, email, kind)["item"]
    assert only_state(live_app, email, kind)["values"][ENTRY[kind]] == "ab-initio"

    turn_pages(page, kind, 0, len(HEADINGS[kind]) - 1)  # the quiz is the last page
    score, questions = answer_quiz(page, wrong)
    shot(page, f"course-player{mode}-{kind}-completed")
    page.wait_for_timeout(1100)  # a session time of at least a second, whatever the machine
    page.get_by_role("button", name="Exit", exact=True).click()
    expect(page).to_have_url(f"{live_server}/me/courses/")

    state = tracked(live_app, email, kind)
    sco_state = state.states[item]
    assert sco_state["terminated"] is True
    assert sco_state["completion"] == "completed"
    assert sco_state["success"] == "passed"
    assert sco_state["score"] == pytest.approx(score / 100)
    assert sco_state["total_seconds"] >= 1
    assert sco_state["values"][SESSION_TIME[kind]]
    assert sco_state["values"][LOCATION[kind]] == str(len(HEADINGS[kind]) - 1)
    (attempt,) = state.attempts
    assert (attempt["completion"], attempt["success"]) == ("completed", "passed")
    assert attempt["score"] == pytest.approx(score / 100)
    assert attempt["total_seconds"] == pytest.approx(sco_state["total_seconds"])
    registration = state.registration
    assert (registration["completion"], registration["success"]) == ("completed", "passed")
    assert registration["score"] == pytest.approx(score / 100)
    assert registration["total_seconds"] == pytest.approx(sco_state["total_seconds"])
    assert registration["attempt_count"] == 1
    if kind == "2004":  # its interactions and objectives, as rows for reports
        assert sco_state["values"]["cmi.scaled_passing_score"] == "0.8"
        assert len(state.interactions) == questions
        assert [i["result"] for i in state.interactions].count("incorrect") == wrong
        assert all(i["interaction_id"].startswith("com.scorm.golfsamples.interactions.")
                   for i in state.interactions)
        # The manifest's objectives with an id, seeded in its order (the primary one first);
        # the content reports progress and a score on the four of the lessons.
        assert [o["objective_id"] for o in state.objectives] == [
            "PRIMARYOBJ", "obj_etiquette", "obj_handicapping", "obj_havingfun", "obj_playing"]
        assert all(o["completion"] == "completed" and o["score"] is not None
                   for o in state.objectives[1:])

    row = my_courses_row(page, kind)
    expect(row.locator("[data-label=Status]")).to_have_text("Completed · Passed")
    expect(row.locator("[data-label=Score]")).to_have_text(f"{score} %")
    assert 1 <= registration["total_seconds"] < 60  # a quick learner: not shown as "0 min"
    expect(row.locator("[data-label=Time]")).to_have_text("under 1 min")
    expect(row.locator("[data-label=Attempts]")).to_have_text("1")
    expect(row.get_by_role("button", name="Start a new attempt")).to_be_visible()
    shot(page, f"course-player{mode}-{kind}-my-courses")
    return dialogs


# --- 1b. the same, with the content on a separate origin ----------------------------------------

@pytest.fixture(scope="module")
def isolated_portal(live_app, golf):
    """A second app on the live app's database and files, with COURSE_CONTENT_ORIGIN set, served
    on a port of its own: the portal pages' base URL (http://localhost:<port>) and the content
    origin (http://127.0.0.1:<port>), two host names, so two cookie jars and two origins."""
    app_of_server = {}
    server = make_server("127.0.0.1", 0, lambda environ, start: app_of_server["app"](
        environ, start), threaded=True)
    port = server.server_port
    content = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="portal-isolated-") as tmp:
        app = create_app(conftest.test_config(
            Path(tmp), SQLALCHEMY_DATABASE_URI=live_app.config["SQLALCHEMY_DATABASE_URI"],
            STORAGE_LOCAL_ROOT=live_app.config["STORAGE_LOCAL_ROOT"], WTF_CSRF_ENABLED=True,
            COURSE_CONTENT_ORIGIN=content, PUBLIC_BASE_URL=f"http://localhost:{port}"))
        app_of_server["app"] = app
        thread = threading.Thread(target=server.serve_forever, name="isolated-server",
                                  daemon=True)
        thread.start()
        try:
            yield f"http://localhost:{port}", content
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            with app.app_context():
                db.engine.dispose()


@pytest.mark.parametrize(("kind", "wrong"), [("1.2", 0), ("2004", 1)])
def test_on_a_separate_content_origin_the_course_completes_and_cannot_read_the_portal(
        page, live_app, isolated_portal, golf, browser_logs, request, kind, wrong):
    portal, content = isolated_portal

    def cannot_reach_the_portal(page):
        assert page.locator("#player").get_attribute("data-content-origin") == content
        launcher = next(f for f in page.frames if f.url.startswith(f"{content}/courses/isolated/")
                        and f.url.split("#")[0].endswith("/launcher"))
        launch = next(f for f in page.frames if f.url.startswith(f"{content}/courses/isolated/")
                      and "/shared/launchpage.html" in f.url)
        # The SCO found the runtime in its parent, the launcher, on the content origin.
        api, get = ("API", "LMSGetValue") if kind == "1.2" else ("API_1484_11", "GetValue")
        assert launcher.evaluate(f"typeof window.{api}.{get}") == "function"
        assert launch.evaluate(f"window.parent.{api} !== undefined")
        # The portal's session cookie is the portal host's alone.
        portal_cookies = {c["name"] for c in page.context.cookies(portal)}
        assert "session" in portal_cookies
        assert not {c["name"] for c in page.context.cookies(content)} & portal_cookies
        assert "session" not in launch.evaluate("document.cookie")
        # The portal's page and data are out of the content's reach.
        assert launch.evaluate("""() => { try { return window.top.document.title; }
                                          catch (error) { return error.name; } }""") \
            == "SecurityError"
        assert launcher.evaluate("""() => { try { return window.parent.document.title; }
                                            catch (error) { return error.name; } }""") \
            == "SecurityError"
        errors = browser_logs[request.node.name].errors
        logged = len(errors)
        read = launch.evaluate(f"""() => fetch("{portal}/me/courses/", {{credentials: "include"}})
                                      .then(() => "read", (error) => error.name)""")
        assert read == "TypeError"  # the content's policy (and CORS) refuse it
        page.wait_for_timeout(500)  # the console's reports of it come after the answer
        refusals = errors[logged:]
        del errors[logged:]  # expected: the refusal of that request, reported
        assert refusals and all(
            any(words in line for words in ("connect-src", "Content Security Policy",
                                            "Failed to fetch")) for line in refusals), refusals
        # The portal's host does not serve the content in this mode.
        path = launch.url.removeprefix(content)
        assert page.request.get(portal + path).status == 404

    dialogs = complete(page, live_app, portal, golf, kind, wrong, "-isolated",
                       cannot_reach_the_portal)
    # A farewell beacon on a lesson's close would end its session before the player stored
    # it: a 409 in the console.
    no_errors(dialogs, browser_logs, request)


# --- 2. resume after exit=suspend ---------------------------------------------------------------

@pytest.mark.parametrize("kind", ["1.2", "2004"])
def test_save_and_finish_later_resumes_at_the_bookmark(page, live_app, live_server, golf,
                                                       browser_logs, request, kind):
    resume_at_the_bookmark(page, live_app, live_server, golf, browser_logs, request, kind, "")


def test_on_a_separate_content_origin_save_and_finish_later_resumes(
        page, live_app, isolated_portal, golf, browser_logs, request):
    """The player's "Save and finish later" goes through the bridge: the launcher sets
    cmi.core.exit and unloads the SCO, whose unload handler ends the session."""
    resume_at_the_bookmark(page, live_app, isolated_portal[0], golf, browser_logs, request,
                           "1.2", "-isolated")


def resume_at_the_bookmark(page, live_app, live_server, golf, browser_logs, request, kind,
                           mode):
    email = learner(live_app, golf, f"flow.courses.resume{mode}.{kind}@example.com",
                    "Robin Later", kind)
    dialogs = sign_in(page, live_server, email)
    open_course(page, live_server, kind, "Start")
    expect_page(page, HEADINGS[kind][0])
    turn_pages(page, kind, 0, 3)
    page.wait_for_timeout(1100)  # the 1.2 Golf content reports whole seconds

    page.get_by_role("button", name="Save and finish later").click()
    expect(page).to_have_url(f"{live_server}/me/courses/")
    state = only_state(live_app, email, kind)
    assert (state["exit"], state["terminated"]) == ("suspend", True)
    assert state["values"][LOCATION[kind]] == "3"
    assert state["total_seconds"] >= 1
    expect(my_courses_row(page, kind).locator("[data-label=Status]")).to_have_text("In progress")

    open_course(page, live_server, kind, "Resume")
    expect_page(page, HEADINGS[kind][3])  # the content read the bookmark and went back there
    shot(page, f"course-player{mode}-{kind}-resumed")
    assert any("resume from where you previously left off" in d for d in dialogs)
    resumed = only_state(live_app, email, kind)
    assert resumed["values"][ENTRY[kind]] == "resume"
    assert resumed["values"][LOCATION[kind]] == "3"
    assert seconds_of(kind, resumed["values"][TOTAL_TIME[kind]]) == pytest.approx(
        state["total_seconds"])  # the first session's time, seeded as the total so far
    assert resumed["sessions"] == 2
    assert len(tracked(live_app, email, kind).attempts) == 1  # the same attempt goes on
    # The content sees the same seeded values through the API.
    assert api_call(page, "LMSGetValue" if kind == "1.2" else "GetValue",
                    ENTRY[kind]) == "resume"
    turn_pages(page, kind, 3, 4)  # and goes on from there
    no_errors(dialogs, browser_logs, request)


@pytest.mark.parametrize("kind", ["1.2", "2004"])
def test_the_contents_own_exit_button_saves_and_the_player_takes_over(
        page, live_app, live_server, golf, browser_logs, request, kind):
    """The Golf content's Exit asks whether to save, sets cmi.exit (and in 2004
    adl.nav.request suspendAll) and terminates, expecting the LMS to take the content away:
    anything the learner did in it afterwards would be recorded nowhere."""
    email = learner(live_app, golf, f"flow.courses.content-exit.{kind}@example.com",
                    "Alex Leaver", kind)
    dialogs = sign_in(page, live_server, email)
    open_course(page, live_server, kind, "Start")
    expect_page(page, HEADINGS[kind][0])
    turn_pages(page, kind, 0, 2)
    page.wait_for_timeout(1100)

    sco(page).locator("#butExit").click()  # "save your progress to resume later?": yes

    if kind == "2004":  # the navigation request is followed: back to My courses
        expect(page).to_have_url(f"{live_server}/me/courses/")
    else:  # 1.2 has no navigation request: the player says the lesson has ended
        expect(page.locator("[data-status]")).to_have_text(
            "“Golf Explained” has ended. Choose Exit to go back to your courses.")
        shot(page, "course-player-1.2-ended-by-content")
        page.get_by_role("button", name="Exit", exact=True).click()
        expect(page).to_have_url(f"{live_server}/me/courses/")
    assert any("save your progress to resume later" in d for d in dialogs)
    state = only_state(live_app, email, kind)
    assert (state["exit"], state["terminated"]) == ("suspend", True)
    assert state["values"][LOCATION[kind]] == "2"
    assert state["total_seconds"] >= 1
    if kind == "2004":
        assert state["values"]["adl.nav.request"] == "suspendAll"
    open_course(page, live_server, kind, "Resume")
    expect_page(page, HEADINGS[kind][2])
    assert only_state(live_app, email, kind)["values"][ENTRY[kind]] == "resume"
    no_errors(dialogs, browser_logs, request)


# --- 3. the tab closed mid-lesson ---------------------------------------------------------------

@pytest.mark.parametrize(("kind", "mode", "before_unload"), [
    ("1.2", "", False), ("1.2", "", True), ("2004", "", False), ("2004", "", True),
    ("1.2", "-isolated", False), ("1.2", "-isolated", True), ("2004", "-isolated", True),
], ids=["1.2-pagehide", "1.2-beforeunload", "2004-pagehide", "2004-beforeunload",
        "1.2-isolated-pagehide", "1.2-isolated-beforeunload", "2004-isolated-beforeunload"])
def test_closing_the_tab_keeps_the_last_commit_and_the_final_beacon(
        page, live_app, live_server, golf, browser_logs, request, kind, mode, before_unload):
    """page.close() alone runs no beforeunload handler: the player's pagehide removes the
    content (whose unload handler sets the session time and terminates) and sends the beacon.
    A browser closing a tab runs beforeunload first, where the Golf content also sets
    cmi.exit=suspend: then the course opens again at the bookmark. On a content origin those
    handlers run in the content's process after the player's beacon has gone: the launcher
    sends what they set with its own farewell beacon."""
    if mode:  # the content on its own origin (isolated_portal)
        live_server = request.getfixturevalue("isolated_portal")[0]
    email = learner(live_app, golf,
                    f"flow.courses.closed{mode}.{kind}.{int(before_unload)}@example.com",
                    "Jordan Closer", kind)
    dialogs = sign_in(page, live_server, email)
    open_course(page, live_server, kind, "Start")
    expect_page(page, HEADINGS[kind][0])
    turn_pages(page, kind, 0, 2)
    commit, set_value = ("LMSCommit", "LMSSetValue") if kind == "1.2" else ("Commit", "SetValue")
    assert api_call(page, set_value, SUSPEND_DATA, "visited=0,1,2") == "true"
    assert api_call(page, commit, "") == "true"
    committed = wait_for(lambda: only_state(live_app, email, kind)["values"],
                         lambda values: values.get(LOCATION[kind]) == "2",
                         "the commit on page 3")
    assert committed[SUSPEND_DATA] == "visited=0,1,2"
    assert SESSION_TIME[kind] not in committed
    turn_pages(page, kind, 2, 4)
    page.wait_for_timeout(1100)  # a session time of at least a second
    before = only_state(live_app, email, kind)
    assert before["values"][LOCATION[kind]] == "2"  # pages 4 and 5 were not committed
    assert before["terminated"] is False

    page.close(run_before_unload=before_unload)  # then pagehide: the beacon

    state = wait_for(lambda: only_state(live_app, email, kind),
                     lambda s: s["terminated"], "the beacon after the tab closed")
    values = state["values"]
    assert values[SUSPEND_DATA] == "visited=0,1,2"  # the last commit's data is kept
    assert values[LOCATION[kind]] == "4"  # the beacon's: the page open when the tab closed
    assert values[SESSION_TIME[kind]]  # set by the content's unload handler
    assert state["total_seconds"] >= 1
    registration = tracked(live_app, email, kind).registration
    assert registration["completion"] == "incomplete"
    assert registration["total_seconds"] == pytest.approx(state["total_seconds"])
    no_errors(dialogs, browser_logs, request)
    if not before_unload:
        return
    assert state["exit"] == "suspend"
    again = page.context.new_page()
    answer_dialogs(again, dialogs)
    open_course(again, live_server, kind, "Resume")
    expect_page(again, HEADINGS[kind][4])
    resumed = only_state(live_app, email, kind)["values"]
    assert (resumed[ENTRY[kind]], resumed[SUSPEND_DATA]) == ("resume", "visited=0,1,2")
    assert api_call(again, "LMSGetValue" if kind == "1.2" else "GetValue",
                    SUSPEND_DATA) == "visited=0,1,2"
    no_errors(dialogs, browser_logs, request)


# --- 4. the sequencing package launches ---------------------------------------------------------

def test_the_sequencing_package_imports_and_launches(page, live_app, live_server, golf,
                                                     browser_logs, request):
    from courses.models import CourseVersion

    with live_app.app_context():
        version = db.session.get(CourseVersion, golf.versions["sequencing"])
        assert version.scorm_version == "2004"
        launchable = [item["identifier"] for item in version.launch_items]
    assert launchable[0] == "pretest_item" and len(launchable) == 6
    email = learner(live_app, golf, "flow.courses.sequencing@example.com", "Sam Pretest",
                    "sequencing")
    dialogs = sign_in(page, live_server, email)
    open_course(page, live_server, "sequencing", "Start")
    expect(lesson(page).get_by_role("heading", name="Knowledge Check")).to_be_visible()
    page.wait_for_function("() => window.API_1484_11 && window.API_1484_11.initializeCalled()")
    expect(page.locator("[data-status]")).to_have_text("Opened “Pre Test”.")
    # The two wrappers are hidden (isvisible="false"): their items are listed in their place,
    # one flat list, not "Playing the Game" and the others nested under "Pre Test".
    contents = page.get_by_role("navigation", name="Contents")
    expect(contents.get_by_role("link")).to_have_text([
        "Pre Test", "Playing the Game", "Etiquette", "Handicapping", "Having Fun", "Post Test"],
        use_inner_text=True)
    expect(contents.locator("ul ul")).to_have_count(0)
    expect(contents.get_by_text(re.compile("Dummy Item|Content Wrapper"))).to_have_count(0)
    shot(page, "course-player-sequencing")
    state = only_state(live_app, email, "sequencing")
    assert state["item"] == "pretest_item"
    assert state["values"]["cmi.entry"] == "ab-initio"
    assert state["values"]["cmi.credit"] == "credit"

    contents.get_by_role("link", name="Playing the Game").click()  # the next SCO launches too
    expect_page(page, "Play of the game")
    expect(page.locator("[data-status]")).to_have_text("Opened “Playing the Game”.")
    states = tracked(live_app, email, "sequencing").states
    assert set(states) == {"pretest_item", "playing_item"}
    assert states["pretest_item"]["terminated"] is True  # ended when the learner moved on
    no_errors(dialogs, browser_logs, request)


# --- 5. a trainer's preview ---------------------------------------------------------------------

def test_a_trainer_previews_a_course_and_nothing_is_recorded(page, live_app, live_server, golf,
                                                             browser_logs, request):
    from courses.tracking_models import Attempt, Registration, ScoState
    from portal.auth.models import User

    def recorded() -> tuple[int, int]:
        with live_app.app_context():
            trainer = User.by_email(TRAINER_EMAIL)
            return (db.session.scalar(select(func.count()).select_from(ScoState).join(Attempt)
                                      .join(Registration)
                                      .where(Registration.learner_id == trainer.id)),
                    db.session.scalar(select(func.count()).select_from(ScoState)))

    before = recorded()
    dialogs = sign_in(page, live_server, TRAINER_EMAIL)
    commits = []  # the commits the preview sent, with the answer's status
    page.on("response", lambda r: r.url.endswith("/commit")
            and commits.append((r.url, r.status, r.request.post_data or "")))
    page.goto(f"{live_server}/courses/{golf.courses['2004']}")
    page.get_by_role("link", name="Preview version 1").click()
    expect(page).to_have_url(f"{live_server}/me/courses/preview/{golf.versions['2004']}")
    expect_page(page, HEADINGS["2004"][0])
    assert page.evaluate("API_1484_11.GetValue('cmi.mode')") == "browse"
    assert page.evaluate("API_1484_11.GetValue('cmi.credit')") == "no-credit"
    turn_pages(page, "2004", 0, 2)
    shot(page, "course-player-preview")
    page.get_by_role("button", name="Exit", exact=True).click()
    expect(page).to_have_url(f"{live_server}/courses/{golf.courses['2004']}")

    # The content's data went to the preview's endpoint (at Terminate), which kept none of it.
    assert commits and all("/preview/" in url and status == 200 for url, status, _ in commits)
    assert any('"cmi.location"' in body for _, _, body in commits)
    assert recorded() == (0, before[1])
    no_errors(dialogs, browser_logs, request)
