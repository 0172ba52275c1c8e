"""Tracking the LMS can trust: a SCO's data is seeded before Initialize, commits are sequenced
(a stale or replayed one changes nothing) and checked against the data model (a bad one
changes nothing and says why), suspend resumes at the bookmark and any other exit starts
fresh, session time adds up, the final beacon (text/plain, no CSRF header) counts, attempts
follow the course's policy and keep their version, and nobody else's attempt is reachable."""

import json
import re

import pytest
from sqlalchemy import func, select

from courses import importing, registrations
from courses.tracking_models import Registration, ScoInteraction, ScoState
from portal import create_app
from portal.extensions import db
from tests import conftest
from tests.conftest import DEFAULT_PASSWORD
from tests.test_scorm_package import make_zip

MANIFEST_12 = """<?xml version="1.0"?>
<manifest identifier="tiny12" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Call basics</title>
    <item identifier="lesson" identifierref="r1"><title>Greeting a caller</title>
      <adlcp:masteryscore>80</adlcp:masteryscore>
      <adlcp:datafromlms>team=blue</adlcp:datafromlms></item>
  </organization></organizations>
  <resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco"
    href="index.html"><file href="index.html"/></resource></resources>
</manifest>"""
MANIFEST_2004 = """<?xml version="1.0"?>
<manifest identifier="tiny2004" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
          xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>QM basics</title>
    <item identifier="lesson" identifierref="r1"><title>Scorecards</title>
      <adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="0.75"/>
      <imsss:sequencing><imsss:objectives>
        <imsss:primaryObjective objectiveID="PRIMARY" satisfiedByMeasure="true">
          <imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure></imsss:primaryObjective>
        <imsss:objective objectiveID="obj_empathy"/>
      </imsss:objectives></imsss:sequencing></item>
  </organization></organizations>
  <resources><resource identifier="r1" type="webcontent" adlcp:scormType="sco"
    href="index.html"><file href="index.html"/></resource></resources>
</manifest>"""
PAGE = b"<!doctype html><title>Lesson</title><p>Lesson"


def imported(tmp_path, manifest: str, name: str, course=None):
    package = make_zip(tmp_path / f"{name}.zip", [("imsmanifest.xml", manifest.encode()),
                                                  ("index.html", PAGE)])
    return importing.import_package(package, course=course, actor=None)


@pytest.fixture
def learning(app, tmp_path, make_user, client, login):
    """A learner signed in, registered to a SCORM 1.2 course: (client, registration)."""
    version = imported(tmp_path, MANIFEST_12, "tiny12")
    learner = make_user(roles=("agent",), full_name="Avery Lin")
    registration = registrations.register(version.course, learner)
    db.session.commit()
    login(client, learner)
    return client, registration


def open_attempt(client, registration, new=False):
    answer = client.post(f"/me/courses/{registration.id}/launch", data={"new": "1"} if new else {})
    assert answer.status_code == 302
    return int(re.search(r"/attempts/(\d+)$", answer.headers["Location"]).group(1))


def launch(client, attempt_id, item="lesson"):
    answer = client.get(f"/me/courses/attempts/{attempt_id}/scos/{item}/state")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()


def token_of(attempt_id):
    from courses.tracking_models import Attempt
    return db.session.get(Attempt, attempt_id).token


def commit(client, attempt_id, seq, changes, terminate=False, token=None, beacon=False,
           item="lesson"):
    body = {"token": token or token_of(attempt_id), "seq": seq, "changes": changes,
            "terminate": terminate}
    url = f"/me/courses/attempts/{attempt_id}/scos/{item}/commit"
    if beacon:
        return client.post(url, data=json.dumps(body), content_type="text/plain")
    return client.post(url, json=body)


def sco(attempt_id, item="lesson") -> ScoState:
    db.session.expire_all()
    return db.session.get(ScoState, (attempt_id, item))


