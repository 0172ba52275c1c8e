"""A course's reports, as a trainer reads them: each question's correct rate and most common
wrong answers (latest attempt per learner), completions per week as an SVG chart with its
numbers in text, CSV downloads of the learners table and the questions report (BOM, safe file
name, formulas neutralised, audited), who may see them, and a query count that does not grow
with the number of learners."""

import csv
import io
import re
import secrets
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from courses import charts, registrations, reports
from courses.tracking_models import Attempt, ScoInteraction
from portal import csv_export
from portal.audit import AuditEvent
from portal.extensions import db, utcnow
from tests.helpers import page_text
from tests.test_course_tracking import (
    MANIFEST_12,
    MANIFEST_2004,
    commit,
    imported,
    launch,
    open_attempt,
)

NOW = datetime(2024, 3, 20, 15, 0, tzinfo=UTC)  # a Wednesday; its week starts on March 18


@pytest.fixture
def version(app, tmp_path):
    found = imported(tmp_path, MANIFEST_2004, "qm")
    db.session.flush()
    return found


@pytest.fixture
def trainer_client(client, login, make_user):
    login(client, make_user(roles=("trainer",), full_name="Tara Trainer"))
    return client


def learner(make_user, version, answers=(), *, number=1, completion="incomplete", at=None,
            name=None, score=None, seconds=0.0, item="lesson"):
    """A learner registered to the version's course with one attempt (`number`) holding
    `answers`: (question id, response, result) in index order."""
    person = make_user(roles=("agent",), full_name=name)
    registration = registrations.register(version.course, person)
    add_attempt(registration, version, answers, number=number, completion=completion, at=at,
                item=item)
    registration.completion, registration.score = completion, score
    registration.total_seconds, registration.attempt_count = seconds, number
    registration.last_activity_at = at or utcnow()
    registration.completed_at = (at or utcnow()) if completion == "completed" else None
    db.session.flush()
    return registration


def add_attempt(registration, version, answers=(), *, number, completion="incomplete", at=None,
                item="lesson"):
    attempt = Attempt(registration_id=registration.id, number=number, version_id=version.id,
                      token=secrets.token_urlsafe(16), completion=completion,
                      last_activity_at=at or utcnow())
    db.session.add(attempt)
    db.session.flush()
    for index, (question, response, result) in enumerate(answers):
        db.session.add(ScoInteraction(
            attempt_id=attempt.id, item=item, index=index, interaction_id=question,
            type="choice", learner_response=response, result=result, correct_responses=["a"],
            description=f"Question {question}?"))
    db.session.flush()
    return attempt


def by_id(questions):
    return {q.interaction_id: q for q in questions}


# --- the questions report ----------------------------------------------------------------------

def test_rates_and_the_most_common_wrong_answers_are_computed_in_sql(app, make_user, version):
    learner(make_user, version, [("q1", "a", "correct"), ("q2", "b", "incorrect")])
    learner(make_user, version, [("q1", "a", "correct"), ("q2", "b", "incorrect")])
    learner(make_user, version, [("q1", "c", "incorrect"), ("q2", "c", "incorrect")])
    for response in ("b", "c", "e", "d"):
        learner(make_user, version, [("q2", response, "incorrect")])

    found = by_id(reports.interactions(version.course))

    q1, q2 = found["q1"], found["q2"]
    assert (q1.answered, q1.judged, q1.correct) == (3, 3, 2)
    assert round(q1.correct_rate * 100) == 67
    assert q1.wrong_answers == (("c", 1),)
    assert (q1.type, q1.description, q1.lesson) == ("choice", "Question q1?", "Scorecards")
    assert q2.answered == 7 and q2.correct_rate == 0
    # Most first; a tie goes alphabetically; only three.
    assert q2.wrong_answers == (("b", 3), ("c", 2), ("d", 1))


