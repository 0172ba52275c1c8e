"""Error pages people and API clients get, /healthz, and a sweep proving bad input never 500s."""

import base64
import html
import json
import logging
import re

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.auth.models import User
from portal.auth.permissions import public
from portal.extensions import db
from portal.recruiting import services
from tests.conftest import IsolatedClient
from tests.conftest import test_config as build_config
from tests.helpers import APPLY_FORM, page_text

STRONG = "Sturdy-Lantern-42"
HUGE = "x" * 100_000
HUGE_NUMBER = "9" * 30


def title_of(response) -> str:
    found = re.search(r"<title>(.*?)</title>", response.get_data(as_text=True), flags=re.S)
    return html.unescape(" ".join(found.group(1).split())) if found else ""


def separate_app(tmp_dir, **overrides):
    """Another app on the same database; under the `app` fixture its requests join the test's
    transaction (the fixture swaps the shared `db.session`)."""
    other = create_app(build_config(tmp_dir, **overrides))
    other.test_client_class = IsolatedClient
    return other


# --- error pages ---------------------------------------------------------------------------------

def test_404_is_the_sites_own_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert title_of(response) == "Page not found · WAH Portal"
    body = response.get_data(as_text=True)
    assert '<nav class="navbar' in body and 'aria-label="Main"' in body
    text = page_text(response)
    assert "We could not find that page." in text
    assert "Go to the careers page" in text and "Log in" in text