def test_a_scorm_12_launch_is_seeded_before_initialize(learning):
    client, registration = learning
    attempt_id = open_attempt(client, registration)
    state = launch(client, attempt_id)
    values = state["values"]
    assert values["cmi.core.student_name"] == "Lin, Avery"
    assert values["cmi.core.student_id"] == str(registration.learner_id)
    assert (values["cmi.core.credit"], values["cmi.core.lesson_mode"]) == ("credit", "normal")
    assert values["cmi.core.entry"] == "ab-initio"
    assert values["cmi.core.total_time"] == "0000:00:00.00"
    assert values["cmi.student_data.mastery_score"] == "80"
    assert values["cmi.launch_data"] == "team=blue"
    assert values["cmi.core.lesson_status"] == "not attempted"
    assert state["launch"].endswith("/index.html") and state["is_sco"] is True


def test_a_mastery_score_decides_and_the_registration_shows_it(learning):
    client, registration = learning
    attempt_id = open_attempt(client, registration)
    seq = launch(client, attempt_id)["seq"]
    answer = commit(client, attempt_id, seq + 1, [["cmi.core.lesson_status", "completed"],
                                                  ["cmi.core.score.raw", "85"]])
    assert answer.status_code == 200 and answer.get_json()["success"] == "passed"
    db.session.expire_all()
    row = db.session.get(Registration, registration.id)
    assert (row.completion, row.success, row.score) == ("completed", "passed", 0.85)
    page = client.get("/me/courses/").get_data(as_text=True)
    assert "Completed" in page and "Passed" in page and "85 %" in page


def test_a_stale_or_replayed_commit_changes_nothing(learning):
    client, registration = learning
    attempt_id = open_attempt(client, registration)
    seq = launch(client, attempt_id)["seq"]
    assert commit(client, attempt_id, seq + 2, [["cmi.core.lesson_location", "page-5"]]
                  ).status_code == 200
    for late in (seq + 1, seq + 2):  # an older commit arriving late; the same one again
        answer = commit(client, attempt_id, late, [["cmi.core.lesson_location", "page-1"]])
        assert answer.status_code == 409 and answer.get_json()["stale"] is True
    assert sco(attempt_id).values["cmi.core.lesson_location"] == "page-5"


@pytest.mark.parametrize("changes, element", [
    ([["cmi.core.lesson_status", "done"]], "cmi.core.lesson_status"),
    ([["cmi.core.student_name", "Someone Else"]], "cmi.core.student_name"),  # read-only
    ([["cmi.suspend_data", "x" * 4097]], "cmi.suspend_data"),
    ([["cmi.core.score.raw", "85"], ["cmi.core.nonsense", "1"]], "cmi.core.nonsense"),
])
def test_a_commit_the_data_model_refuses_changes_nothing_and_says_why(learning, changes,
                                                                       element):
    client, registration = learning
    attempt_id = open_attempt(client, registration)
    seq = launch(client, attempt_id)["seq"]
    answer = commit(client, attempt_id, seq + 1, changes)
    assert answer.status_code == 422
    assert [error[0] for error in answer.get_json()["errors"]] == [element]
    state = sco(attempt_id)
    assert "cmi.core.score.raw" not in state.values and state.seq == seq


def test_suspend_resumes_at_the_bookmark_and_any_other_exit_starts_fresh(learning):
    client, registration = learning
    attempt_id = open_attempt(client, registration)
    seq = launch(client, attempt_id)["seq"]
    commit(client, attempt_id, seq + 1, [
        ["cmi.core.lesson_location", "page-7"], ["cmi.suspend_data", "answers=1,0,1"],
        ["cmi.core.lesson_status", "incomplete"], ["cmi.core.exit", "suspend"],
        ["cmi.core.session_time", "00:10:00"]], terminate=True)
    resumed = launch(client, attempt_id)
    values = resumed["values"]
    assert values["cmi.core.entry"] == "resume"
    assert (values["cmi.core.lesson_location"], values["cmi.suspend_data"]) == (
        "page-7", "answers=1,0,1")
    assert values["cmi.core.total_time"] == "0000:10:00.00"
    commit(client, attempt_id, resumed["seq"] + 1, [
        ["cmi.core.exit", ""], ["cmi.core.session_time", "00:05:00"]], terminate=True)
    fresh = launch(client, attempt_id)["values"]
    assert fresh["cmi.core.entry"] == "" and "cmi.core.lesson_location" not in fresh
    assert fresh["cmi.core.lesson_status"] == "incomplete"  # the status is kept
    assert fresh["cmi.core.total_time"] == "0000:15:00.00"