def test_only_the_latest_attempt_and_the_last_answer_in_it_count(app, make_user, version):
    registration = learner(make_user, version, [("q1", "c", "incorrect")])
    # The second attempt: the learner answered q1 twice (journaled), the last time right.
    add_attempt(registration, version, [("q1", "b", "incorrect"), ("q1", "a", "correct")],
                number=2)
    learner(make_user, version, [("q1", "d", "incorrect")])

    q1 = by_id(reports.interactions(version.course))["q1"]

    assert (q1.answered, q1.judged, q1.correct) == (2, 2, 1)
    assert q1.wrong_answers == (("d", 1),)


def test_scorm_12_wrong_counts_as_wrong_and_a_neutral_answer_is_not_judged(app, make_user,
                                                                           tmp_path):
    version12 = imported(tmp_path, MANIFEST_12, "basics")
    learner(make_user, version12, [("q1", "a", "correct")])
    learner(make_user, version12, [("q1", "b", "wrong")])
    learner(make_user, version12, [("q1", "c", "neutral")])
    learner(make_user, version12, [("q1", "d", "0.5")])

    q1 = by_id(reports.interactions(version12.course))["q1"]

    assert (q1.answered, q1.judged, q1.correct, q1.correct_rate) == (4, 2, 1, 0.5)
    assert q1.wrong_answers == (("b", 1),)


def test_the_page_shows_each_question_with_its_rate_and_wrong_answers(
        trainer_client, make_user, version):
    for result in ("correct", "correct", "incorrect"):
        learner(make_user, version, [("q1", "a" if result == "correct" else "b", result)])
    db.session.commit()

    answer = trainer_client.get(f"/courses/{version.course_id}/interactions")

    assert answer.status_code == 200
    shown = page_text(answer)
    assert "Question q1? q1 · Scorecards choice 3 67 % 2 of 3 b (1 learner)" in shown
    assert "Each learner's latest attempt counts" in shown
    assert "Questions (CSV)" in shown


def test_a_course_without_answers_says_so(trainer_client, make_user, version):
    learner(make_user, version)  # registered, started, answered nothing
    db.session.commit()

    shown = page_text(trainer_client.get(f"/courses/{version.course_id}/interactions"))

    assert "No answers to show yet" in shown
    assert "Questions (CSV)" not in shown
    assert reports.interactions(version.course) == []


def test_the_course_page_links_its_reports(trainer_client, version):
    db.session.commit()
    page = trainer_client.get(f"/courses/{version.course_id}").get_data(as_text=True)

    assert f'href="/courses/{version.course_id}/interactions"' in page
    assert f'href="/courses/{version.course_id}/learners.csv"' in page


def test_what_a_scorm_12_lesson_sends_reaches_the_report(client, login, make_user, tmp_path):
    version12 = imported(tmp_path, MANIFEST_12, "basics")
    person = make_user(roles=("agent",))
    registration = registrations.register(version12.course, person)
    db.session.commit()
    login(client, person)
    attempt_id = open_attempt(client, registration)
    seq = launch(client, attempt_id)["seq"]
    answer = commit(client, attempt_id, seq + 1, [
        ["cmi.interactions.0.id", "greeting"], ["cmi.interactions.0.type", "choice"],
        ["cmi.interactions.0.student_response", "b"], ["cmi.interactions.0.result", "wrong"],
        ["cmi.core.lesson_status", "completed"]])
    assert answer.status_code == 200, answer.get_data(as_text=True)
    db.session.expire_all()
    course = registration.course

    (question,) = reports.interactions(course)

    assert (question.interaction_id, question.lesson, question.answered, question.judged,
            question.correct, question.wrong_answers) == (
        "greeting", "Greeting a caller", 1, 1, 0, (("b", 1),))
    assert reports.completions_by_week(course)[-1][1] == 1


# --- completions per week ----------------------------------------------------------------------

