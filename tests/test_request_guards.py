"""What reaches a view at all: trusted hosts and proxies, body sizes and types, wrongly typed
values, and the headers every answer carries."""

import base64
import io
import json
import logging
import re

import pytest
from flask import request
from sqlalchemy import select

from portal import create_app
from portal.auth.models import UserSession
from portal.auth.permissions import public
from portal.extensions import db
from portal.mail import OutboxEmail
from portal.recruiting import services
from portal.request_body import accepts_json, accepts_upload
from tests.conftest import DEFAULT_PASSWORD, IsolatedClient
from tests.conftest import test_config as build_config
from tests.helpers import APPLY_FORM, open_opening

PUBLIC_BASE_URL = "https://careers.example.org"


def other_app(tmp_dir, **overrides):
    """Another app on the test database (its requests join the test's transaction)."""
    app = create_app(build_config(tmp_dir, **overrides))
    app.test_client_class = IsolatedClient
    return app


def reset_links_to(user) -> list[str]:
    db.session.expire_all()
    bodies = db.session.scalars(select(OutboxEmail.body_text).where(
        OutboxEmail.recipient_id == user.id, OutboxEmail.template == "password_reset"))
    return [re.search(r"(\S+/password/reset/)\S+", body).group(1) for body in bodies]


# --- hosts and proxies ---------------------------------------------------------------------