def test_a_commit_of_an_earlier_session_is_stale(learning):
    """A tab left open, or a replay, after the lesson was launched again."""
    client, registration = learning
    attempt_id = open_attempt(client, registration)
    first = launch(client, attempt_id)["seq"]
    second = launch(client, attempt_id)["seq"]
    assert commit(client, attempt_id, first + 5, [["cmi.core.lesson_location", "old"]]
                  ).status_code == 409
    assert commit(client, attempt_id, second + 1, [["cmi.core.lesson_location", "new"]]
                  ).status_code == 200
    assert sco(attempt_id).values["cmi.core.lesson_location"] == "new"


def test_the_final_beacon_counts_without_a_csrf_header_but_not_without_the_token(
        tmp_path, make_user):
    protected = create_app(conftest.test_config(tmp_path, WTF_CSRF_ENABLED=True))
    with protected.app_context():  # only around the set-up: requests push their own
        version = imported(tmp_path, MANIFEST_12, "beacon")
        learner = make_user(roles=("agent",))
        registration_id = registrations.register(version.course, learner).id
        email = learner.email
        db.session.commit()
    browser = protected.test_client()
    browser.post("/login", data={"email": email, "password": DEFAULT_PASSWORD,
                                 "csrf_token": csrf_of(browser, "/login")})
    launched = browser.post(f"/me/courses/{registration_id}/launch",
                            data={"csrf_token": csrf_of(browser, "/me/courses/")})
    attempt_id = int(launched.headers["Location"].rsplit("/", 1)[1])
    state = browser.get(f"/me/courses/attempts/{attempt_id}/scos/lesson/state").get_json()
    with protected.app_context():
        token = token_of(attempt_id)
    url = f"/me/courses/attempts/{attempt_id}/scos/lesson/commit"

    def beacon(token, location):
        return browser.post(url, content_type="text/plain", data=json.dumps({
            "token": token, "seq": state["seq"] + 1, "terminate": True,
            "changes": [["cmi.core.lesson_location", location], ["cmi.core.exit", "suspend"]]}))

    assert beacon("guessed", "page-9").status_code == 403
    assert beacon(token, "page-3").status_code == 200
    with protected.app_context():
        assert sco(attempt_id).values["cmi.core.lesson_location"] == "page-3"


def csrf_of(browser, path: str) -> str:
    page = browser.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_other_peoples_registrations_and_attempts_are_not_found(learning, make_user, login):
    client, registration = learning
    attempt_id = open_attempt(client, registration)
    seq = launch(client, attempt_id)["seq"]
    token = token_of(attempt_id)
    client.post("/logout")
    login(client, make_user(roles=("agent",)))
    assert client.post(f"/me/courses/{registration.id}/launch").status_code == 404
    assert client.get(f"/me/courses/attempts/{attempt_id}").status_code == 404
    assert client.get(f"/me/courses/attempts/{attempt_id}/scos/lesson/state").status_code == 404
    assert commit(client, attempt_id, seq + 1, [["cmi.core.lesson_location", "x"]],
                  token=token).status_code == 404


def test_a_new_attempt_takes_the_newest_version_and_the_final_one_locks(
        learning, tmp_path):
    client, registration = learning
    course = registration.course
    course.max_attempts, course.new_attempt = 2, "never"
    db.session.commit()
    first = open_attempt(client, registration)
    seq = launch(client, first)["seq"]
    imported(tmp_path, MANIFEST_12.replace("Greeting a caller", "Greeting, v2"), "v2",
             course=course)
    db.session.commit()
    assert open_attempt(client, registration) == first  # in progress: keeps version 1
    commit(client, first, seq + 1, [["cmi.core.lesson_status", "passed"]], terminate=True)
    second = open_attempt(client, registration, new=True)
    assert second != first
    from courses.tracking_models import Attempt
    versions = [db.session.get(Attempt, a).version.number for a in (first, second)]
    assert versions == [1, 2]
    seq = launch(client, second)["seq"]
    commit(client, second, seq + 1, [["cmi.core.lesson_status", "completed"]], terminate=True)
    # The final attempt is used up: the course opens for review, and nothing is recorded.
    assert open_attempt(client, registration, new=True) == second
    review = launch(client, second)
    assert (review["values"]["cmi.core.credit"], review["values"]["cmi.core.lesson_mode"]) == (
        "no-credit", "browse")
    assert commit(client, second, review["seq"] + 1, [["cmi.core.lesson_status", "failed"]]
                  ).status_code == 409
    assert sco(second).values["cmi.core.lesson_status"] == "completed"


