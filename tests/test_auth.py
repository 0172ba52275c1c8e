"""Accounts as a person meets them: register, verify, log in and out, reset a password, and the
protections around them (generic errors, safe redirects, rate limits, cookies, headers, CSRF)."""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.auth.models import User
from portal.extensions import db, limiter
from portal.jobs import SUCCEEDED, JobRun
from portal.mail import OutboxEmail
from tests.conftest import DEFAULT_PASSWORD, IsolatedClient
from tests.conftest import test_config as build_config
from tests.helpers import page_text

NEW_PASSWORD = "Sturdy-Lantern-42"
GENERIC_LOGIN_ERROR = "Email or password is incorrect."
RESET_SENT = "If an account exists for that address, a reset link is on its way."


def location(response) -> str:
    return response.headers["Location"]


def emails_to(user_id: int, template: str) -> list[OutboxEmail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.recipient_id == user_id, OutboxEmail.template == template)
        .order_by(OutboxEmail.id)))


def link_in(email: OutboxEmail, path: str) -> str:
    """The path of the link in an email, e.g. /verify/<token>."""
    found = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s\"<]+)", email.body_text)
    assert found, f"no {path} link in:\n{email.body_text}"
    return found.group(1)


def browser_destination(target: str):
    """Where a browser goes for this Location: it drops tabs and newlines and reads a
    backslash as a slash (WHATWG URL parsing), relative to the page's origin."""
    cleaned = re.sub(r"[\t\n\r]", "", target).replace("\\", "/")
    return urlsplit(urljoin("http://localhost/login", cleaned))