def test_completions_are_counted_once_per_learner_in_the_week_of_their_first(
        app, make_user, version):
    this_week, three_weeks_ago = NOW - timedelta(days=1), NOW - timedelta(weeks=3)
    learner(make_user, version, completion="completed", at=this_week)
    learner(make_user, version, completion="completed", at=NOW.replace(hour=0))
    learner(make_user, version, completion="incomplete", at=this_week)
    learner(make_user, version, completion="completed", at=NOW - timedelta(weeks=20))
    # Completed three weeks ago, then a second attempt completed this week: counted once.
    twice = learner(make_user, version, completion="completed", at=three_weeks_ago)
    add_attempt(twice, version, number=2, completion="completed", at=this_week)
    twice.last_activity_at = this_week
    db.session.flush()

    weeks = reports.completions_by_week(version.course, now=NOW)

    assert len(weeks) == 12
    assert weeks[-1] == (datetime(2024, 3, 18, tzinfo=UTC), 2)
    assert weeks[-4] == (datetime(2024, 2, 26, tzinfo=UTC), 1)
    assert weeks[0][0] == datetime(2024, 1, 1, tzinfo=UTC)
    assert sum(count for _, count in weeks) == 3


def test_the_chart_is_an_svg_with_the_weeks_counts_in_text(trainer_client, make_user, version):
    for _ in range(2):
        learner(make_user, version, completion="completed", at=utcnow())
    db.session.commit()

    answer = trainer_client.get(f"/courses/{version.course_id}/interactions")

    page = answer.get_data(as_text=True)
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    monday = reports.week_starts(utcnow())[-1]
    label = f"{monday:%b} {monday.day}"
    assert 'role="img"' in svg and 'aria-labelledby="completions-title completions-desc"' in svg
    assert re.search(rf"<desc [^>]*>.*{label}: 2\.</desc>", svg)
    bars = re.findall(r'<text class="chart-value"[^>]*>(\d+)</text>', svg)
    assert bars == ["0"] * 11 + ["2"]  # this week is the last bar
    assert "style=" not in svg and "<script" not in svg
    assert 'href="/courses/static/reports.css"' in page
    assert "2 completions in 12 weeks" in page_text(answer)


def test_a_bar_chart_escapes_its_labels_and_draws_zero_without_dividing_by_it():
    svg = str(charts.bar_chart([("<b>", 0), ("Week 2", 0)], chart_id="x y", title="A & B"))

    assert "&lt;b&gt;: 0" in svg and "<b>" not in svg
    assert "<title id=\"x-y-title\">A &amp; B</title>" in svg
    assert svg.count('height="0.0"') == 2


# --- CSV downloads -----------------------------------------------------------------------------

def rows_of(answer) -> list[list[str]]:
    return list(csv.reader(io.StringIO(answer.get_data().decode("utf-8-sig"))))


def test_the_learners_table_downloads_as_csv_with_formulas_neutralised(
        trainer_client, make_user, version):
    learner(make_user, version, completion="completed", name="Avery Lin", score=0.855,
            seconds=725, at=datetime(2024, 3, 4, 9, 30, tzinfo=UTC))
    learner(make_user, version, name="=HYPERLINK(\"http://evil\")")
    db.session.commit()

    answer = trainer_client.get(f"/courses/{version.course_id}/learners.csv")

    assert answer.status_code == 200
    assert answer.mimetype == "text/csv" and answer.mimetype_params["charset"] == "utf-8"
    assert "Content-Length" not in answer.headers  # streamed, not built whole
    assert answer.get_data().startswith(b"\xef\xbb\xbf")
    today = datetime.now(UTC).date().isoformat()
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="{version.course.key}-learners-{today}.csv"')
    assert "no-store" in answer.headers["Cache-Control"]
    rows = rows_of(answer)
    assert rows[0] == ["Learner", "Email", "On version", "Status", "Success", "Score (%)",
                       "Time (minutes)", "Attempts", "Last activity (UTC)"]
    avery = rows[1]
    assert avery[0] == "Avery Lin" and avery[2:] == ["1", "Completed", "", "85.5", "12", "1",
                                                     "2024-03-04 09:30"]
    assert rows[2][0] == "'=HYPERLINK(\"http://evil\")"
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "course.learners_exported"))
    assert (event.target_type, event.target_id, event.detail) == (
        "courses", version.course_id, {"rows": 2})


