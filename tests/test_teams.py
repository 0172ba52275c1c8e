"""Teams: managers and admins create and rename them, set the supervisor, and add agents (picked
from those without a team, or pasted addresses with who was skipped and why); an agent is in
one team at most; every change is in the audit log; nobody else reaches the pages."""

import pytest
from sqlalchemy import select

from portal.audit import AuditEvent
from portal.extensions import db
from portal.teams import services
from portal.teams.models import Team, TeamMember
from tests.helpers import page_text


@pytest.fixture
def manager(make_user):
    return make_user(roles=("manager",), full_name="Morgan Rivera")


@pytest.fixture
def signed_in_manager(client, login, manager):
    login(client, manager)
    return client


def make_team(name: str, supervisor, *agents) -> Team:
    team = services.create(name, supervisor.id, supervisor)
    db.session.flush()
    services.add_agents(team, [agent.id for agent in agents], supervisor)
    return team


def actions(team: Team) -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_type == "teams", AuditEvent.target_id == team.id)
        .order_by(AuditEvent.id)))


def test_a_manager_creates_a_team_with_a_supervisor(signed_in_manager, make_user):
    trainer = make_user(roles=("trainer",), full_name="Taylor Brooks")
    db.session.commit()

    answer = signed_in_manager.post("/teams/", data={"name": "  Aurora ",
                                                     "supervisor": str(trainer.id)})

    team = db.session.scalar(select(Team))
    assert answer.status_code == 303 and answer.headers["Location"] == f"/teams/{team.id}"
    assert (team.name, team.supervisor_id) == ("Aurora", trainer.id)
    assert "Supervised by Taylor Brooks" in page_text(signed_in_manager.get(f"/teams/{team.id}"))
    listed = page_text(signed_in_manager.get("/teams/"))
    assert "Aurora Taylor Brooks 0" in listed
    assert actions(team) == ["team.created"]


def test_names_are_unique_ignoring_case_and_supervisors_are_staff(signed_in_manager, manager,
                                                                  make_user):
    make_team("Aurora", manager)
    agent = make_user(roles=("agent",))
    db.session.commit()

    clash = signed_in_manager.post("/teams/", data={"name": "aurora", "supervisor": ""})
    assert clash.status_code == 422
    assert "There is already a team called Aurora." in page_text(clash)
    not_staff = signed_in_manager.post("/teams/", data={"name": "Borealis",
                                                        "supervisor": str(agent.id)})
    assert not_staff.status_code == 422
    assert db.session.scalar(select(Team).where(Team.name == "Borealis")) is None


def test_rename_and_new_supervisor_are_audited(signed_in_manager, manager, make_user):
    team = make_team("Aurora", manager)
    qa = make_user(roles=("qa",))
    db.session.commit()

    answer = signed_in_manager.post(f"/teams/{team.id}/settings",
                                    data={"name": "Aurora North", "supervisor": str(qa.id)})

    assert answer.status_code == 303
    db.session.refresh(team)
    assert (team.name, team.supervisor_id) == ("Aurora North", qa.id)
    assert actions(team) == ["team.created", "team.renamed", "team.supervisor_changed"]


def test_agents_are_added_by_picking_and_by_pasted_addresses_with_a_report(
        signed_in_manager, manager, make_user):
    picked, pasted, busy = (make_user(roles=("agent",), full_name=name)
                            for name in ("Pat Picked", "Paz Pasted", "Bea Busy"))
    candidate = make_user(roles=("candidate",))
    aurora = make_team("Aurora", manager)
    make_team("Borealis", manager, busy)
    db.session.commit()
    page = page_text(signed_in_manager.get(f"/teams/{aurora.id}"))
    assert "Pat Picked" in page and "Bea Busy" not in page  # only agents without a team

    answer = signed_in_manager.post(f"/teams/{aurora.id}/members", data={
        "agents": [str(picked.id)],
        "emails": f"{pasted.email.upper()}, nobody@example.com\n{candidate.email} {busy.email}"
                  f"; {picked.email}"})

    shown = page_text(answer)
    assert "2 agents added to Aurora." in shown
    assert "4 addresses skipped" in shown
    assert "nobody@example.com: no active account has this address" in shown
    assert f"{candidate.email}: not an agent" in shown
    assert f"{busy.email}: already in the team Borealis: remove them there first" in shown
    assert f"{picked.email}: already in this team" in shown
    assert set(db.session.scalars(select(TeamMember.user_id).where(
        TeamMember.team_id == aurora.id))) == {picked.id, pasted.id}
    assert actions(aurora)[-1] == "team.members_added"


def test_an_agent_is_in_one_team_at_most(manager, make_user):
    agent = make_user(roles=("agent",))
    aurora = make_team("Aurora", manager, agent)
    borealis = make_team("Borealis", manager)

    assert services.add_agents(borealis, [agent.id], manager) == []  # a stale pick
    assert db.session.get(TeamMember, agent.id).team_id == aurora.id


def test_removing_an_agent_frees_them_for_another_team(signed_in_manager, manager, make_user):
    agent = make_user(roles=("agent",), full_name="Robin Moved")
    aurora = make_team("Aurora", manager, agent)
    borealis = make_team("Borealis", manager)
    db.session.commit()

    # Through the wrong team's page nothing happens.
    assert signed_in_manager.post(f"/teams/{borealis.id}/members/{agent.id}/remove"
                                  ).status_code == 404
    answer = signed_in_manager.post(f"/teams/{aurora.id}/members/{agent.id}/remove")

    assert answer.status_code == 303
    assert db.session.get(TeamMember, agent.id) is None
    assert "Robin Moved" in page_text(signed_in_manager.get(f"/teams/{borealis.id}"))
    assert actions(aurora)[-1] == "team.member_removed"


@pytest.mark.parametrize("role", ["agent", "trainer", "qa", "candidate"])
def test_only_managers_and_admins_reach_the_team_pages(client, login, make_user, manager, role):
    team = make_team("Aurora", manager)
    db.session.commit()
    login(client, make_user(roles=(role,)))

    assert client.get("/teams/").status_code == 403
    assert client.get(f"/teams/{team.id}").status_code == 403
    assert client.post("/teams/", data={"name": "Mine"}).status_code == 403
    assert client.post(f"/teams/{team.id}/settings", data={"name": "X"}).status_code == 403
    assert db.session.scalar(select(Team.name).where(Team.id == team.id)) == "Aurora"


def test_an_admin_manages_teams_too(client, login, make_user):
    login(client, make_user(roles=("admin",)))
    assert client.post("/teams/", data={"name": "Cascade", "supervisor": ""}).status_code == 303
    assert "Teams" in page_text(client.get("/teams/"))
