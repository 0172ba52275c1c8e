"""Signed-in sessions end when they should: logout, sign out elsewhere, a password reset; a
remember-me cookie is capped, renewed on use and dead after logout; sign-in and role changes
start a fresh session (and CSRF secret)."""

import time
from datetime import timedelta

import pytest
from flask import request, session
from sqlalchemy import select

from portal.admin import services as admin_services
from portal.auth import services as auth_services
from portal.auth.models import UserSession
from portal.extensions import db, utcnow
from tests.conftest import DEFAULT_PASSWORD, IsolatedClient

REMEMBER = "remember_token"


def is_signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def cookie(client, name: str):
    found = client.get_cookie(name)
    return found.value if found else None


def sign_in(client, user, remember=False):
    data = {"email": user.email, "password": DEFAULT_PASSWORD}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302
    return response


def new_client(app, **cookies):
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


@pytest.fixture
def clients(app):
    app.test_client_class = IsolatedClient
    return lambda: app.test_client()


def test_a_copied_session_cookie_stops_working_at_logout(app, clients, make_user):
    user = make_user()
    browser = clients()
    sign_in(browser, user)
    copied = new_client(app, session=cookie(browser, "session"))
    assert is_signed_in(copied)

    browser.post("/logout")
    assert not is_signed_in(browser)
    assert not is_signed_in(copied)


def test_a_remember_me_cookie_is_revoked_by_logout(app, clients, make_user):
    user = make_user()
    browser = clients()
    sign_in(browser, user, remember=True)
    token = cookie(browser, REMEMBER)
    assert token
    browser.post("/logout")
    assert not is_signed_in(new_client(app, **{REMEMBER: token}))


def test_a_remember_me_cookie_is_renewed_when_used_and_the_old_one_dies(app, clients,
                                                                         make_user):
    user = make_user()
    browser = clients()
    sign_in(browser, user, remember=True)
    first = cookie(browser, REMEMBER)

    returning = new_client(app, **{REMEMBER: first})  # the browser was closed and reopened
    assert is_signed_in(returning)
    renewed = cookie(returning, REMEMBER)
    assert renewed and renewed != first
    assert not is_signed_in(new_client(app, **{REMEMBER: first}))  # a stolen copy is dead
    assert is_signed_in(new_client(app, **{REMEMBER: renewed}))


def test_remember_me_lasts_thirty_days_from_sign_in(app, clients, make_user):
    user = make_user()
    browser = clients()
    response = sign_in(browser, user, remember=True)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(REMEMBER))
    assert "Expires=" in header
    (row,) = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id))
    assert abs(row.expires_at - (utcnow() + timedelta(days=30))) < timedelta(minutes=1)

    row.expires_at = utcnow() - timedelta(seconds=1)  # thirty days later
    db.session.commit()
    assert not is_signed_in(new_client(app, **{REMEMBER: cookie(browser, REMEMBER)}))
    assert not is_signed_in(browser)


def test_sign_out_of_all_other_devices_keeps_this_one(app, clients, make_user):
    user = make_user()
    laptop, phone = clients(), clients()
    sign_in(laptop, user)
    sign_in(phone, user, remember=True)
    page = laptop.get("/account").get_data(as_text=True)
    assert "Where you are signed in" in page and "this browser" in page

    response = laptop.post("/account/sessions/end-others", follow_redirects=True)
    assert "Signed out of 1 other device(s)" in response.get_data(as_text=True)
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert not is_signed_in(new_client(app, **{REMEMBER: cookie(phone, REMEMBER)}))


def test_a_password_reset_ends_every_session(app, clients, make_user):
    user = make_user()
    browser = clients()
    sign_in(browser, user, remember=True)
    auth_services.reset_password(_reset_token(user), "Brand-New-Password-77")
    db.session.commit()
    assert not is_signed_in(browser)


def _reset_token(user) -> str:
    from portal.auth.services import RESET_SALT, _serializer

    return _serializer(RESET_SALT).dumps({"uid": user.id, "v": user.credentials_version})