def test_the_questions_report_downloads_as_csv(trainer_client, make_user, version):
    learner(make_user, version, [("q1", "a", "correct")])
    learner(make_user, version, [("q1", "@SUM(A1)", "incorrect")])
    learner(make_user, version, [("q1", "-1+2", "incorrect")])
    db.session.commit()

    answer = trainer_client.get(f"/courses/{version.course_id}/interactions.csv")

    assert answer.status_code == 200
    assert answer.get_data().startswith(b"\xef\xbb\xbf")
    assert f"{version.course.key}-questions-" in answer.headers["Content-Disposition"]
    header, row = rows_of(answer)
    assert header[:8] == ["Lesson", "Question", "Type", "Description", "Answered", "Judged",
                          "Correct", "Correct (%)"]
    assert header[8:] == ["Wrong answer 1", "Times 1", "Wrong answer 2", "Times 2",
                          "Wrong answer 3", "Times 3"]
    assert row == ["Scorecards", "q1", "choice", "Question q1?", "3", "3", "1", "33.3",
                   "'-1+2", "1", "'@SUM(A1)", "1", "", ""]
    assert db.session.scalar(select(AuditEvent.detail).where(
        AuditEvent.action == "course.questions_exported")) == {"rows": 1}


@pytest.mark.parametrize(("value", "written"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("plain", "plain"), ("a=b", "a=b"), (None, ""), (-3, -3), (2.5, 2.5)])
def test_a_cell_that_could_run_as_a_formula_is_quoted(value, written):
    assert csv_export.safe_cell(value) == written


def test_a_file_name_keeps_only_safe_characters():
    assert csv_export.filename('a"b/..\\c', "learners", day=date(2024, 3, 4)) == (
        "a-b-c-learners-2024-03-04.csv")


def test_a_long_csv_streams_in_chunks():
    chunks = list(csv_export.lines(["n"], ([n] for n in range(1200))))

    assert len(chunks) == 3 and chunks[0].startswith("\ufeffn\r\n0\r\n")


# --- access and cost ---------------------------------------------------------------------------

URLS = ("/courses/{}/interactions", "/courses/{}/interactions.csv", "/courses/{}/learners.csv")


@pytest.mark.parametrize("role", ["agent", "candidate", "qa"])
def test_learners_and_other_staff_are_refused(client, login, make_user, version, role):
    db.session.commit()
    login(client, make_user(roles=(role,)))

    for url in URLS:
        assert client.get(url.format(version.course_id)).status_code == 403


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_see_the_reports(client, login, make_user, version, role):
    db.session.commit()
    login(client, make_user(roles=(role,)))

    for url in URLS:
        assert client.get(url.format(version.course_id)).status_code == 200


def test_an_unknown_or_archived_course_is_not_found(trainer_client, version):
    version.course.archived_at = utcnow()
    db.session.commit()

    for url in URLS:
        assert trainer_client.get(url.format(version.course_id)).status_code == 404
        assert trainer_client.get(url.format(version.course_id + 1000)).status_code == 404


def statements(client, count_queries, url: str) -> int:
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_the_reports_cost_the_same_with_3_and_30_learners(trainer_client, make_user, version,
                                                          count_queries, tmp_path):
    other = imported(tmp_path, MANIFEST_2004, "other")
    for course_version, size in ((version, 3), (other, 30)):
        for n in range(size):
            learner(make_user, course_version, [("q1", "a", "correct"),
                                                (f"q{n % 5 + 2}", str(n % 4), "incorrect")],
                    completion="completed" if n % 2 else "incomplete")
    db.session.commit()

    for url in URLS:
        small = statements(trainer_client, count_queries, url.format(version.course_id))
        large = statements(trainer_client, count_queries, url.format(other.course_id))
        assert small == large, url
        assert small <= 12, url  # the session, the course, the report's own few