def test_scorm_2004_seeds_the_manifest_and_keeps_interactions_for_reports(
        app, tmp_path, make_user, client, login):
    version = imported(tmp_path, MANIFEST_2004, "tiny2004")
    learner = make_user(roles=("agent",))
    registration = registrations.register(version.course, learner)
    db.session.commit()
    login(client, learner)
    attempt_id = open_attempt(client, registration)
    state = launch(client, attempt_id)
    values = state["values"]
    assert values["cmi.completion_threshold"] == "0.75"
    assert values["cmi.scaled_passing_score"] == "0.6"
    assert values["cmi.objectives._count"] == 2
    assert [values["cmi.objectives.0.id"], values["cmi.objectives.1.id"]] == [
        "PRIMARY", "obj_empathy"]
    answer = commit(client, attempt_id, state["seq"] + 1, [
        ["cmi.progress_measure", "0.8"], ["cmi.score.scaled", "0.55"],
        ["cmi.interactions.0.id", "q1"], ["cmi.interactions.0.type", "choice"],
        ["cmi.interactions.0.learner_response", "b"], ["cmi.interactions.0.result", "incorrect"],
        ["cmi.session_time", "PT2M"]], terminate=True)
    assert answer.get_json() == {"ok": True, "stale": False, "completion": "completed",
                                 "success": "failed"}
    row = db.session.scalar(select(ScoInteraction))
    assert (row.interaction_id, row.type, row.learner_response, row.result) == (
        "q1", "choice", "b", "incorrect")
    assert sco(attempt_id).total_seconds == 120


def test_trainers_preview_a_course_and_nothing_is_recorded(app, tmp_path, make_user, client,
                                                         login):
    version = imported(tmp_path, MANIFEST_12, "preview")
    db.session.commit()
    login(client, make_user(roles=("trainer",)))
    page = client.get(f"/me/courses/preview/{version.id}")
    assert page.status_code == 200
    assert re.search(r'data-action="suspend" hidden>Save and finish later', page.get_data(
        as_text=True))  # nothing to save in a preview
    state = client.get(f"/me/courses/preview/{version.id}/scos/lesson/state").get_json()
    assert state["values"]["cmi.core.credit"] == "no-credit"
    answer = client.post(f"/me/courses/preview/{version.id}/scos/lesson/commit",
                         json={"token": "", "seq": 1, "changes": [
                             ["cmi.core.lesson_status", "passed"]]})
    assert answer.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(ScoState)) == 0


def test_trainers_register_learners_set_attempt_rules_and_see_each_learners_version(
        app, tmp_path, make_user, client, login):
    version = imported(tmp_path, MANIFEST_12, "trainer")
    agent = make_user(roles=("agent",), full_name="Robin Agent")
    db.session.commit()
    login(client, make_user(roles=("trainer",)))
    course_page = f"/courses/{version.course_id}"
    answer = client.post(f"{course_page}/learners",
                         data={"emails": f"{agent.email.upper()}, nobody@example.com"})
    assert answer.status_code == 303
    flashed = client.get(course_page).get_data(as_text=True)
    assert "<title>Call basics · WAH Portal</title>" in flashed
    assert "1 learner registered." in flashed and "Skipped nobody@example.com" in flashed
    assert "Robin Agent" in flashed and "not started" in flashed
    bad = client.post(f"{course_page}/policy", data={"max_attempts": "0", "new_attempt": "never",
                                                     "grading": "highest"})
    assert bad.status_code == 422 and "From 1 to 100" in bad.get_data(as_text=True)
    assert client.post(f"{course_page}/policy", data={
        "max_attempts": "3", "new_attempt": "completed", "grading": "average"}
    ).status_code == 303
    db.session.expire_all()
    course = version.course
    assert (course.max_attempts, course.new_attempt, course.grading) == (3, "completed",
                                                                         "average")
    client.post("/logout")
    login(client, agent)
    registration = db.session.scalar(select(Registration))
    attempt_id = open_attempt(client, registration)
    launch(client, attempt_id)
    client.post("/logout")
    login(client, make_user(roles=("manager",)))
    row = re.search(r"Robin Agent.*?On version\">(\w+)", client.get(course_page).get_data(
        as_text=True), re.S)
    assert row.group(1) == "1"