def test_deactivation_ends_every_session(app, clients, make_user):
    user, admin = make_user(), make_user(roles=("admin",))
    browser = clients()
    sign_in(browser, user)
    admin_services.set_active(user, False, admin)
    admin_services.set_active(user, True, admin)
    db.session.commit()
    assert not is_signed_in(browser)  # active again, but that session is over


def session_values(client) -> dict:
    with client.session_transaction() as session:
        return dict(session)


def test_signing_in_starts_a_new_session_with_a_new_csrf_secret(app, clients, make_user):
    user = make_user()
    browser = clients()
    with browser.session_transaction() as session:
        session["csrf_token"] = "secret-known-before-sign-in"
        session["planted"] = "by an attacker"
    sign_in(browser, user)
    values = session_values(browser)
    assert values.get("csrf_token") != "secret-known-before-sign-in"
    assert "planted" not in values


def test_a_change_of_roles_renews_the_session_and_its_csrf_secret(app, clients, make_user):
    user, admin = make_user(), make_user(roles=("admin",))
    browser = clients()
    sign_in(browser, user)
    browser.get("/account")
    with browser.session_transaction() as session:
        session["csrf_token"] = "secret-of-the-candidate-session"
    before = session_values(browser)["_user_id"]

    admin_services.set_roles(user, ["candidate", "trainer"], admin)
    db.session.commit()
    assert is_signed_in(browser)
    after = session_values(browser)
    assert after["_user_id"] != before
    assert after.get("csrf_token") != "secret-of-the-candidate-session"
    assert not is_signed_in(new_client(app, session=_session_cookie_with(app, before)))


def _session_cookie_with(app, user_token: str) -> str:
    """A session cookie signed with the app's key that holds an old session token."""
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps({"_user_id": user_token, "_fresh": True})


def test_sessions_are_stored_only_as_hashes(app, clients, make_user):
    user = make_user()
    browser = clients()
    sign_in(browser, user)
    token = session_values(browser)["_user_id"]
    (row,) = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id))
    assert token not in row.token_hash and len(row.token_hash) == 64


@pytest.mark.parametrize("user_agent, label", [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70", "Edge 131 on Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.5 Safari/605.1.15", "Safari 17 on macOS"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari 17 on iOS"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
     "Firefox 128 on Linux"),
    ("curl/8.5.0", "A browser"),
])
def test_the_account_page_names_each_signed_in_browser(user_agent, label):
    from portal.auth.sessions import device_label

    assert device_label(user_agent) == label


# --- the session cookie, verified once per worker (portal/session_cookie.py) ------------------

def test_a_session_cookie_past_its_lifetime_is_refused_though_it_was_verified_before(
        app, clients, make_user, monkeypatch):
    user = make_user()
    browser = clients()
    sign_in(browser, user)
    assert is_signed_in(browser)  # this page's first visit may add to the cookie (CSRF)
    assert is_signed_in(browser)  # the cookie it sends is now known to this worker

    lifetime = app.permanent_session_lifetime.total_seconds()
    later = time.time() + lifetime + 60
    monkeypatch.setattr("time.time", lambda: later)
    assert not is_signed_in(browser)


def test_a_forged_session_cookie_is_refused_and_a_true_one_still_works(app, clients,
                                                                        make_user):
    user = make_user()
    browser = clients()
    sign_in(browser, user)
    true = cookie(browser, "session")
    forged = true[:-4] + ("AAAA" if not true.endswith("AAAA") else "BBBB")
    assert not is_signed_in(new_client(app, session=forged))
    assert is_signed_in(new_client(app, session=true))


def test_a_request_changing_its_session_leaves_the_next_request_with_the_cookie_as_sent(app):
    """Each request gets its own copy of what a known cookie holds: a message one request
    adds in place is not shown by another that sends the same cookie."""
    interface = app.session_interface
    with app.test_request_context():
        session["_flashes"] = [("info", "first")]
        response = app.response_class()
        interface.save_session(app, session, response)
        sent = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    headers = {"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={sent}"}
    with app.test_request_context(headers=headers):
        first = interface.open_session(app, request)
        first["_flashes"].append(("info", "added in place"))
    with app.test_request_context(headers=headers):
        again = interface.open_session(app, request)
    assert again["_flashes"] == [("info", "first")]
