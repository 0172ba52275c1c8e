"""Announcements: the safe formatter, who sees which (audience, dates, archive), read marks, the
authors' pages with their preview, tool links (http(s) only, by team), and who may do what."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from courses import announcements, tool_links
from courses.formatting import to_html
from courses.landing_models import Announcement, AnnouncementRead, ToolLink
from portal.audit import AuditEvent
from portal.extensions import db
from tests.helpers import apply, open_opening, page_text
from tests.test_teams import make_team

TODAY = announcements.today()


def announce(author, title="Welcome", **overrides) -> Announcement:
    fields = dict(kind="news", title=title, body="Hello **team**.", audience="everyone",
                  team_id=None, opening_id=None, pinned=False, starts_on=TODAY, ends_on=None)
    fields.update(overrides)
    announcement = announcements.create(announcements.Fields(**fields), author)
    db.session.flush()
    return announcement


def seen_by(user) -> list[str]:
    db.session.flush()
    db.session.expire_all()  # a request may have changed them meanwhile
    shown, _ = announcements.for_agent(user.id)
    return [item.announcement.title for item in shown]


@pytest.fixture
def trainer(make_user):
    return make_user(roles=("trainer",), full_name="Taylor Brooks")


# --- the formatter ----------------------------------------------------------------------------

def test_the_formatter_makes_paragraphs_breaks_emphasis_lists_and_links():
    html = str(to_html("Hello **all** and *you*\nsecond line\n\n- one\n- two: "
                       "https://kb.example.com/a?b=1&c=2."))
    assert html == (
        "<p>Hello <strong>all</strong> and <em>you</em><br>second line</p>\n"
        '<ul><li>one</li><li>two: <a href="https://kb.example.com/a?b=1&amp;c=2" '
        'rel="noopener noreferrer">https://kb.example.com/a?b=1&amp;c=2</a>.</li></ul>')


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>",
    '<a href="https://example.com" onclick="steal()">x</a>',
    "<img src=x onerror=alert(1)>",
    "**<b>bold</b>**",
])
def test_the_formatter_escapes_every_tag_the_author_typed(text):
    html = str(to_html(text))
    ours = re.sub(r'</?(p|br|ul|li|strong|em)>|<a href="[^"<>]*" rel="noopener noreferrer">|</a>',
                  "", html)
    assert "<" not in ours and ">" not in ours, html
    assert "&lt;" in html


@pytest.mark.parametrize("text", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>x</script>",
    "[click](javascript:alert(1))", "ftp://files.example.com", "https://", "//evil.example.com",
    'http://"onmouseover=alert(1)',
])
def test_only_http_and_https_addresses_become_links(text):
    assert "<a " not in str(to_html(text))


def test_a_link_cannot_break_out_of_its_attribute():
    html = str(to_html("https://example.com/'\"><script>"))
    assert html.startswith('<p><a href="https://example.com/" rel="noopener noreferrer">')
    assert "<script>" not in html


# --- who sees what -----------------------------------------------------------------------------

def test_audiences_everyone_a_team_and_an_openings_hires(trainer, make_user):
    manager = make_user(roles=("manager",))
    in_aurora, in_borealis, hire = (make_user(roles=("agent",)) for _ in range(3))
    aurora = make_team("Aurora", manager, in_aurora)
    make_team("Borealis", manager, in_borealis)
    opening, other_opening = open_opening(manager), open_opening(manager, title="Billing")
    from portal.recruiting import services
    services.move(apply(opening, hire), "hired", manager)
    apply(opening, in_borealis)  # applied, never hired: not one of its hires
    services.move(apply(other_opening, in_aurora), "hired", manager)
    announce(trainer, "For all")
    announce(trainer, "For Aurora", audience="team", team_id=aurora.id)
    announce(trainer, "For the opening's hires", audience="opening", opening_id=opening.id)

    assert seen_by(in_aurora) == ["For Aurora", "For all"]
    assert seen_by(in_borealis) == ["For all"]
    assert seen_by(hire) == ["For the opening's hires", "For all"]


def test_shown_from_the_first_to_the_last_day_and_not_once_archived(trainer, make_user):
    agent = make_user(roles=("agent",))
    day = timedelta(days=1)
    announce(trainer, "Tomorrow", starts_on=TODAY + day)
    announce(trainer, "Ended yesterday", starts_on=TODAY - 5 * day, ends_on=TODAY - day)
    announce(trainer, "Last day today", starts_on=TODAY - day, ends_on=TODAY)
    archived = announce(trainer, "Archived")
    announcements.set_archived(archived, True, trainer)

    assert seen_by(agent) == ["Last day today"]


def test_pinned_first_then_newest_first_and_capped(trainer, make_user):
    agent = make_user(roles=("agent",))
    for n in range(announcements.LANDING_LIMIT + 1):
        announce(trainer, f"News {n}", starts_on=TODAY - timedelta(days=n))
    announce(trainer, "Old but pinned", starts_on=TODAY - timedelta(days=60), pinned=True)

    shown, more = announcements.for_agent(agent.id)
    titles = [item.announcement.title for item in shown]
    assert titles[:3] == ["Old but pinned", "News 0", "News 1"]
    assert len(titles) == announcements.LANDING_LIMIT and more


# --- read marks --------------------------------------------------------------------------------

def test_the_landing_page_marks_nothing_read_the_button_and_the_own_page_do(
        client, login, trainer, make_user):
    agent = make_user(roles=("agent",))
    first, second = announce(trainer, "First news"), announce(trainer, "Second news")
    db.session.commit()
    login(client, agent)

    def unread_marks():
        return client.get("/me/home").get_data(as_text=True).count(">New</span>")

    assert [unread_marks(), unread_marks()] == [2, 2]
    answer = client.post(f"/me/announcements/{first.id}/read")
    assert answer.status_code == 303 and answer.headers["Location"] == "/me/home#announcements"
    assert unread_marks() == 1
    opened = client.get(f"/me/announcements/{second.id}")
    assert opened.status_code == 200 and "Second news" in page_text(opened)
    assert unread_marks() == 0
    assert client.post(f"/me/announcements/{first.id}/read").status_code == 303  # again: fine
    assert db.session.scalars(select(AnnouncementRead.announcement_id).where(
        AnnouncementRead.user_id == agent.id)).all() == [first.id, second.id]


def test_an_announcement_not_meant_for_the_agent_is_not_found(client, login, trainer,
                                                             make_user):
    manager = make_user(roles=("manager",))
    agent, other = make_user(roles=("agent",)), make_user(roles=("agent",))
    theirs = make_team("Borealis", manager, other)
    hidden = announce(trainer, "Borealis only", audience="team", team_id=theirs.id)
    later = announce(trainer, "Next week", starts_on=TODAY + timedelta(days=7))
    db.session.commit()
    login(client, agent)

    for announcement_id in (hidden.id, later.id, later.id + 1000):
        assert client.get(f"/me/announcements/{announcement_id}").status_code == 404
        assert client.post(f"/me/announcements/{announcement_id}/read").status_code == 404
    assert db.session.scalar(select(AnnouncementRead)) is None


# --- authors -----------------------------------------------------------------------------------

def form(**overrides) -> dict:
    data = {"kind": "success", "title": "Grace saved the day", "audience": "everyone",
            "body": "She **listened**. <script>alert(1)</script>", "team_id": "", "opening_id": "",
            "starts_on": TODAY.isoformat(), "ends_on": "", "save": "Save"}
    data.update(overrides)
    return data


def test_a_trainer_previews_then_saves_edits_and_archives(client, login, trainer, make_user):
    agent = make_user(roles=("agent",))
    db.session.commit()
    login(client, trainer)

    preview = client.post("/learning/announcements/new", data=form(save=None, preview="Preview"))
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "She <strong>listened</strong>. &lt;script&gt;" in html and "<script>alert" not in html
    assert db.session.scalar(select(Announcement)) is None  # a preview saves nothing

    saved = client.post("/learning/announcements/new", data=form(pinned="y"))
    assert saved.status_code == 303
    announcement = db.session.scalar(select(Announcement))
    assert (announcement.kind, announcement.pinned, announcement.author_id) == (
        "success", True, trainer.id)
    listed = page_text(client.get("/learning/announcements/"))
    assert "Grace saved the day Success story · pinned · Taylor Brooks Everyone" in listed
    edited = client.post(f"/learning/announcements/{announcement.id}",
                         data=form(title="Grace saved the week"))
    assert edited.status_code == 303
    assert seen_by(agent) == ["Grace saved the week"]

    archived = client.post(f"/learning/announcements/{announcement.id}/archive",
                           data={"archive": "1"})
    assert archived.status_code == 303
    assert seen_by(agent) == []
    assert "Archived" in page_text(client.get("/learning/announcements/"))
    assert list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_type == "announcements").order_by(AuditEvent.id))) == [
        "announcement.created", "announcement.updated", "announcement.archived"]


def test_the_edit_pages_show_what_was_saved(client, login, trainer, make_user):
    team = make_team("Aurora", make_user(roles=("manager",)))
    announcement = announce(trainer, "For Aurora", audience="team", team_id=team.id)
    link = tool_links.save(None, "Board", "https://b.example.com", "", team.id, trainer)
    db.session.commit()
    login(client, trainer)

    for url in (f"/learning/announcements/{announcement.id}", f"/learning/tools/{link.id}"):
        html = client.get(url).get_data(as_text=True)
        assert re.search(rf'<option selected value="{team.id}">Aurora</option>', html), url


def test_the_form_says_what_is_missing(client, login, trainer):
    login(client, trainer)
    answer = client.post("/learning/announcements/new", data=form(
        title="", audience="team", ends_on=(TODAY - timedelta(days=1)).isoformat()))

    assert answer.status_code == 422
    shown = page_text(answer)
    for problem in ("Give the announcement a title.", "Choose the team the announcement is for.",
                    "The last day cannot come before the first."):
        assert problem in shown
    assert db.session.scalar(select(Announcement)) is None


# --- tool links --------------------------------------------------------------------------------

def test_tool_links_are_http_only_ordered_and_by_team(client, login, trainer, make_user):
    manager = make_user(roles=("manager",))
    agent, other = make_user(roles=("agent",)), make_user(roles=("agent",))
    aurora = make_team("Aurora", manager, agent)
    db.session.commit()
    login(client, trainer)

    for url in ("javascript:alert(1)", "ftp://files.example.com", "crm.example.com"):
        refused = client.post("/learning/tools/", data={"title": "CRM", "url": url,
                                                        "team_id": ""})
        assert refused.status_code == 422
        assert "must start with http:// or https://" in page_text(refused)
    for title, team in (("CRM", ""), ("Phone", ""), ("Aurora board", str(aurora.id))):
        assert client.post("/learning/tools/", data={
            "title": title, "url": f"https://{title.split()[0].lower()}.example.com",
            "team_id": team}).status_code == 303
    phone = db.session.scalar(select(ToolLink).where(ToolLink.title == "Phone"))
    assert client.post(f"/learning/tools/{phone.id}/move",
                       data={"direction": "up"}).status_code == 303

    for_agent = tool_links.for_agent
    assert [link.title for link in for_agent(agent.id)] == ["Phone", "CRM", "Aurora board"]
    assert [link.title for link in for_agent(other.id)] == ["Phone", "CRM"]
    assert client.post(f"/learning/tools/{phone.id}/delete").status_code == 303
    assert [link.title for link in for_agent(other.id)] == ["CRM"]


# --- access ------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["agent", "candidate", "qa"])
def test_agents_and_others_cannot_reach_the_authors_pages(client, login, trainer, make_user,
                                                          role):
    announcement = announce(trainer)
    db.session.commit()
    login(client, make_user(roles=(role,)))

    for url in ("/learning/announcements/", "/learning/announcements/new",
                f"/learning/announcements/{announcement.id}", "/learning/tools/"):
        assert client.get(url).status_code == 403, url
    assert client.post("/learning/announcements/new", data=form()).status_code == 403
    assert client.post(f"/learning/announcements/{announcement.id}/archive",
                       data={"archive": "1"}).status_code == 403
    assert db.session.scalar(select(Announcement.archived_at)) is None


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_write_announcements_too(client, login, make_user, role):
    login(client, make_user(roles=(role,)))
    assert client.post("/learning/announcements/new", data=form()).status_code == 303
