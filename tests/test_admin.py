"""Administration: users and roles, staff accounts, the audit log and `flask create-admin`."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.admin import services
from portal.audit import AuditEvent
from portal.auth.models import User
from portal.extensions import db, utcnow
from portal.mail import OutboxEmail
from tests.helpers import page_text

PASSWORD = "Correct-Horse-Battery-9"
NEW_PASSWORD = "Sturdy-Lantern-42"


def event_ids(response) -> list[int]:
    return [int(i) for i in re.findall(r'id="event-(\d+)"', response.get_data(as_text=True))]


def link(response, label: str) -> str | None:
    found = re.search(r'href="([^"]+)"[^>]*>\s*' + re.escape(label),
                      response.get_data(as_text=True))
    return html.unescape(found.group(1)) if found else None


def add_event(action, actor=None, *, target_type="users", target_id=1, when=None, **detail):
    event = AuditEvent(action=action, actor_id=actor.id if actor else None,
                       target_type=target_type, target_id=target_id, detail=detail,
                       created_at=when or utcnow())
    db.session.add(event)
    db.session.flush()
    return event


def fresh(user: User) -> User:
    """The user as the database has it now (requests run in their own sessions)."""
    db.session.expire_all()
    return db.session.get(User, user.id)


@pytest.fixture
def admin(make_user):
    return make_user(roles=("admin",), full_name="Ada Admin")


@pytest.fixture
def admin_client(client, admin, login):
    login(client, admin)
    return client


# --- access ------------------------------------------------------------------------------------

def admin_requests(user_id: int):
    return [("get", "/admin/users"), ("get", f"/admin/users/{user_id}"),
            ("get", "/admin/users/new"), ("get", "/admin/audit"),
            ("post", f"/admin/users/{user_id}/roles"), ("post", f"/admin/users/{user_id}/active"),
            ("post", f"/admin/users/{user_id}/reset"), ("post", "/admin/users/new")]


@pytest.mark.parametrize("role", ["manager", "candidate", "trainer", "qa", "agent"])
def test_non_admins_are_refused_every_admin_page(client, make_user, login, role):
    user = make_user(roles=(role,))
    victim = make_user()
    login(client, user)
    for method, url in admin_requests(victim.id):
        response = getattr(client, method)(url, data={"roles": ["admin"], "active": "0"})
        assert response.status_code == 403, (method, url)
    assert not fresh(user).has_role("admin")
    assert fresh(victim).is_active


def test_anonymous_visitors_are_sent_to_login(client, make_user):
    for method, url in admin_requests(make_user().id):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response.location, (method, url)


# --- users list --------------------------------------------------------------------------------

def test_admin_sees_users_and_can_search_and_filter(admin_client, make_user):
    make_user(full_name="Zelda Quinn", email="zelda@example.com")
    make_user(full_name="Omar Field", email="omar@calls.example.com", roles=("manager",))
    make_user(full_name="Percy 100% Sure", email="percy@example.com", roles=("trainer",))

    response = admin_client.get("/admin/users")
    text = page_text(response)
    assert response.status_code == 200
    for email in ("zelda@example.com", "omar@calls.example.com", "percy@example.com"):
        assert email in text
    assert "Hiring manager" in text and "Trainer" in text

    text = page_text(admin_client.get("/admin/users?q=ZELDA"))
    assert "zelda@example.com" in text and "omar@calls.example.com" not in text

    text = page_text(admin_client.get("/admin/users?q=calls.example"))
    assert "omar@calls.example.com" in text and "zelda@example.com" not in text

    # LIKE wildcards are searched for literally.
    text = page_text(admin_client.get("/admin/users?q=%25"))
    assert "percy@example.com" in text and "zelda@example.com" not in text
    text = page_text(admin_client.get("/admin/users?q=_"))
    assert "No users found" in text

    text = page_text(admin_client.get("/admin/users?role=manager"))
    assert "omar@calls.example.com" in text and "zelda@example.com" not in text


def test_users_list_paginates(app, admin_client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "ADMIN_USERS_PAGE_SIZE", 3)
    for number in range(7):
        make_user(full_name=f"Paged Person {number}", email=f"paged{number}@example.com")
    seen = []
    for page in (1, 2, 3):
        text = page_text(admin_client.get(f"/admin/users?q=paged&page={page}"))
        seen += re.findall(r"paged\d@example\.com", text)
    assert sorted(seen) == [f"paged{n}@example.com" for n in range(7)]


def test_users_list_does_a_bounded_number_of_queries(admin_client, make_user, count_queries):
    def queries() -> int:
        with count_queries() as counter:
            assert admin_client.get("/admin/users").status_code == 200
        return counter.count

    for _ in range(2):
        make_user(roles=("candidate", "agent"))
    few = queries()
    for _ in range(30):
        make_user(roles=("manager", "qa"))
    assert queries() == few <= 6


# --- one user: roles, activation, reset link ---------------------------------------------------

def test_granting_and_revoking_roles_is_audited(admin_client, admin, make_user):
    user = make_user(roles=("candidate",))
    response = admin_client.post(f"/admin/users/{user.id}/roles",
                                 data={"roles": ["candidate", "trainer", "qa"]},
                                 follow_redirects=True)
    assert "added Trainer, QA evaluator." in page_text(response)
    assert fresh(user).roles == {"candidate", "trainer", "qa"}

    admin_client.post(f"/admin/users/{user.id}/roles", data={"roles": ["qa"]})
    assert fresh(user).roles == {"qa"}

    events = list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "user.roles_changed", AuditEvent.target_id == user.id)
        .order_by(AuditEvent.id)))
    assert [(e.detail["added"], e.detail["removed"]) for e in events] == [
        (["qa", "trainer"], []), ([], ["candidate", "trainer"])]
    assert {e.actor_id for e in events} == {admin.id}
    assert all(e.target_type == "users" for e in events)

    page = page_text(admin_client.get(f"/admin/users/{user.id}"))
    assert "user.roles_changed" in page and "removed: candidate, trainer" in page


def test_saving_the_same_roles_changes_nothing(admin_client, make_user):
    user = make_user(roles=("agent",))
    response = admin_client.post(f"/admin/users/{user.id}/roles", data={"roles": ["agent"]},
                                 follow_redirects=True)
    assert "No change" in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_a_user_keeps_at_least_one_role_and_only_known_ones(admin_client, make_user):
    user = make_user(roles=("candidate",))
    response = admin_client.post(f"/admin/users/{user.id}/roles", data={},
                                 follow_redirects=True)
    assert "Keep at least one role" in page_text(response)
    response = admin_client.post(f"/admin/users/{user.id}/roles", data={"roles": ["overlord"]},
                                 follow_redirects=True)
    assert "Choose roles from the list" in page_text(response)
    assert fresh(user).roles == {"candidate"}


def test_admin_cannot_demote_or_deactivate_themselves(admin_client, admin, make_user):
    make_user(roles=("admin",))  # not the last admin: the self rule alone applies
    response = admin_client.post(f"/admin/users/{admin.id}/roles",
                                 data={"roles": ["manager"]}, follow_redirects=True)
    assert "You cannot remove your own administrator role" in page_text(response)
    response = admin_client.post(f"/admin/users/{admin.id}/active", data={"active": "0"},
                                 follow_redirects=True)
    assert "You cannot deactivate your own account" in page_text(response)
    me = fresh(admin)
    assert me.roles == {"admin"} and me.is_active
    # Adding a role to oneself is fine.
    admin_client.post(f"/admin/users/{admin.id}/roles", data={"roles": ["admin", "manager"]})
    assert fresh(admin).roles == {"admin", "manager"}


def test_the_last_active_admin_never_loses_admin(app, make_user):
    only = make_user(roles=("admin",))
    with pytest.raises(services.AdminError, match="last active administrator"):
        services.set_roles(only, {"manager"}, actor=None)
    with pytest.raises(services.AdminError, match="last active administrator"):
        services.set_active(only, False, actor=None)

    other = make_user(roles=("admin",))
    services.set_active(other, False, actor=None)  # a deactivated admin does not count
    with pytest.raises(services.AdminError, match="last active administrator"):
        services.set_roles(only, {"manager"}, actor=None)

    services.set_active(other, True, actor=None)
    services.set_roles(only, {"manager"}, actor=None)
    assert only.roles == {"manager"}
    with pytest.raises(services.AdminError, match="last active administrator"):
        services.set_active(other, False, actor=None)


def test_an_admin_can_demote_and_deactivate_another_admin(admin_client, make_user):
    other = make_user(roles=("admin", "manager"))
    admin_client.post(f"/admin/users/{other.id}/roles", data={"roles": ["manager"]})
    assert fresh(other).roles == {"manager"}
    admin_client.post(f"/admin/users/{other.id}/active", data={"active": "0"})
    assert not fresh(other).is_active_account
    actions = set(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_id == other.id)))
    assert actions == {"user.roles_changed", "user.deactivated"}


def test_erased_users_cannot_be_changed(admin_client, make_user):
    user = make_user(roles=("candidate",))
    user.erased_at = utcnow()
    db.session.flush()
    for url, data in ((f"/admin/users/{user.id}/roles", {"roles": ["manager"]}),
                      (f"/admin/users/{user.id}/active", {"active": "0"}),
                      (f"/admin/users/{user.id}/reset", {})):
        response = admin_client.post(url, data=data, follow_redirects=True)
        assert "cannot be changed" in page_text(response)
    user = fresh(user)
    assert user.roles == {"candidate"} and user.is_active_account
    assert "was erased" in page_text(admin_client.get(f"/admin/users/{user.id}"))


def test_a_deactivated_user_can_no_longer_log_in(app, admin_client, make_user, login):
    user = make_user(roles=("candidate",))
    their_client = app.test_client()
    login(their_client, user)
    assert their_client.get("/account").status_code == 200

    response = admin_client.post(f"/admin/users/{user.id}/active", data={"active": "0"},
                                 follow_redirects=True)
    assert "can no longer log in" in page_text(response)
    # Their open session ends, and logging in again is refused.
    assert their_client.get("/account").status_code == 302
    response = their_client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200 and "incorrect" in page_text(response)

    admin_client.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    login(app.test_client(), user)
    actions = list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_id == user.id).order_by(AuditEvent.id)))
    assert actions == ["user.deactivated", "user.activated"]


def test_send_password_reset_link(admin_client, admin, make_user):
    user = make_user(roles=("trainer",))
    response = admin_client.post(f"/admin/users/{user.id}/reset", follow_redirects=True)
    assert f"reset link is on its way to {user.email}" in page_text(response)
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.recipient_id == user.id))
    assert email.template == "password_reset" and "/password/reset/" in email.body_text
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "user.reset_link_sent"))
    assert (event.target_id, event.actor_id) == (user.id, admin.id)


def test_no_reset_link_for_a_deactivated_account(admin_client, make_user):
    user = make_user()
    user.is_active_account = False
    db.session.flush()
    response = admin_client.post(f"/admin/users/{user.id}/reset", follow_redirects=True)
    assert "Activate it before sending" in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0


def test_unknown_user_is_not_found(admin_client):
    assert admin_client.get("/admin/users/999999").status_code == 404
    assert admin_client.post("/admin/users/999999/active", data={"active": "0"}).status_code \
        == 404


# --- creating staff accounts -------------------------------------------------------------------

def staff_form(**changes) -> dict:
    form = {"full_name": "Tara Trainer", "email": "Tara@Example.com",
            "roles": ["trainer", "qa"], "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    form.update(changes)
    return form


def test_admin_creates_a_verified_staff_account(app, admin_client, admin, login):
    assert "New staff account" in page_text(admin_client.get("/admin/users/new"))
    response = admin_client.post("/admin/users/new", data=staff_form())
    assert response.status_code == 302
    user = User.by_email("tara@example.com")
    assert response.location.endswith(f"/admin/users/{user.id}")
    assert user.email == "tara@example.com" and user.full_name == "Tara Trainer"
    assert user.roles == {"trainer", "qa"} and user.is_verified and user.is_active
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.created"))
    assert (event.target_id, event.actor_id, event.detail) == (
        user.id, admin.id, {"roles": ["qa", "trainer"]})
    login(app.test_client(), user, password=NEW_PASSWORD)


def test_create_staff_account_refuses_bad_input(admin_client, make_user):
    make_user(email="taken@example.com")
    users_before = db.session.scalar(select(func.count()).select_from(User))
    cases = [
        (staff_form(email="TAKEN@example.com"), "already exists"),
        (staff_form(password="short1", confirm="short1"), "Use at least 10 characters"),
        (staff_form(password="tara-trainer-99", confirm="tara-trainer-99"),
         "Do not use your name or email"),
        (staff_form(confirm="Something-Else-1"), "Passwords differ"),
        (staff_form(roles=[]), "Choose at least one role"),
        (staff_form(email="not-an-email"), "Invalid email"),
    ]
    for data, message in cases:
        response = admin_client.post("/admin/users/new", data=data)
        assert response.status_code == 200
        assert message in page_text(response), message
    assert db.session.scalar(select(func.count()).select_from(User)) == users_before


# --- the audit log -----------------------------------------------------------------------------

def test_audit_log_shows_events_newest_first(admin_client, admin, make_user):
    target = make_user()
    older = add_event("opening.created", admin, target_type="openings", target_id=7,
                      when=utcnow() - timedelta(hours=1), title="Night shift agent")
    newer = add_event("user.roles_changed", admin, target_id=target.id,
                      added=["qa"], removed=[])
    system = add_event("user.erased", None, target_id=target.id, applications=2)
    response = admin_client.get("/admin/audit")
    text = page_text(response)
    assert event_ids(response) == [system.id, newer.id, older.id]
    assert "Ada Admin" in text and "system" in text
    assert f"users #{target.id}" in text and "openings #7" in text
    assert "added: qa" in text and "removed: none" in text and "title: Night shift agent" in text
    assert f'href="/admin/users/{target.id}"' in response.get_data(as_text=True)


def test_audit_log_filters(admin_client, make_user):
    alice = make_user(roles=("manager",), email="alice@example.com")
    bob = make_user(roles=("manager",), email="bob@example.com")
    day = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)
    created = add_event("user.created", alice, when=day)
    moved = add_event("application.moved", alice, target_type="applications", when=day)
    applied = add_event("application.created", bob, target_type="applications",
                        when=day - timedelta(days=1))
    opened = add_event("opening.created", bob, target_type="openings",
                       when=day + timedelta(days=1))
    erased = add_event("user.erased", None, when=day + timedelta(days=2))
    tricky = add_event("application_x.created", None, target_type="applications", when=day)

    def shown(query: str) -> set[int]:
        response = admin_client.get("/admin/audit?" + query)
        assert response.status_code == 200
        return set(event_ids(response))

    assert shown("action=user.created") == {created.id}
    assert shown("action=application.") == {moved.id, applied.id}
    assert shown("action=application") == {moved.id, applied.id}  # a bare word is a prefix
    assert shown("action=user.") == {created.id, erased.id}
    assert shown("actor=ALICE@example.com") == {created.id, moved.id}
    assert shown("actor=system") == {erased.id, tricky.id}
    assert shown("actor=nobody@example.com") == set()
    assert shown("target_type=openings") == {opened.id}
    assert shown("target_type=applications&actor=bob@example.com") == {applied.id}
    assert shown("date_from=2024-03-10&date_to=2024-03-10") == {created.id, moved.id, tricky.id}
    assert shown("date_from=2024-03-11") == {opened.id, erased.id}
    assert shown("date_to=2024-03-09") == {applied.id}
    # An impossible range is reported and ignored rather than answering with an error.
    response = admin_client.get("/admin/audit?date_from=2024-03-11&date_to=2024-03-01")
    assert "on or after the start date" in page_text(response)
    assert shown("date_from=2024-03-11&date_to=2024-03-01") == {opened.id, erased.id}


def test_audit_log_keyset_paging_has_no_gaps_or_duplicates(app, admin_client, admin,
                                                           monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_PAGE_SIZE", 7)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    for number in range(25):
        # Groups of three events share a time stamp: the id breaks the tie.
        add_event("user.created" if number % 2 else "opening.updated", admin,
                  when=start + timedelta(minutes=number // 3), n=number)
    expected = list(db.session.scalars(select(AuditEvent.id).order_by(
        AuditEvent.created_at.desc(), AuditEvent.id.desc())))
    assert len(expected) == 25

    pages, url = [], "/admin/audit"
    while url:
        response = admin_client.get(url)
        assert response.status_code == 200
        pages.append(event_ids(response))
        url = link(response, "Older →")
        assert len(pages) < 10
    assert [len(p) for p in pages] == [7, 7, 7, 4]
    assert [i for page in pages for i in page] == expected
    assert link(admin_client.get("/admin/audit"), "← Newer") is None

    # Walking back with "← Newer" shows the same pages.
    back, url = [pages[-1]], link(response, "← Newer")
    while url:
        response = admin_client.get(url)
        back.append(event_ids(response))
        url = link(response, "← Newer")
        assert len(back) < 10
    assert back[::-1] == pages

    # Filters survive paging.
    filtered, url = [], "/admin/audit?action=user."
    while url:
        response = admin_client.get(url)
        filtered += event_ids(response)
        url = link(response, "Older →")
        assert url is None or "action=user." in url
    user_ids = set(db.session.scalars(select(AuditEvent.id).where(
        AuditEvent.action == "user.created")))
    assert len(filtered) == len(user_ids) == 12 and set(filtered) == user_ids


def test_audit_log_bad_cursor_goes_back_to_the_first_page(admin_client):
    response = admin_client.get("/admin/audit?after=not-a-cursor&action=user.")
    assert response.status_code == 302 and "after=" not in response.location
    assert "action=user." in response.location
    assert "not valid any more" in page_text(admin_client.get(response.location))


def test_audit_log_does_a_bounded_number_of_queries(admin_client, make_user, count_queries):
    def queries() -> int:
        with count_queries() as counter:
            assert admin_client.get("/admin/audit").status_code == 200
        return counter.count

    add_event("user.created", make_user(roles=("manager",)))
    few = queries()
    for _ in range(30):
        add_event("user.created", make_user(roles=("manager", "qa")))
    assert queries() == few <= 4


def test_user_page_lists_recent_events_by_and_about_the_user(admin_client, make_user):
    user = make_user(roles=("manager",))
    about = add_event("user.roles_changed", None, target_id=user.id, added=["manager"])
    by = add_event("opening.created", user, target_type="openings", target_id=3)
    unrelated = add_event("opening.created", None, target_type="openings", target_id=4)
    ids = event_ids(admin_client.get(f"/admin/users/{user.id}"))
    assert set(ids) == {about.id, by.id} and unrelated.id not in ids


# --- flask create-admin ------------------------------------------------------------------------

def create_admin(app, *args, **kwargs):
    return app.test_cli_runner().invoke(args=["create-admin", *args], **kwargs)


def test_cli_creates_a_verified_admin(app):
    result = create_admin(app, "--email", "Boss@Example.com", "--name", "Dana Boss",
                          "--password", NEW_PASSWORD)
    assert result.exit_code == 0, result.output
    user = User.by_email("boss@example.com")
    assert result.output.strip() == f"Created administrator boss@example.com (user #{user.id})."
    assert user.roles == {"admin"} and user.is_verified and user.check_password(NEW_PASSWORD)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.created"))
    assert event.target_id == user.id and event.actor_id is None


def test_cli_prompts_for_the_password_twice(app):
    result = create_admin(app, "--email", "quiet@example.com", "--name", "Quinn Quiet",
                          input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert NEW_PASSWORD not in result.output  # hidden input
    assert User.by_email("quiet@example.com").check_password(NEW_PASSWORD)


def test_cli_refuses_a_weak_password(app):
    result = create_admin(app, "--email", "weak@example.com", "--name", "Wes Weak",
                          "--password", "password123")
    assert result.exit_code != 0
    assert "Password refused" in result.output and "too common" in result.output
    assert User.by_email("weak@example.com") is None


def test_cli_refuses_an_existing_email_unless_told_to_grant(app, make_user):
    user = make_user(roles=("manager",), email="maria@example.com")
    result = create_admin(app, "--email", "MARIA@example.com", "--name", "Maria",
                          "--password", NEW_PASSWORD)
    assert result.exit_code != 0
    assert "already exists" in result.output and "--grant" in result.output
    assert not fresh(user).has_role("admin")

    result = create_admin(app, "--email", "maria@example.com", "--grant")
    assert result.exit_code == 0, result.output
    assert "Granted administrator rights to maria@example.com" in result.output
    user = fresh(user)
    assert user.roles == {"manager", "admin"}
    assert user.check_password(PASSWORD)  # the password is left alone
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "user.roles_changed", AuditEvent.target_id == user.id))
    assert event.detail == {"added": ["admin"], "removed": []} and event.actor_id is None

    result = create_admin(app, "--email", "maria@example.com", "--grant")
    assert result.exit_code == 0 and "already an administrator" in result.output


def test_cli_grant_refuses_a_deactivated_account(app, make_user):
    user = make_user(email="gone@example.com")
    user.is_active_account = False
    db.session.flush()
    result = create_admin(app, "--email", "gone@example.com", "--grant")
    assert result.exit_code != 0 and "deactivated" in result.output
    assert not fresh(user).has_role("admin")


def test_cli_needs_a_name_and_a_valid_email(app):
    result = create_admin(app, "--email", "nameless@example.com", "--password", NEW_PASSWORD)
    assert result.exit_code != 0 and "--name" in result.output
    result = create_admin(app, "--email", "not-an-email", "--name", "Nora",
                          "--password", NEW_PASSWORD)
    assert result.exit_code != 0 and "not valid" in result.output
