"""The agent's landing page (/me/home), their home after signing in: today's assignments with
Start/Resume into the player, completed courses, announcements (pinned first, unread marked),
tool links; only their own; the same number of SQL statements for 1 and for 30 of each."""

import re
from datetime import timedelta

import pytest

from courses import registrations
from courses.landing_models import ToolLink
from courses.models import Course
from courses.tracking_models import Registration
from portal.extensions import db, utcnow
from tests.helpers import page_text
from tests.test_announcements import TODAY, announce
from tests.test_course_tracking import MANIFEST_12, imported
from tests.test_teams import make_team


@pytest.fixture
def agent(make_user):
    return make_user(roles=("agent",), full_name="Grace Torres")


@pytest.fixture
def trainer(make_user):
    return make_user(roles=("trainer",))


def course(title: str) -> Course:
    row = Course(key=title.lower().replace(" ", "-"), title=title)
    db.session.add(row)
    db.session.flush()
    return row


def registered(learner, title: str, **progress) -> Registration:
    row = Registration(course_id=course(title).id, learner_id=learner.id, **progress)
    db.session.add(row)
    db.session.flush()
    return row


def test_an_agent_lands_on_home_after_signing_in(client, login, agent, make_user):
    assert login(client, agent).headers["Location"] == "/me/home"
    client.post("/logout")
    candidate = make_user(roles=("candidate",))
    assert login(client, candidate).headers["Location"] == "/me"
    client.post("/logout")
    agent_and_manager = make_user(roles=("agent", "manager"))
    assert login(client, agent_and_manager).headers["Location"] == "/pipeline/"


def test_the_page_shows_assignments_then_completed_then_announcements_then_tools(
        client, login, agent, trainer, make_user):
    now = utcnow()
    fresh = registered(agent, "Call basics")
    begun = registered(agent, "Returns policy", completion="incomplete", attempt_count=1,
                       score=0.4, total_seconds=600, last_activity_at=now - timedelta(hours=2))
    registered(agent, "Welcome aboard", completion="completed", success="passed", score=0.9,
               attempt_count=1, last_activity_at=now - timedelta(days=3))
    registered(make_user(roles=("agent",)), "Someone else's course")
    announce(trainer, "Team lunch on Friday", starts_on=TODAY)
    announce(trainer, "Welcome to the team", starts_on=TODAY - timedelta(days=9), pinned=True)
    db.session.add(ToolLink(title="CRM", url="https://crm.example.com", position=1))
    db.session.commit()
    login(client, agent)

    answer = client.get("/me/home")

    assert answer.status_code == 200
    shown = page_text(answer)
    order = ["Hello, Grace", "Today's assignments", "Returns policy", "In progress · score 40 %",
             "Resume", "Call basics", "Not started", "Start", "Completed", "Welcome aboard",
             "Completed · Passed · score 90 %", "Announcements 2 new", "Pinned New",
             "Welcome to the team", "New", "Team lunch on Friday", "Your tools", "CRM"]
    positions = [shown.index(text, shown.index(order[n - 1]) if n else 0)
                 for n, text in enumerate(order)]
    assert positions == sorted(positions), shown
    assert "Someone else's course" not in shown
    html = answer.get_data(as_text=True)
    for row in (fresh, begun):
        assert f'action="/me/courses/{row.id}/launch"' in html
    assert re.search(r'class="nav-link active"\s+aria-current="page"\s+href="/me/home">Home<', html)


def test_start_goes_straight_into_the_player(client, login, agent, tmp_path):
    version = imported(tmp_path, MANIFEST_12, "tiny12")
    registration = registrations.register(version.course, agent)
    db.session.commit()
    login(client, agent)
    assert f'action="/me/courses/{registration.id}/launch"' in client.get("/me/home").get_data(
        as_text=True)

    answer = client.post(f"/me/courses/{registration.id}/launch")

    assert answer.status_code == 302 and "/me/courses/attempts/" in answer.headers["Location"]
    assert "Resume" in page_text(client.get("/me/home"))


def test_tool_links_for_another_team_are_not_shown(client, login, agent, make_user):
    manager = make_user(roles=("manager",))
    make_team("Aurora", manager, agent)
    borealis = make_team("Borealis", manager)
    db.session.add_all([ToolLink(title="Knowledge base", url="https://kb.example.com"),
                        ToolLink(title="Borealis board", url="https://b.example.com",
                                 team_id=borealis.id)])
    db.session.commit()
    login(client, agent)

    shown = page_text(client.get("/me/home"))
    assert "Knowledge base" in shown and "Borealis board" not in shown


def test_an_empty_page_says_so(client, login, agent):
    login(client, agent)
    shown = page_text(client.get("/me/home"))
    for text in ("Nothing left to do today", "No course completed yet",
                 "No announcements right now", "No tools listed yet"):
        assert text in shown


@pytest.mark.parametrize("role", ["candidate", "trainer", "manager"])
def test_the_landing_page_is_the_agents(client, login, make_user, role):
    login(client, make_user(roles=(role,)))
    assert client.get("/me/home").status_code == 403


def test_the_page_costs_the_same_queries_with_1_and_with_30_courses_and_announcements(
        client, login, agent, trainer, make_user, count_queries):
    manager = make_user(roles=("manager",))
    team = make_team("Aurora", manager, agent)
    login(client, agent)

    def add(first: int, last: int) -> int:
        for n in range(first, last):
            registered(agent, f"Course {n}", completion=("completed" if n % 3 else "incomplete"),
                       attempt_count=1, last_activity_at=utcnow())
            announce(trainer, f"News {n}", pinned=n % 5 == 0,
                     audience="team" if n % 2 else "everyone",
                     team_id=team.id if n % 2 else None)
            db.session.add(ToolLink(title=f"Tool {n}", url=f"https://t{n}.example.com",
                                    team_id=team.id if n % 2 else None, position=n))
        db.session.commit()
        client.get("/me/home")  # the session's own bookkeeping, once
        with count_queries() as counter:
            page = client.get("/me/home")
        assert page.status_code == 200 and f"Course {last - 1}" in page_text(page)
        return counter.count

    small, large = add(0, 1), add(1, 30)
    assert small == large, f"{small} statements with 1 of each, {large} with 30"


def test_assignments_come_by_due_date_overdue_in_red_and_certificates_are_listed(
        client, login, agent):
    now = utcnow()
    registered(agent, "No due date", completion="incomplete", attempt_count=1,
               last_activity_at=now)
    registered(agent, "Due next week", due_at=now + timedelta(days=7))
    registered(agent, "Overdue course", due_at=now - timedelta(days=2))
    done = registered(agent, "Finished course", completion="completed", success="passed",
                      due_at=now - timedelta(days=5), completed_at=now)
    from courses.certificate_models import Certificate
    db.session.add(Certificate(code="ABCD-EFGH-JKMN", learner_id=agent.id,
                               course_id=done.course_id, name=agent.full_name,
                               title="Finished course", achievement="passed", achieved_at=now))
    db.session.commit()
    login(client, agent)

    answer = client.get("/me/home")

    shown = page_text(answer)
    order = ["Overdue course", "Overdue: was due", "Due next week", "No due date",
             "Certificates", "Finished course", "Passed", "ABCD-EFGH-JKMN", "Download PDF"]
    positions = [shown.index(text, shown.index(order[n - 1]) if n else 0)
                 for n, text in enumerate(order)]
    assert positions == sorted(positions), shown
    assert 'class="small text-danger fw-semibold">Overdue' in answer.get_data(as_text=True)
    assert shown.count("Overdue: was due") == 1  # the finished course is not overdue