def test_the_command_line_registers_learners(app, tmp_path, make_user):
    version = imported(tmp_path, MANIFEST_12, "cli")
    agent = make_user(roles=("agent",))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["courses", "register", version.course.key,
                                                agent.email, "ghost@example.com"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["registered"] == [agent.email]
    assert printed["skipped"] == [{"email": "ghost@example.com",
                                   "why": "no active account has this address"}]


def test_a_page_turns_commit_takes_two_statements(learning, count_queries):
    """The commit a lesson sends most: its SCO's state loaded together with the session check,
    then its update; what the roll-ups read is unchanged, so they are not redone."""
    client, registration = learning
    attempt_id = open_attempt(client, registration)
    seq = launch(client, attempt_id)["seq"]
    commit(client, attempt_id, seq + 1, [["cmi.core.lesson_status", "incomplete"]])
    token = token_of(attempt_id)
    with count_queries() as counter:
        answer = commit(client, attempt_id, seq + 2, [["cmi.core.lesson_location", "page-2"],
                                                      ["cmi.suspend_data", "visited=1,2"]],
                        token=token)
    assert answer.status_code == 200
    assert counter.count <= 2, "\n".join(counter.statements)
    assert sco(attempt_id).values["cmi.core.lesson_location"] == "page-2"


MANIFEST_12_TWO = MANIFEST_12.replace(
    '''<adlcp:datafromlms>team=blue</adlcp:datafromlms></item>''',
    '''<adlcp:datafromlms>team=blue</adlcp:datafromlms></item>
    <item identifier="practice" identifierref="r1" parameters="?part=2"><title>Practice</title>
      <adlcp:prerequisites type="aicc_script">lesson</adlcp:prerequisites></item>''')


def test_a_lesson_opens_once_its_prerequisites_are_met(app, tmp_path, make_user, client,
                                                       login):
    version = imported(tmp_path, MANIFEST_12_TWO, "two")
    learner = make_user(roles=("agent",))
    registration = registrations.register(version.course, learner)
    db.session.commit()
    login(client, learner)
    attempt_id = open_attempt(client, registration)
    page = client.get(f"/me/courses/attempts/{attempt_id}").get_data(as_text=True)
    assert "not available yet" in page  # the contents list says so before any click
    locked = client.get(f"/me/courses/attempts/{attempt_id}/scos/practice/state").get_json()
    assert locked["disabled"] is True and sco(attempt_id, "practice") is None
    seq = launch(client, attempt_id)["seq"]
    commit(client, attempt_id, seq + 1, [["cmi.core.lesson_status", "completed"]],
           terminate=True)
    opened = launch(client, attempt_id, "practice")
    assert opened["launch"].endswith("index.html?part=2")


MANIFEST_2004_LESSON_AND_QUIZ = """<?xml version="1.0"?>
<manifest identifier="lq" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
          xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>QM</title>
    <item identifier="lesson" identifierref="r1"><title>Lesson</title>
      <imsss:sequencing><imsss:rollupRules rollupObjectiveSatisfied="false"/></imsss:sequencing>
    </item>
    <item identifier="quiz" identifierref="r2"><title>Quiz</title></item>
  </organization></organizations>
  <resources>
    <resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="index.html">
      <file href="index.html"/></resource>
    <resource identifier="r2" type="webcontent" adlcp:scormType="sco" href="quiz.html">
      <file href="quiz.html"/></resource></resources>
</manifest>"""


def test_a_lesson_left_out_of_the_satisfaction_rollup_does_not_hold_back_a_pass(
        app, tmp_path, make_user, client, login):
    package = make_zip(tmp_path / "lq.zip", [
        ("imsmanifest.xml", MANIFEST_2004_LESSON_AND_QUIZ.encode()), ("index.html", PAGE),
        ("quiz.html", PAGE)])
    course = importing.import_package(package, actor=None).course
    learner = make_user(roles=("agent",))
    registration = registrations.register(course, learner)
    db.session.commit()
    login(client, learner)
    attempt_id = open_attempt(client, registration)
    seq = launch(client, attempt_id, "lesson")["seq"]
    commit(client, attempt_id, seq + 1, [["cmi.completion_status", "completed"]], True,
           item="lesson")
    seq = launch(client, attempt_id, "quiz")["seq"]
    answer = commit(client, attempt_id, seq + 1, [["cmi.completion_status", "completed"],
                                                  ["cmi.success_status", "passed"],
                                                  ["cmi.score.scaled", "0.9"]], True,
                    item="quiz")
    assert answer.get_json()["success"] == "passed"
    db.session.expire_all()
    row = db.session.get(Registration, registration.id)
    assert (row.completion, row.success) == ("completed", "passed")


def test_an_ending_commit_that_changes_no_result_still_ends_the_session(learning):
    """A page turn's quick path writes the state itself: an ending commit with no session
    time (nothing the roll-ups read changes) must still close the session."""
    client, registration = learning
    attempt_id = open_attempt(client, registration)
    seq = launch(client, attempt_id)["seq"]
    commit(client, attempt_id, seq + 1, [["cmi.core.lesson_status", "incomplete"]])
    ended = commit(client, attempt_id, seq + 2, [["cmi.core.lesson_location", "p3"]],
                   terminate=True, beacon=True)
    assert ended.status_code == 200
    state = sco(attempt_id)
    assert (state.terminated, state.seq, state.values["cmi.core.lesson_location"]) == (
        True, seq + 2, "p3")
    assert commit(client, attempt_id, seq + 3, [["cmi.core.lesson_location", "p4"]]
                  ).status_code == 409  # nothing after the end


def page_turn(client, attempt_id, seq, page, token):
    return commit(client, attempt_id, seq, [["cmi.core.lesson_location", f"page-{page}"],
                                            ["cmi.suspend_data", f"visited={page}"]],
                  token=token)


def remembered(client, registration):
    """A SCO launched, its status set, then page 2 turned through the quick path, so this
    worker remembers its state: (attempt id, the session's first seq, the attempt's token).
    The next number to send is seq + 3."""
    attempt_id = open_attempt(client, registration)
    seq = launch(client, attempt_id)["seq"]
    commit(client, attempt_id, seq + 1, [["cmi.core.lesson_status", "incomplete"]])
    token = token_of(attempt_id)
    assert page_turn(client, attempt_id, seq + 2, 2, token).status_code == 200
    return attempt_id, seq, token


def test_page_turns_in_a_row_take_one_statement_each(learning, count_queries):
    """The worker remembers the state it wrote: the next page turn is one UPDATE that finds
    its row only while nobody else wrote it and the session is live."""
    client, registration = learning
    attempt_id, seq, token = remembered(client, registration)
    with count_queries() as counter:
        assert page_turn(client, attempt_id, seq + 3, 3, token).status_code == 200
    assert counter.count == 1, "\n".join(counter.statements)
    assert sco(attempt_id).values["cmi.suspend_data"] == "visited=3"


def test_a_page_turn_after_another_write_builds_on_that_write(learning):
    """A state written elsewhere since (another server process, a trainer's reset) is not
    overwritten by the one this worker remembers."""
    client, registration = learning
    attempt_id, seq, token = remembered(client, registration)
    elsewhere = sco(attempt_id)
    elsewhere.values = {**elsewhere.values, "cmi.core.lesson_location": "written-elsewhere"}
    elsewhere.seq = seq + 3
    db.session.commit()

    answer = commit(client, attempt_id, seq + 4, [["cmi.suspend_data", "visited=4"]],
                    token=token)
    assert answer.status_code == 200
    values = sco(attempt_id).values
    assert (values["cmi.core.lesson_location"], values["cmi.suspend_data"]) == (
        "written-elsewhere", "visited=4")
    stale = page_turn(client, attempt_id, seq + 3, 9, token)  # a number already used
    assert stale.status_code == 409


def test_a_remembered_page_turn_is_refused_once_the_session_ended(learning, app):
    from portal.auth import sessions

    client, registration = learning
    attempt_id, seq, token = remembered(client, registration)
    sessions.end_all(registration.learner)
    db.session.commit()

    answer = page_turn(client, attempt_id, seq + 3, 3, token)
    assert answer.status_code in (302, 401)
    assert sco(attempt_id).values["cmi.suspend_data"] == "visited=2"
