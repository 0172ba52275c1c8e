"""The learners x courses matrix as a trainer reads it: each cell's status (a word, not only a
colour), score, attempts and overdue mark; the filters (team, path, opening, status, due)
narrow the rows; pages follow each other without repeats in a fixed number of statements; the
CSV holds every row and is audited. A cell's drill-down shows each attempt's SCO data and
interactions; a reset keeps the history, starts a fresh attempt at the next launch, and is
audited, evented and takes the certificate back. Only staff reach any of it."""

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from courses import certificates, enrolment, matrix, paths, registrations
from courses.path_models import PathEnrolment
from courses.paths import StepPlan
from courses.progress_models import ProgressEvent
from courses.tracking_models import Attempt, Registration
from portal import create_app
from portal.audit import AuditEvent
from portal.extensions import db, utcnow
from portal.recruiting import services, stages
from portal.teams.models import Team, TeamMember
from tests import conftest
from tests.conftest import DEFAULT_PASSWORD
from tests.helpers import apply, open_opening, page_text
from tests.test_course_tracking import (
    MANIFEST_12,
    MANIFEST_2004,
    commit,
    csrf_of,
    imported,
    launch,
    open_attempt,
)


@pytest.fixture
def courses(app, tmp_path):
    """Three courses: Call basics (SCORM 1.2, certifies), QM basics (2004), Tools tour (1.2)."""
    first = imported(tmp_path, MANIFEST_12, "call").course
    second = imported(tmp_path, MANIFEST_2004, "qm").course
    third = imported(tmp_path, MANIFEST_12, "tools").course
    first.certifies, third.title = True, "Tools tour"
    db.session.flush()
    return first, second, third


@pytest.fixture
def trainer(make_user):
    return make_user(roles=("trainer",), full_name="Tara Trainer")


@pytest.fixture
def trainer_client(client, login, trainer):
    login(client, trainer)
    return client


def registered(learner, course, *, completion="not attempted", success="unknown", score=None,
               minutes=0, attempts=0, due_in_days=None):
    """A registration with a hand-made roll-up."""
    row = registrations.register(course, learner)
    row.completion, row.success, row.score = completion, success, score
    row.total_seconds, row.attempt_count = minutes * 60, attempts
    row.last_activity_at = utcnow() if attempts else None
    row.due_at = utcnow() + timedelta(days=due_in_days) if due_in_days is not None else None
    db.session.flush()
    return row


def table(response) -> tuple[list[str], dict[str, list[str]]]:
    """The matrix as read: column titles, and each learner's cells' text, by learner name."""
    body = response.get_data(as_text=True)
    head = re.search(r"<thead.*?</thead>|$", body, re.S).group(0)
    columns = [page_text_of(c) for c in re.findall(r'<th scope="col" class="matrix-course">'
                                                  r"(.*?)</th>", head, re.S)]
    rows = {}
    for row in re.findall(r"<tr>\s*<th scope=\"row\".*?</tr>", body, re.S):
        name = re.search(r'class="matrix-name"[^>]*>(.*?)</a>', row).group(1)
        rows[name] = [page_text_of(cell) for cell in re.findall(
            r'<td class="matrix-cell">(.*?)</td>', row, re.S)]
    return columns, rows