def test_404_for_a_json_client_is_json(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.get_json()["error"] == "Page not found"
    assert "<html" not in response.get_data(as_text=True)


def test_404_for_a_missing_record_is_the_same_page(client):
    response = client.get("/jobs/424242")
    assert response.status_code == 404
    assert title_of(response) == "Page not found · WAH Portal"


def test_405_is_a_friendly_page(client):
    response = client.get("/logout")
    assert response.status_code == 405
    assert "That action is not available here." in page_text(response)


def test_unexpected_error_shows_the_friendly_500_and_rolls_back(app, tmp_dir, caplog):
    crashing = separate_app(tmp_dir)
    email = "half-written@example.com"
    seen_by_response = []

    @crashing.get("/boom")
    @public
    def boom():
        db.session.add(User(email=email, full_name="Half Written", password_hash="x"))
        db.session.flush()  # the row is in the transaction now
        raise RuntimeError("secret internal detail")

    @crashing.after_request
    def look(response):  # runs after the error handler, in the same request
        seen_by_response.append(db.session.scalar(
            select(func.count()).select_from(User).where(User.email == email)))
        return response

    response = crashing.test_client().get("/boom")
    assert response.status_code == 500
    assert title_of(response) == "Something went wrong · WAH Portal"
    text = page_text(response)
    assert "We have been told about it." in text
    assert "secret internal detail" not in text and "Traceback" not in text
    assert seen_by_response == [0]  # rolled back before the page was made
    db.session.expire_all()
    assert User.by_email(email) is None
    assert "unhandled error on GET /boom" in caplog.text

    as_json = crashing.test_client().get("/boom", headers={"Accept": "application/json"})
    assert as_json.status_code == 500
    assert as_json.get_json()["error"] == "Something went wrong"


# --- /healthz ------------------------------------------------------------------------------------

def test_healthz_reports_database_and_storage(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] == "ok"
    assert data["checks"]["database"]["ok"] is True
    assert data["checks"]["database"]["detail"] in ("sqlite", "postgresql")
    assert data["checks"]["storage"] == {"ok": True, "detail": "local"}


def test_healthz_fails_when_storage_is_broken(app, tmp_dir):
    blocker = tmp_dir / "a-regular-file"
    blocker.write_text("not a folder")
    broken = separate_app(tmp_dir, STORAGE_LOCAL_ROOT=str(blocker / "files"))

    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    data = response.get_json()
    assert data["status"] == "failing"
    assert data["checks"]["storage"]["ok"] is False
    assert data["checks"]["database"]["ok"] is True
    assert str(tmp_dir) not in response.get_data(as_text=True)  # says what, not where


def test_healthz_fails_when_the_storage_backend_says_so(client, app, monkeypatch):
    from portal import storage

    backend = storage.get_storage()
    monkeypatch.setattr(backend, "health", lambda: (False, "local: storage root is missing"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "failing"
    assert response.get_json()["checks"]["storage"]["detail"] == "local: storage root is missing"


# --- bad input never 500s ------------------------------------------------------------------------

def cursor(*values) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


GOOD_OPENING = {
    "title": "Customer Service Agent", "summary": "Help customers by phone from home.",
    "description": "", "requirements": "", "pay_min": "16", "pay_max": "18.50",
    "pay_currency": "USD", "pay_period": "hour", "hours_min": "30", "hours_max": "40",
    "shifts": ["morning"]}


def with_(base: dict, **changes) -> dict:
    data = dict(base)
    data.update(changes)
    return data


# (who, method, url, form data); {opening} and {application} are filled in per test.
BAD_REQUESTS = {
    "register-empty": (None, "post", "/register", {}),
    "register-huge": (None, "post", "/register", {
        "full_name": HUGE, "email": HUGE + "@example.com", "password": HUGE, "confirm": HUGE}),
    "register-lists": (None, "post", "/register", {
        "full_name": ["a", "b"], "email": ["a@example.com", "b"], "password": ["1", "2"]}),
    "register-nul-in-name": (None, "post", "/register", {
        "full_name": "Nul\x00Name", "email": "nul-name@example.com", "password": STRONG,
        "confirm": STRONG}),
    "register-nul-in-email": (None, "post", "/register", {
        "full_name": "Nul Email", "email": "nul\x00@example.com", "password": STRONG,
        "confirm": STRONG}),
    "login-empty": (None, "post", "/login", {}),
    "login-huge": (None, "post", "/login", {"email": HUGE, "password": HUGE}),
    "login-nul-in-email": (None, "post", "/login", {"email": "nul\x00@example.com",
                                                    "password": STRONG}),
    "login-remember-garbage": (None, "post", "/login", {
        "email": "nobody@example.com", "password": STRONG, "remember": HUGE}),
    "forgot-empty": (None, "post", "/password/forgot", {}),
    "forgot-huge": (None, "post", "/password/forgot", {"email": HUGE}),
    "forgot-nul": (None, "post", "/password/forgot", {"email": "nul\x00@example.com"}),
    "reset-garbage-token": (None, "post", "/password/reset/" + "A" * 500,
                            {"password": STRONG, "confirm": STRONG}),
    "verify-garbage-token": (None, "get", "/verify/not.a.token", None),
    "apply-empty": ("candidate", "post", "/jobs/{opening}/apply", {}),
    "apply-huge": ("candidate", "post", "/jobs/{opening}/apply",
                   {key: HUGE for key in APPLY_FORM}),
    "apply-not-numbers": ("candidate", "post", "/jobs/{opening}/apply", with_(
        APPLY_FORM, hours_per_week="thirty", experience_years="1e999")),
    "apply-huge-numbers": ("candidate", "post", "/jobs/{opening}/apply", with_(
        APPLY_FORM, hours_per_week=HUGE_NUMBER, experience_years="-" + HUGE_NUMBER)),
    "apply-unknown-choices": ("candidate", "post", "/jobs/{opening}/apply", with_(
        APPLY_FORM, country="ZZ", time_zone="Mars/Olympus_Mons",
        availability_days=["funday"], availability_shifts=["siesta"], languages=["xx"])),
    "apply-missing-consent": ("candidate", "post", "/jobs/{opening}/apply", with_(
        APPLY_FORM, privacy_consent="", retention_consent="")),
    "apply-nul-in-name": ("candidate", "post", "/jobs/{opening}/apply", with_(
        APPLY_FORM, full_name="Maria\x00Santos")),
    "apply-missing-opening": ("candidate", "post", f"/jobs/{HUGE_NUMBER}/apply",
                              APPLY_FORM),
    "job-page-huge-id": (None, "get", f"/jobs/{HUGE_NUMBER}", None),
    "job-page-id-past-int32": (None, "get", "/jobs/2147483648", None),
    "my-application-huge-id": ("candidate", "get", f"/me/applications/{HUGE_NUMBER}", None),
    "opening-empty": ("manager", "post", "/openings/new", {}),
    "opening-huge": ("manager", "post", "/openings/new", {key: HUGE for key in GOOD_OPENING}),
    "opening-not-numbers": ("manager", "post", "/openings/new", with_(
        GOOD_OPENING, pay_min="sixteen", pay_max="1,000", hours_min="x", hours_max="")),
    "opening-nan-pay": ("manager", "post", "/openings/new", with_(
        GOOD_OPENING, pay_min="NaN", pay_max="20")),
    "opening-snan-pay": ("manager", "post", "/openings/new", with_(
        GOOD_OPENING, pay_min="10", pay_max="sNaN")),
    "opening-infinite-pay": ("manager", "post", "/openings/new", with_(
        GOOD_OPENING, pay_min="-Infinity", pay_max="Infinity")),
    "opening-huge-numbers": ("manager", "post", "/openings/new", with_(
        GOOD_OPENING, pay_max="1" + HUGE_NUMBER, hours_max=HUGE_NUMBER)),
    "opening-unknown-choices": ("manager", "post", "/openings/new", with_(
        GOOD_OPENING, pay_currency="XXX", pay_period="fortnight", shifts=["siesta"],
        countries=["ZZ"], time_zones=["Mars/Base"], steps=["teleport"])),
    "opening-nul-in-title": ("manager", "post", "/openings/new", with_(
        GOOD_OPENING, title="Agent\x00Title")),
    "opening-edit-huge-id": ("manager", "get", f"/openings/{HUGE_NUMBER}/edit", None),
    "opening-status-bogus": ("manager", "post", "/openings/{opening}/status",
                             {"status": "bogus"}),
    "bulk-empty": ("manager", "post", "/pipeline/bulk", {}),
    "bulk-not-ids": ("manager", "post", "/pipeline/bulk", {
        "application_ids": ["abc", "1.5"], "stage": "screening", "reason": "x"}),
    "bulk-unknown-stage": ("manager", "post", "/pipeline/bulk", {
        "application_ids": ["{application}"], "stage": "bogus", "reason": "x"}),
    "bulk-withdraw": ("manager", "post", "/pipeline/bulk", {
        "application_ids": ["{application}"], "stage": "withdrawn", "reason": "x"}),
    "bulk-huge-ids": ("manager", "post", "/pipeline/bulk", {
        "application_ids": [HUGE_NUMBER, "-" + HUGE_NUMBER], "stage": "screening",
        "reason": "x"}),
    "bulk-too-many-ids": ("manager", "post", "/pipeline/bulk", {
        "application_ids": [str(n) for n in range(1, 700)], "stage": "screening",
        "reason": "x"}),
    "bulk-huge-reason": ("manager", "post", "/pipeline/bulk", {
        "application_ids": ["{application}"], "stage": "screening", "reason": HUGE}),
    "pipeline-garbage-filters": ("manager", "get",
                                 "/pipeline/?applied_from=notadate&after=garbage&sort=bogus"
                                 "&stage=bogus", None),
    "pipeline-huge-opening": ("manager", "get", f"/pipeline/?opening={HUGE_NUMBER}", None),
    "pipeline-unicode-digit-opening": ("manager", "get", "/pipeline/?opening=%C2%B2", None),
    "pipeline-last-date": ("manager", "get", "/pipeline/?applied_to=9999-12-31", None),
    "pipeline-first-date": ("manager", "get", "/pipeline/?applied_from=0001-01-01", None),
    "pipeline-huge-query": ("manager", "get", "/pipeline/?q=" + "%25_" * 5000, None),
    "pipeline-naive-cursor": ("manager", "get",
                              "/pipeline/?after=" + cursor("2026-01-01T00:00:00", 1), None),
    "pipeline-cursor-huge-id": ("manager", "get", "/pipeline/?after=" + cursor(
        "2026-01-01T00:00:00+00:00", int(HUGE_NUMBER)), None),
    "pipeline-cursor-wrong-type": ("manager", "get", "/pipeline/?sort=name&after=" + cursor(
        {"a": 1}, 1), None),
    "pipeline-cursor-before": ("manager", "get", "/pipeline/?before=%%%%", None),
    "pipeline-application-huge-id": ("manager", "get",
                                     f"/pipeline/applications/{HUGE_NUMBER}", None),
    "pipeline-move-bogus": ("manager", "post", "/pipeline/applications/{application}/move",
                            {"stage": "bogus", "reason": HUGE}),
    "pipeline-note-huge": ("manager", "post", "/pipeline/applications/{application}/notes",
                           {"body": HUGE}),
    # Admin pages.
    "admin-users-bad-page": ("admin", "get", "/admin/users?page=-5&role=wizard&q=%25%00", None),
    "admin-users-huge-page": ("admin", "get", f"/admin/users?page={HUGE_NUMBER}", None),
    "admin-user-huge-id": ("admin", "get", f"/admin/users/{HUGE_NUMBER}", None),
    "admin-roles-unknown": ("admin", "post", "/admin/users/{manager_id}/roles",
                            {"roles": ["wizard", "admin"]}),
    "admin-active-garbage": ("admin", "post", "/admin/users/{manager_id}/active",
                             {"active": "maybe"}),
    "admin-create-garbage": ("admin", "post", "/admin/users/new", {
        "email": "x" * 300, "full_name": "", "roles": ["wizard"], "password": "a",
        "confirm": "b"}),
    "admin-audit-huge-target": ("admin", "get", f"/admin/audit?target_id={HUGE_NUMBER}", None),
    "admin-audit-last-date": ("admin", "get", "/admin/audit?date_to=9999-12-31", None),
    "admin-audit-bad-dates": ("admin", "get",
                              "/admin/audit?date_from=2026-13-45&date_to=yesterday", None),
    "admin-audit-bad-cursor": ("admin", "get", "/admin/audit?after=%%%&before=" + cursor(
        {"t": "2026-01-01T00:00:00"}, 1), None),
    "admin-audit-odd-filters": ("admin", "get",
                                "/admin/audit?action=" + "*" * 80 + "&target_type=nope", None),
}


@pytest.fixture
def sweep_world(app, make_user, login):
    manager = make_user(roles=("manager",))
    candidate = make_user(email="sweeper@example.com", full_name="Sam Sweeper")
    someone = make_user(full_name="Ana Costa")
    opening = services.create_opening(
        manager, title="Customer Service Agent", summary="Help customers by phone from home.",
        pay_min=16, pay_max=18.5, hours_min=30, hours_max=40, shifts=["morning"],
        countries=[], time_zones=[], steps=[], status="open")
    application = services.apply(opening, someone, **{
        **{k: v for k, v in APPLY_FORM.items() if not k.endswith("_consent")},
        "full_name": "Ana Costa", "email": someone.email, "hours_per_week": 30,
        "experience_years": 2, "has_computer": True, "has_headset": True,
        "has_wired_internet": True})
    db.session.commit()
    return {"manager": manager, "candidate": candidate, "opening": opening.id,
            "application": application.id, "admin": make_user(roles=("admin",)),
            "manager_id": manager.id}


def fill(value, world):
    if isinstance(value, str):
        for name in ("opening", "application", "manager_id"):
            value = value.replace("{" + name + "}", str(world[name]))
        return value
    if isinstance(value, list):
        return [fill(item, world) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, world) for key, item in value.items()}
    return value


@pytest.mark.parametrize("case", list(BAD_REQUESTS))
def test_bad_input_never_gets_a_500(client, login, sweep_world, case, caplog):
    caplog.set_level(logging.ERROR)
    who, method, url, data = BAD_REQUESTS[case]
    if who is not None:
        login(client, sweep_world[who])
    url, data = fill(url, sweep_world), fill(data, sweep_world)
    response = getattr(client, method)(url, data=data) if data is not None \
        else getattr(client, method)(url)
    assert response.status_code < 500, (
        f"{method.upper()} {url[:120]} -> {response.status_code}\n"
        + caplog.text[-3000:])