def outbox_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(OutboxEmail))


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def register(client, **overrides):
    data = {"full_name": "Jane Rivers", "email": "jane.rivers@example.com",
            "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    data.update(overrides)
    return client.post("/register", data=data)


def is_signed_in(client) -> bool:
    response = client.get("/account")
    assert response.status_code in (200, 302)
    return response.status_code == 200


# --- registration ---------------------------------------------------------------------------

def test_registration_creates_an_unverified_candidate_and_emails_a_link(client):
    response = register(client, email="Jane.Rivers@Example.com")
    assert response.status_code == 302
    assert location(response) == "/login"
    assert not is_signed_in(client)  # signing in waits for the password, as for everyone

    user = User.by_email("jane.rivers@example.com")
    assert user is not None
    assert user.email == "jane.rivers@example.com"
    assert user.full_name == "Jane Rivers"
    assert user.roles == {"candidate"}
    assert not user.is_verified
    assert user.check_password(NEW_PASSWORD)

    (email,) = emails_to(user.id, "verify_email")
    assert email.to_address == "jane.rivers@example.com"
    assert email.subject == "Verify your email address"
    verify_path = link_in(email, "/verify/")
    assert re.fullmatch(r"/verify/[\w.-]+", verify_path)

    assert client.get(verify_path).status_code == 302
    response = client.post("/login", data={"email": "jane.rivers@example.com",
                                           "password": NEW_PASSWORD})
    assert location(response) == "/me"
    dashboard = client.get("/me")
    assert dashboard.status_code == 200
    assert "Please verify your email address" not in page_text(dashboard)


@pytest.mark.parametrize("password, full_name, email, message", [
    ("Sh0rt!", "Jane Rivers", "jane@example.com", "Use at least 10 characters."),
    ("abcdefghijklmn", "Jane Rivers", "jane@example.com", "Mix letters with digits or symbols."),
    ("password123", "Jane Rivers", "jane@example.com", "That password is too common."),
    ("Rosalind-2024!", "Rosalind Franklin", "rf@example.com",
     "Do not use your name or email in the password."),
    ("Quixotic#2024x", "Jane Rivers", "quixotic@example.com",
     "Do not use your name or email in the password."),
], ids=["too-short", "letters-only", "common", "contains-name", "contains-email"])
def test_weak_passwords_are_refused_with_the_rule_they_break(client, password, full_name, email,
                                                             message):
    response = register(client, full_name=full_name, email=email, password=password,
                        confirm=password)
    assert response.status_code == 200
    assert message in page_text(response)
    assert User.by_email(email) is None
    assert not is_signed_in(client)


def test_a_password_breaking_several_rules_shows_every_message(client):
    response = register(client, password="abc", confirm="abc")
    text = page_text(response)
    assert "Use at least 10 characters." in text
    assert "Mix letters with digits or symbols." in text


def test_registering_a_taken_email_answers_as_for_a_new_one_and_tells_the_owner(
        client, make_user):
    owner = make_user(email="taken@example.com")
    before = db.session.scalar(select(func.count()).select_from(User))
    taken = register(client, email="TAKEN@Example.COM")
    fresh = register(client, email="fresh@example.com")

    assert taken.status_code == fresh.status_code == 302
    assert location(taken) == location(fresh) == "/login"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == before + 1
    assert not is_signed_in(client)
    (notice,) = emails_to(owner.id, "account_exists")
    assert "already has one" in notice.body_text
    assert emails_to(owner.id, "verify_email") == []
    assert owner.check_password(DEFAULT_PASSWORD)  # nothing about the account changed


def test_the_registration_message_is_the_same_for_taken_and_new_addresses(client, make_user):
    make_user(email="taken2@example.com")
    messages = []
    for address in ("taken2@example.com", "new2@example.com"):
        register(client, email=address)
        text = page_text(client.get("/login"))
        messages.append(text.replace(address, "ADDRESS"))
    assert messages[0] == messages[1]
    assert "We sent an email to ADDRESS" in messages[0]


def test_mismatched_repeat_password_is_refused(client):
    response = register(client, confirm=NEW_PASSWORD + "x")
    assert response.status_code == 200
    assert "Passwords differ." in page_text(response)
    assert User.by_email("jane.rivers@example.com") is None


# --- email verification -----------------------------------------------------------------------

def registered_with_link(client) -> tuple[User, str]:
    assert register(client).status_code == 302
    user = User.by_email("jane.rivers@example.com")
    (email,) = emails_to(user.id, "verify_email")
    return user, link_in(email, "/verify/")


def test_verification_link_marks_the_address_verified(client):
    user, link = registered_with_link(client)
    response = client.get(link, follow_redirects=True)
    assert response.status_code == 200
    assert "your email address is verified" in page_text(response)
    assert fresh(user).is_verified


def test_tampered_verification_link_is_not_valid(client):
    user, link = registered_with_link(client)
    tampered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    response = client.get(tampered, follow_redirects=True)
    assert response.status_code == 200
    assert "This verification link is not valid." in page_text(response)
    assert not fresh(user).is_verified


def test_expired_verification_link_says_so(client, app, monkeypatch):
    user, link = registered_with_link(client)
    monkeypatch.setitem(app.config, "TOKEN_MAX_AGE_VERIFY", -1)
    response = client.get(link, follow_redirects=True)
    assert "This verification link has expired" in page_text(response)
    assert not fresh(user).is_verified


# --- login and logout ---------------------------------------------------------------------------

def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    user = make_user(email="known@example.com")
    wrong_password = client.post("/login", data={"email": user.email, "password": "Nope-12345"})
    unknown_email = client.post("/login", data={"email": "nobody@example.com",
                                                "password": "Nope-12345"})
    assert wrong_password.status_code == unknown_email.status_code == 200
    assert GENERIC_LOGIN_ERROR in page_text(wrong_password)
    assert page_text(wrong_password) == page_text(unknown_email)
    assert not is_signed_in(client)


def test_good_login_lands_on_the_role_home(client, make_user, login):
    candidate = make_user()
    assert location(login(client, candidate)) == "/me"
    assert fresh(candidate).last_login_at is not None


def test_deactivated_user_cannot_log_in(client, make_user):
    user = make_user()
    user.is_active_account = False
    db.session.flush()
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert GENERIC_LOGIN_ERROR in page_text(response)
    assert not is_signed_in(client)


def test_deactivating_an_account_ends_its_open_session(client, make_user, login):
    user = make_user()
    login(client, user)
    user.is_active_account = False
    db.session.flush()
    assert not is_signed_in(client)


def test_logout_needs_a_post(client, make_user, login):
    login(client, make_user())
    assert client.get("/logout").status_code == 405
    assert is_signed_in(client)

    response = client.post("/logout", follow_redirects=True)
    assert "You are logged out." in page_text(response)
    assert not is_signed_in(client)


def test_signed_in_page_redirects_to_login_with_next(client, make_user):
    response = client.get("/me/data")
    assert response.status_code == 302
    assert urlsplit(location(response)).path == "/login"
    assert "next=%2Fme%2Fdata" in location(response)


def test_relative_next_is_followed_after_login(client, make_user):
    user = make_user()
    response = client.post("/login?next=/me/data",
                           data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert location(response) == "/me/data"


@pytest.mark.parametrize("target", [
    "//evil.example/phish",
    "https://evil.example/phish",
    "/\\evil.example/phish",      # browsers read a backslash as a slash: //evil.example
    "/\t/evil.example/phish",     # browsers drop tabs from URLs: //evil.example
], ids=["scheme-relative", "absolute", "backslash", "tab"])
def test_next_pointing_off_site_is_ignored(client, make_user, target):
    user = make_user()
    response = client.post("/login", query_string={"next": target},
                           data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert browser_destination(location(response)).netloc == "localhost", location(response)


# --- password reset ------------------------------------------------------------------------------

def test_forgot_password_for_unknown_email_says_the_same_and_sends_nothing(client):
    before = outbox_count()
    response = client.post("/password/forgot", data={"email": "nobody@example.com"},
                           follow_redirects=True)
    assert response.status_code == 200
    assert RESET_SENT in page_text(response)
    assert outbox_count() == before
    # The address typed (perhaps nobody's) is not kept once the look-up has run.
    job = db.session.scalars(select(JobRun).where(JobRun.func.endswith(
        "send_password_reset"))).one()
    assert (job.status, job.args) == (SUCCEEDED, {})


def request_reset_link(client, user) -> str:
    response = client.post("/password/forgot", data={"email": user.email.upper()},
                           follow_redirects=True)
    assert RESET_SENT in page_text(response)
    (email,) = emails_to(user.id, "password_reset")
    assert email.to_address == user.email
    assert email.subject == "Reset your password"
    return link_in(email, "/password/reset/")


def test_reset_link_sets_a_new_password(client, make_user, login):
    user = make_user()
    link = request_reset_link(client, user)
    assert client.get(link).status_code == 200

    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                           follow_redirects=True)
    assert "Your password is changed" in page_text(response)

    old = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert old.status_code == 200 and GENERIC_LOGIN_ERROR in page_text(old)
    login(client, user, password=NEW_PASSWORD)
    assert is_signed_in(client)


def test_reset_link_works_only_once(client, make_user, login):
    user = make_user()
    link = request_reset_link(client, user)
    client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    again = client.post(link, data={"password": "Another-Pass-77", "confirm": "Another-Pass-77"},
                        follow_redirects=True)
    assert "already been used" in page_text(again)
    assert client.get(link, follow_redirects=True).request.path == "/password/forgot"
    assert fresh(user).check_password(NEW_PASSWORD)
    assert not fresh(user).check_password("Another-Pass-77")


def test_weak_new_password_is_refused_on_reset(client, make_user):
    user = make_user(full_name="Bartholomew Quince")
    link = request_reset_link(client, user)
    for weak, message in (("short-1", "Use at least 10 characters."),
                          ("Bartholomew-99", "Do not use your name or email in the password.")):
        response = client.post(link, data={"password": weak, "confirm": weak})
        assert response.status_code == 200
        assert message in page_text(response)
    assert fresh(user).check_password(DEFAULT_PASSWORD)


def test_password_change_logs_out_other_sessions(app, make_user, login):
    user = make_user()
    app.test_client_class = IsolatedClient
    first, second = app.test_client(), app.test_client()
    login(first, user)
    assert is_signed_in(first)

    link = request_reset_link(second, user)
    second.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    response = first.get("/me")
    assert response.status_code == 302
    assert urlsplit(location(response)).path == "/login"


# --- rate limits (a separate app with limits on; read-only requests) -------------------------

@pytest.fixture
def limited_client(_app, tmp_dir):
    """An app with rate limits on. The limiter is one object shared by every app in the
    process and `init_app` sets its `enabled` flag, so the flag is put back afterwards."""
    was_enabled = limiter.enabled
    limited = create_app(build_config(tmp_dir, RATELIMIT_ENABLED=True))
    limiter.reset()
    try:
        yield limited.test_client()
    finally:
        limiter.reset()
        limiter.enabled = was_enabled
        with limited.app_context():
            db.engine.dispose()


def test_eleventh_failed_login_from_one_address_in_a_minute_is_refused(limited_client):
    for attempt in range(10):
        data = {"email": f"nobody-{attempt}@example.com", "password": "Wrong-Password-1"}
        response = limited_client.post("/login", data=data)
        assert response.status_code == 200, f"attempt {attempt + 1}"
        assert GENERIC_LOGIN_ERROR in page_text(response)
    response = limited_client.post("/login", data={"email": "nobody-x@example.com",
                                                   "password": "Wrong-Password-1"})
    assert response.status_code == 429
    text = page_text(response)
    assert "Too many attempts" in text and "Please wait a minute" in text
    assert limited_client.get("/login").status_code == 200  # reading the page is not limited


def test_sixth_forgot_password_request_in_a_minute_is_refused(limited_client):
    data = {"email": "nobody-limited@example.com"}
    for attempt in range(5):
        response = limited_client.post("/password/forgot", data=data)
        assert response.status_code == 302, f"attempt {attempt + 1}"
    response = limited_client.post("/password/forgot", data=data)
    assert response.status_code == 429
    assert "Too many attempts" in page_text(response)


def test_sixth_registration_in_a_minute_is_refused(limited_client):
    # Invalid posts (no password) count too: each try costs us work, valid ones an email.
    for attempt in range(5):
        response = limited_client.post("/register", data={"email": f"x{attempt}@example.com"})
        assert response.status_code == 200, f"attempt {attempt + 1}"
    response = limited_client.post("/register", data={"email": "x9@example.com"})
    assert response.status_code == 429
    assert "Too many attempts" in page_text(response)


# --- cookies, headers, CSRF ------------------------------------------------------------------

def login_cookies(tmp_dir, user) -> tuple[dict[str, set[str]], object]:
    """Log in on an app built without the tests' cookie overrides; the Set-Cookie attributes
    of each cookie, lower-cased."""
    config = build_config(tmp_dir)
    del config["SESSION_COOKIE_SECURE"], config["REMEMBER_COOKIE_SECURE"]
    production_like = create_app(config)
    response = production_like.test_client().post(
        "/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "remember": "y"})
    assert response.status_code == 302
    cookies = {header.split("=", 1)[0]: {part.strip().lower() for part in header.split(";")}
               for header in response.headers.getlist("Set-Cookie")}
    assert {"session", "remember_token"} <= set(cookies)
    return cookies, response


def test_cookies_are_secure_httponly_and_lax_when_served_over_https(app, tmp_dir, make_user,
                                                                   monkeypatch):
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://careers.example.org")
    cookies, response = login_cookies(tmp_dir, make_user())
    for name in ("session", "remember_token"):
        assert {"secure", "httponly", "samesite=lax"} <= cookies[name], (name, cookies[name])
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_cookies_are_httponly_and_lax_on_a_plain_http_laptop_setup(app, tmp_dir, make_user,
                                                                  monkeypatch):
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    cookies, response = login_cookies(tmp_dir, make_user())
    for name in ("session", "remember_token"):
        assert {"httponly", "samesite=lax"} <= cookies[name], (name, cookies[name])


@pytest.mark.parametrize("url", ["/", "/login", "/register", "/no-such-page"])
def test_security_headers_on_every_page(client, url):
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_post_without_csrf_token_gets_the_form_expired_page(app, tmp_dir, make_user):
    protected = create_app(build_config(tmp_dir, WTF_CSRF_ENABLED=True))
    browser = protected.test_client()
    user = make_user()
    credentials = {"email": user.email, "password": DEFAULT_PASSWORD}

    response = browser.post("/login", data=credentials)
    assert response.status_code == 400
    text = page_text(response)
    assert "Your form expired or was sent from elsewhere" in text
    assert "WAH Portal" in text  # the site's own page, not a bare error

    # The same form with the token from the page goes through.
    form_page = browser.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form_page).group(1)
    response = browser.post("/login", data={**credentials, "csrf_token": token})
    assert response.status_code == 302


# --- what a name may hold ----------------------------------------------------------------------

@pytest.mark.parametrize("typed, stored", [
    ("Bob \u202enimda\u202c", "Bob nimda"),             # a direction override: shows "Bob admin"
    ("Ma\u200bria\ufeff San\u2066tos\u2069", "Maria Santos"),  # zero-width, BOM, isolates
    ("Ann\u0007a  \t Lee\x1b", "Anna Lee"),             # control characters, runs of spaces
    ("Zo\u0065\u0301" + "\u0301" * 40 + "e", "Zo\u00e9\u0301\u0301\u0301e"),  # NFC, marks capped
    ("Mi\u200cnoo", "Mi\u200cnoo"),                     # a joiner that spells a Persian word
], ids=["bidi-override", "invisible", "controls", "combining-marks", "joiner-kept"])
def test_names_are_normalised_and_stripped_of_what_hides_text(client, typed, stored):
    email = f"name-{abs(hash(typed))}@example.com"
    assert register(client, full_name=typed, email=email).status_code == 302
    assert User.by_email(email).full_name == stored


def test_a_name_made_only_of_invisible_characters_is_refused(client):
    response = register(client, full_name="\u202e\u200b\u202c", email="ghost@example.com")
    assert response.status_code == 200
    assert User.by_email("ghost@example.com") is None


@pytest.mark.parametrize("target", ["/\\evil.example", "/me\\..\\x", "/me\x00", "/me\r\nX: y",
                                    "/me\x7f"])
def test_safe_next_refuses_backslashes_and_control_characters_itself(target):
    from portal.auth.views import _safe_next

    assert _safe_next(target) is None
    assert _safe_next("/me/data?tab=export") == "/me/data?tab=export"


def test_sending_the_verification_again_returns_to_the_page_it_was_asked_from(
        client, make_user, login):
    user = make_user(verified=False)
    login(client, user)
    response = client.post("/verify/resend", data={"next": "/me/data"})
    assert location(response) == "/me/data"
    response = client.post("/verify/resend", headers={"Referer": "http://localhost/account"})
    assert location(response) == "/account"
    response = client.post("/verify/resend", headers={"Referer": "http://evil.example/x"})
    assert location(response) == "/me"


def test_recordings_may_play_from_the_storage_origin_only_when_it_signs_urls():
    from portal.security import content_security_policy

    local = content_security_policy({"STORAGE_BACKEND": "local"})
    assert "media-src 'self' blob:;" in local
    s3 = content_security_policy({"STORAGE_BACKEND": "s3",
                                  "S3_ENDPOINT_URL": "https://minio.example.com/"})
    assert "media-src 'self' blob: https://minio.example.com;" in s3
    aws = content_security_policy({"STORAGE_BACKEND": "s3", "S3_ENDPOINT_URL": None})
    assert "media-src 'self' blob: https://*.amazonaws.com;" in aws