def page_text_of(fragment: str) -> str:
    fragment = re.sub(r'<span class="visually-hidden">.*?</span>', "", fragment, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def names(response) -> list[str]:
    return list(table(response)[1])


# --- the matrix ----------------------------------------------------------------------------------

def test_each_cell_says_status_score_time_attempts_and_overdue(trainer_client, make_user,
                                                                 courses):
    call, qm, tools = courses
    ann = make_user(roles=("agent",), full_name="Ann Archer")
    ben = make_user(roles=("agent",), full_name="Ben Brook")
    registered(ann, call, completion="completed", success="passed", score=0.92, minutes=14,
               attempts=2)
    registered(ann, qm, completion="incomplete", minutes=5, attempts=1, due_in_days=-2)
    registered(ben, call, completion="completed", success="failed", score=0.4, minutes=9,
               attempts=1)
    registered(ben, tools, due_in_days=5)
    registered(ben, qm, completion="completed", attempts=1, due_in_days=-1)  # done: not late
    db.session.commit()

    response = trainer_client.get("/learning/matrix")
    assert response.status_code == 200
    columns, rows = table(response)
    assert columns == ["Call basics", "QM basics", "Tools tour"]
    assert list(rows) == ["Ann Archer", "Ben Brook"]
    ann_call, ann_qm, ann_tools = rows["Ann Archer"]
    assert ann_call.startswith("✓ Passed") and "92 %" in ann_call and "14 min" in ann_call
    assert "2 attempts" in ann_call and "Overdue" not in ann_call
    assert ann_qm.startswith("◐ In progress") and "No score" in ann_qm
    assert "Overdue: due" in ann_qm
    assert ann_tools == "—"  # not registered
    ben_call, ben_qm, ben_tools = rows["Ben Brook"]
    assert ben_call.startswith("✕ Failed") and "40 %" in ben_call
    assert ben_qm.startswith("● Completed") and "Overdue" not in ben_qm
    assert ben_tools.startswith("○ Not started") and "Due " in ben_tools
    assert "attempt" not in ben_tools  # nothing more to say of a course not started
    text = page_text(response)
    assert "Columns: The active courses the learners on this page are registered to" in text
    # Each status is a word in a coloured mark, and each cell leads to its drill-down.
    body = response.get_data(as_text=True)
    ann_row = registrations.register(call, ann)
    assert f'href="/learning/registrations/{ann_row.id}"' in body
    assert 'class="matrix-status status-passed"' in body


@pytest.fixture
def crowd(make_user, courses, trainer):
    """Five agents in different situations, and an onboarding path of the first two courses."""
    call, qm, tools = courses
    path = paths.save(None, title="New agent onboarding", description="", due_days=14,
                      steps=[StepPlan(call.id), StepPlan(qm.id)], actor=trainer)
    people = {name: make_user(roles=("agent",), full_name=name) for name in (
        "Ann Archer", "Ben Brook", "Cleo Cruz", "Dev Dunn", "Eve Ellis")}
    enrolment.enrol(people["Ann Archer"], path, source="hand")
    enrolment.enrol(people["Ben Brook"], path, source="hand")
    registered(people["Cleo Cruz"], tools, completion="completed", success="passed", score=1,
               attempts=1)
    registered(people["Dev Dunn"], tools, due_in_days=-3)
    registered(people["Eve Ellis"], tools, due_in_days=20)
    row = db.session.scalar(select(Registration).where(
        Registration.learner_id == people["Ann Archer"].id, Registration.course_id == call.id))
    row.completion, row.success, row.attempt_count = "completed", "passed", 1
    team = Team(name="Blue")
    db.session.add(team)
    db.session.flush()
    for name in ("Ben Brook", "Dev Dunn"):
        db.session.add(TeamMember(user_id=people[name].id, team_id=team.id))
    make_user(roles=("candidate",), full_name="Carl Candidate")  # no registration, no role
    db.session.commit()
    return people, path, team


def test_each_filter_narrows_the_rows(trainer_client, crowd, make_user, courses, trainer):
    people, path, team = crowd
    get = trainer_client.get
    assert names(get("/learning/matrix")) == sorted(people)
    assert names(get(f"/learning/matrix?team={team.id}")) == ["Ben Brook", "Dev Dunn"]
    on_path = get(f"/learning/matrix?path={path.id}")
    assert names(on_path) == ["Ann Archer", "Ben Brook"]
    assert table(on_path)[0] == ["Call basics", "QM basics"]  # the path's courses, in order
    assert "of the path New agent onboarding, in the path's order" in page_text(on_path)
    assert names(get("/learning/matrix?status=passed")) == ["Ann Archer", "Cleo Cruz"]
    assert names(get("/learning/matrix?status=not_started")) == [
        "Ann Archer", "Ben Brook", "Dev Dunn", "Eve Ellis"]  # Ann's second course
    assert names(get(f"/learning/matrix?status=not_started&path={path.id}&team={team.id}")) \
        == ["Ben Brook"]
    assert names(get("/learning/matrix?due=overdue")) == ["Dev Dunn"]
    assert names(get("/learning/matrix?due=30")) == ["Ann Archer", "Ben Brook", "Eve Ellis"]
    assert names(get("/learning/matrix?due=7")) == []
    # An opening's hires: moved to hired (which makes them agents) and registered.
    manager = make_user(roles=("manager",))
    opening = open_opening(manager)
    hire = make_user(full_name="Hana Hire")
    services.move(apply(opening, hire), stages.HIRED, manager, "Welcome")
    registered(hire, courses[2])
    apply(open_opening(manager, title="Back office"), people["Eve Ellis"])
    db.session.commit()
    assert names(get(f"/learning/matrix?opening={opening.id}")) == ["Hana Hire"]
    # A filter value that is not among the choices is dropped, not an error.
    assert names(get("/learning/matrix?team=999999&path=%C2%B2&status=bogus")) == sorted(
        [*people, "Hana Hire"])


def test_pages_follow_each_other_without_repeats(trainer_client, make_user, courses,
                                                 monkeypatch):
    monkeypatch.setattr(matrix, "PAGE_SIZE", 2)
    for name in ("Zoe", "Amy", "Kim", "Amy", "Bob"):  # two learners share a name
        registered(make_user(roles=("agent",), full_name=name), courses[0])
    db.session.commit()
    seen, url = [], "/learning/matrix"
    while url:
        body = trainer_client.get(url).get_data(as_text=True)
        seen.append(re.findall(r'class="matrix-email"[^>]*>(.*?)</span>', body))
        found = re.search(r'rel="next" href="([^"]+)"', body)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert [len(page) for page in seen] == [2, 2, 1]
    everyone = [email for page in seen for email in page]
    assert len(set(everyone)) == 5
    back = re.search(r'rel="prev" href="([^"]+)"', body).group(1).replace("&amp;", "&")
    assert re.findall(r'class="matrix-email"[^>]*>(.*?)</span>',
                      trainer_client.get(back).get_data(as_text=True)) == seen[1]
    assert "not valid any more" in page_text(trainer_client.get(
        "/learning/matrix?after=garbage", follow_redirects=True))


def test_the_page_costs_the_same_statements_for_3_and_30_learners(
        trainer_client, make_user, courses, count_queries, trainer):
    call, qm, tools = courses
    path = paths.save(None, title="Onboarding", description="", due_days=None,
                      steps=[StepPlan(call.id), StepPlan(qm.id), StepPlan(tools.id)],
                      actor=trainer)
    team = Team(name="Green")
    db.session.add(team)

    def add(count):
        for _ in range(count):
            agent = make_user(roles=("agent",))
            enrolment.enrol(agent, path, source="hand")
            db.session.add(TeamMember(user_id=agent.id, team_id=team.id))
        db.session.commit()

    def statements(url):
        trainer_client.get(url)  # once first: the session's own writes are done
        with count_queries() as counter:
            assert trainer_client.get(url).status_code == 200
        return counter.count

    add(3)
    urls = ["/learning/matrix",
            f"/learning/matrix?path={path.id}&team={team.id}&status=not_started"]
    small = [statements(url) for url in urls]
    add(27)
    assert [statements(url) for url in urls] == small
    assert small[0] <= 8, small


def test_the_csv_holds_every_learner_of_every_page_and_is_audited(trainer_client, crowd,
                                                                  monkeypatch, trainer):
    people, path, _ = crowd
    monkeypatch.setattr(matrix, "PAGE_SIZE", 2)
    response = trainer_client.get(f"/learning/matrix.csv?path={path.id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "learners-matrix" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == list(matrix.CSV_HEADER)
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == [
        ("Ann Archer", "Call basics", "Passed"), ("Ann Archer", "QM basics", "Not started"),
        ("Ben Brook", "Call basics", "Not started"), ("Ben Brook", "QM basics", "Not started")]
    everyone = list(csv.reader(io.StringIO(trainer_client.get(
        "/learning/matrix.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert len(everyone) == 1 + 4 + 3  # Ann and Ben's two courses, one each for the others
    assert ["Dev Dunn", people["Dev Dunn"].email, "Tools tour", "Not started", "", 0.0, "0"] \
        == [*everyone[-2][:5], float(everyone[-2][5]), everyone[-2][6]]
    assert everyone[-2][9] == "yes"  # overdue
    # In batches, as streamed: the same rows.
    batched = [row for batch in matrix.export_rows(matrix.Filters(), utcnow(), batch=2)
               for row in batch]
    assert [row[0] for row in batched] == [row[0] for row in everyone[1:]]
    exported = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "learning.matrix_exported")).all()
    assert [(e.actor_id, e.detail) for e in exported] == [
        (trainer.id, {"filters": {"path": path.id}}), (trainer.id, {"filters": {}})]


# --- the drill-down and the reset -----------------------------------------------------------------

@pytest.fixture
def finished(app, client, login, make_user, courses, trainer):
    """An agent who completed and passed Call basics (certified), in a one-course path, with
    an interaction, an objective, a bookmark and suspend data; the trainer signed in."""
    call = courses[0]
    path = paths.save(None, title="Phones first", description="", due_days=None,
                      steps=[StepPlan(call.id)], actor=trainer)
    learner = make_user(roles=("agent",), full_name="Avery Lin")
    enrolment.enrol(learner, path, source="hand")
    db.session.commit()
    registration = db.session.scalar(select(Registration).where(
        Registration.learner_id == learner.id, Registration.course_id == call.id))
    login(client, learner)
    attempt_id = open_attempt(client, registration)
    seq = launch(client, attempt_id)["seq"]
    answer = commit(client, attempt_id, seq + 1, [
        ["cmi.core.lesson_location", "page-7"], ["cmi.suspend_data", "x" * 123],
        ["cmi.interactions.0.id", "greeting-q1"], ["cmi.interactions.0.type", "choice"],
        ["cmi.interactions.0.student_response", "b"], ["cmi.interactions.0.result", "wrong"],
        ["cmi.interactions.0.latency", "0000:00:12.50"],
        ["cmi.interactions.0.time", "10:15:02"],
        ["cmi.objectives.0.id", "obj-greeting"], ["cmi.objectives.0.status", "passed"],
        ["cmi.core.lesson_status", "completed"], ["cmi.core.score.raw", "90"],
        ["cmi.core.exit", "suspend"], ["cmi.core.session_time", "0000:04:00"]],
        terminate=True)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    client.post("/logout")
    login(client, trainer)
    db.session.expire_all()
    return registration, attempt_id, learner, path


def test_the_drill_down_shows_each_scos_data_and_interactions(finished, client):
    registration, _, _, _ = finished
    response = client.get(f"/learning/registrations/{registration.id}")
    assert response.status_code == 200
    text = page_text(response)
    assert "Avery Lin · Call basics" in text and "✓ Passed" in text
    assert "Attempt 1 · version 1" in text
    assert "Greeting a caller" in text  # the SCO's title
    assert "Score 90 %" in text and "Time 4 min in 1 session" in text
    assert "Exit suspend" in text and "Suspend data Stored, 123 characters" in text
    assert "Location page-7" in text
    assert "obj-greeting" in text
    assert "greeting-q1 choice b wrong 0000:00:12.50 10:15:02" in text
    assert "<details" in response.get_data(as_text=True)


def test_a_reset_keeps_the_history_and_the_next_launch_starts_attempt_2(finished, client, login,
                                                                       trainer):
    registration, attempt_id, learner, path = finished
    assert [c.title for c in certificates.valid_for(learner.id)] == ["Call basics",
                                                                     "Phones first"]
    url = f"/learning/registrations/{registration.id}/reset"
    refused = client.post(url, data={"reason": "", "confirm": "reset"})
    assert refused.status_code == 422 and "Say why the attempts are reset" in page_text(refused)
    refused = client.post(url, data={"reason": "Retake", "confirm": "yes"})
    assert refused.status_code == 422 and "Type RESET to confirm" in page_text(refused)

    done = client.post(url, data={"reason": "Shared their answers; retake.", "confirm": "reset"})
    assert done.status_code == 303
    db.session.expire_all()
    row = db.session.get(Registration, registration.id)
    assert (row.completion, row.success, row.score, row.attempt_count, row.completed_at) == (
        "not attempted", "unknown", None, 0, None)
    old = db.session.get(Attempt, attempt_id)
    assert old.reset_at is not None and old.completion == "completed"  # kept, set aside
    assert (old.reset_by_id, old.reset_reason) == (trainer.id, "Shared their answers; retake.")
    assert certificates.valid_for(learner.id) == []
    assert db.session.scalar(select(PathEnrolment.completed_at).where(
        PathEnrolment.learner_id == learner.id)) is None
    event = db.session.scalar(select(ProgressEvent).where(
        ProgressEvent.registration_id == registration.id, ProgressEvent.type == "reset"))
    assert event.payload["attempts"] == [1] and event.payload["previous"]["success"] == "passed"
    audited = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "registration.reset", AuditEvent.target_id == registration.id))
    assert audited.actor_id == trainer.id
    assert "reason" not in audited.detail  # a person's words stay with the attempts, erasable
    page = page_text(client.get(f"/learning/registrations/{registration.id}"))
    assert "Set aside by a reset" in page and "○ Not started" in page
    assert "Reset because: Shared their answers; retake." in page
    assert "Nothing to reset" in page

    client.post("/logout")
    login(client, learner)
    stale = commit(client, attempt_id, 10**9 - 1, [["cmi.core.lesson_location", "late"]])
    assert stale.status_code == 409  # a tab left open writes nothing into the history
    fresh = open_attempt(client, registration)
    assert fresh != attempt_id and db.session.get(Attempt, fresh).number == 2
    assert client.get(f"/me/courses/attempts/{attempt_id}").status_code == 200  # old tab: review
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).attempt_count == 1
    assert db.session.get(Attempt, attempt_id).reset_at is not None


def test_only_staff_reach_the_matrix_and_registrations(client, login, make_user, courses):
    agent = make_user(roles=("agent",))
    own = registered(agent, courses[0])
    other = registered(make_user(roles=("agent",)), courses[0])
    db.session.commit()
    login(client, agent)
    assert client.get("/learning/matrix").status_code == 403
    assert client.get("/learning/matrix.csv").status_code == 403
    for registration in (own, other):
        assert client.get(f"/learning/registrations/{registration.id}").status_code == 404
        assert client.post(f"/learning/registrations/{registration.id}/reset", data={
            "reason": "x", "confirm": "RESET"}).status_code == 404
    client.post("/logout")
    login(client, make_user(roles=("candidate",)))
    assert client.get("/learning/matrix").status_code == 403
    assert client.get(f"/learning/registrations/{other.id}").status_code == 404
    client.post("/logout")
    login(client, make_user(roles=("manager",)))
    assert client.get(f"/learning/registrations/{other.id}").status_code == 200
    assert client.get("/learning/registrations/999999").status_code == 404
    db.session.expire_all()
    assert db.session.get(Registration, other.id).unenrolled_at is None


def test_a_reset_needs_the_csrf_token(tmp_path, make_user, courses):
    protected = create_app(conftest.test_config(tmp_path, WTF_CSRF_ENABLED=True))
    with protected.app_context():
        trainer = make_user(roles=("trainer",))
        row = registered(make_user(roles=("agent",)), courses[0], completion="incomplete",
                         attempts=1)
        email, registration_id = trainer.email, row.id
        db.session.commit()
    browser = protected.test_client()
    browser.post("/login", data={"email": email, "password": DEFAULT_PASSWORD,
                                 "csrf_token": csrf_of(browser, "/login")})
    url = f"/learning/registrations/{registration_id}/reset"
    form = {"reason": "Start again", "confirm": "RESET"}
    assert browser.post(url, data=form).status_code == 400
    token = csrf_of(browser, f"/learning/registrations/{registration_id}")
    assert browser.post(url, data={**form, "csrf_token": token}).status_code == 303
    with protected.app_context():
        assert db.session.get(Registration, registration_id).completion == "not attempted"


def test_the_learners_record_lists_paths_courses_and_certificates(finished, client, make_user,
                                                                 login):
    registration, _, learner, path = finished
    answer = client.get(f"/learning/learners/{learner.id}")
    shown = page_text(answer)
    assert answer.status_code == 200
    assert path.title in shown and "Call basics" in shown and "Re-issue under" in shown
    assert f'/learning/registrations/{registration.id}"' in answer.get_data(as_text=True)
    assert client.get(f"/learning/learners/{make_user().id}").status_code == 404  # no agent
    other = make_user(roles=("agent",))
    db.session.commit()
    agents_browser = client.application.test_client()
    login(agents_browser, other)
    assert agents_browser.get(f"/learning/learners/{learner.id}").status_code == 404