def test_a_forged_host_is_refused_and_never_reaches_an_email(app, tmp_dir, make_user):
    user = make_user()
    portal = other_app(tmp_dir, PUBLIC_BASE_URL=PUBLIC_BASE_URL,
                       TRUSTED_HOSTS=["careers.example.org", "localhost"])
    response = portal.test_client().post("/password/forgot", data={"email": user.email},
                                         headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert reset_links_to(user) == []


def test_email_links_use_the_public_address_whatever_trusted_host_was_asked(app, tmp_dir,
                                                                            make_user):
    user = make_user()
    portal = other_app(tmp_dir, PUBLIC_BASE_URL=PUBLIC_BASE_URL,
                       TRUSTED_HOSTS=["careers.example.org", "internal.example"])
    response = portal.test_client().post("/password/forgot", data={"email": user.email},
                                         headers={"Host": "internal.example"})
    assert response.status_code == 302
    assert reset_links_to(user) == [PUBLIC_BASE_URL + "/password/reset/"]


def test_default_trusted_hosts_are_the_public_host_and_loopback(monkeypatch, tmp_dir):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://jobs.example.com")
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    from portal.config import load_config

    hosts = load_config(tmp_dir / "instance")["TRUSTED_HOSTS"]
    assert hosts == ["jobs.example.com", "localhost", "127.0.0.1", "::1"]
    monkeypatch.setenv("TRUSTED_HOSTS", "jobs.example.com, .example.net")
    assert load_config(tmp_dir / "instance")["TRUSTED_HOSTS"] == ["jobs.example.com",
                                                                  ".example.net"]


def session_address(user) -> str:
    db.session.expire_all()
    return db.session.scalar(select(UserSession.ip_address).where(
        UserSession.user_id == user.id).order_by(UserSession.id.desc()))


@pytest.mark.parametrize("hops, expected", [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_the_client_address_comes_from_the_proxy_only_when_configured(
        app, tmp_dir, make_user, hops, expected):
    user = make_user()
    portal = other_app(tmp_dir, TRUSTED_PROXY_HOPS=hops)
    response = portal.test_client().post(
        "/login", data={"email": user.email, "password": DEFAULT_PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"})
    assert response.status_code == 302
    assert session_address(user) == expected


# --- body size and type --------------------------------------------------------------------

def test_a_large_body_to_a_form_is_refused_before_it_is_read(client):
    two_mb = io.BytesIO(b"x" * (2 * 1024 * 1024))  # as a file part: streamed, not in memory
    response = client.post("/login", data={"email": "a@example.com", "password": "x",
                                           "note": (two_mb, "big.bin")},
                           content_type="multipart/form-data")
    assert response.status_code == 413


def test_a_json_body_to_a_form_is_unsupported(client):
    response = client.post("/login", json={"email": 123, "password": ["x"]})
    assert response.status_code == 415


def test_a_file_part_in_a_form_is_refused(client):
    response = client.post("/login", data={"email": (io.BytesIO(b"a@example.com"), "e.txt"),
                                           "password": "Whatever-123"},
                           content_type="multipart/form-data")
    assert response.status_code == 400


@pytest.mark.parametrize("query", [
    "q=a&q=b%00", "q%00=a", "sort=name&sort=x%00y"])
def test_nul_in_any_value_or_key_of_the_query_is_refused(client, query):
    assert client.get("/?" + query).status_code == 400


def test_nul_in_a_repeated_form_key_is_refused(client):
    response = client.post("/login", data={"email": ["a@example.com", "b\x00@example.com"],
                                           "password": "Whatever-123"})
    assert response.status_code == 400


def test_an_upload_view_takes_more_than_the_form_limit(tmp_dir):
    portal = create_app(build_config(tmp_dir, MAX_UPLOAD_MB=3))

    @portal.post("/test-upload")
    @public
    @accepts_upload("MAX_UPLOAD_MB")
    def upload():
        return {"size": len(request.files["file"].read())}

    client = portal.test_client()
    two_mb = io.BytesIO(b"x" * (2 * 1024 * 1024))
    response = client.post("/test-upload", data={"file": (two_mb, "a.bin")},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and response.json == {"size": 2 * 1024 * 1024}
    four_mb = io.BytesIO(b"x" * (4 * 1024 * 1024))
    response = client.post("/test-upload", data={"file": (four_mb, "a.bin")},
                           content_type="multipart/form-data")
    assert response.status_code == 413


def test_a_json_view_takes_json_but_never_nul_anywhere_in_it(tmp_dir):
    portal = create_app(build_config(tmp_dir))

    @portal.post("/test-json")
    @public
    @accepts_json
    def take_json():
        return {"keys": sorted(request.get_json())}

    client = portal.test_client()
    assert client.post("/test-json", json={"a": 1, "b": [1]}).json == {"keys": ["a", "b"]}
    for hostile in ({"a": "x\u0000"}, {"a\u0000": 1}, {"a": [{"b": ["\u0000"]}]}):
        assert client.post("/test-json", json=hostile).status_code == 400, hostile


# --- wrongly typed values, on every database -----------------------------------------------

def cursor(*values) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


@pytest.fixture
def manager_client(client, login, make_user):
    manager = make_user(roles=("manager",))
    opening = open_opening(manager)
    services.apply(opening, make_user(full_name="Ana Costa"), **{
        **{k: v for k, v in APPLY_FORM.items() if not k.endswith("_consent")},
        "hours_per_week": 30, "experience_years": 2, "has_computer": True,
        "has_headset": True, "has_wired_internet": True})
    db.session.commit()
    login(client, manager)
    return client


@pytest.mark.parametrize("query", [
    "q=ana%F4%8F%BF%BF",                       # a word ending in U+10FFFF
    "q=%F4%8F%BF%BF%F4%8F%BF%BF",              # nothing but U+10FFFF
    "q=%ED%9F%BF",                             # U+D7FF: the next code point is a surrogate
    "sort=name&after=" + cursor(12345, 1),     # a number where a name goes
    "sort=newest&after=" + cursor("Ana", 1),   # a name where a time goes
    "sort=name&after=" + cursor("a\u0000b", 1),
    "sort=name&after=" + cursor("\ud800", 1),  # a lone surrogate
    "sort=name&after=" + cursor(True, 1),
])
def test_odd_search_words_and_hand_made_cursors_never_fail(manager_client, query, caplog):
    caplog.set_level(logging.ERROR)
    response = manager_client.get("/pipeline/?" + query)
    assert response.status_code in (200, 302), caplog.text[-2000:]


def test_a_search_ending_in_the_last_code_point_still_finds_by_prefix(manager_client):
    assert "Maria Santos" in manager_client.get("/pipeline/?q=mar").get_data(as_text=True)
    text = manager_client.get("/pipeline/?q=ma%F4%8F%BF%BF").get_data(as_text=True)
    assert "Maria Santos" not in text  # "ma" + U+10FFFF sorts after every "mar..."


# --- headers -------------------------------------------------------------------------------

def test_signed_in_pages_are_never_cached_and_public_ones_may_be(client, login, make_user):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    login(client, make_user())
    for path in ("/", "/me", "/account"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_405_says_which_methods_are_allowed(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"POST"}
