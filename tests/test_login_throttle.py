"""Failed sign-ins slow the guesser down, never lock the owner out."""

import pytest
from sqlalchemy import select

from portal import create_app
from portal.audit import AuditEvent
from portal.auth import throttle
from portal.extensions import db
from tests.conftest import DEFAULT_PASSWORD, REDIS_TEST_URL, IsolatedClient
from tests.conftest import test_config as build_config
from tests.helpers import page_text

ATTACKER, OWNER, ELSEWHERE = "198.51.100.66", "203.0.113.10", "192.0.2.7"
WRONG = "Wrong-Password-1"


def attempt(client, email, password, address, **kwargs):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address}, **kwargs)


def throttle_events(user) -> list[dict]:
    db.session.expire_all()
    return [event.detail for event in db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "auth.login_throttled", AuditEvent.target_id == user.id))]


def test_someone_elses_failures_never_lock_the_owner_out(client, make_user):
    owner = make_user()
    for _ in range(20):
        attempt(client, owner.email, WRONG, ATTACKER)
    response = attempt(client, owner.email, DEFAULT_PASSWORD, OWNER)
    assert response.status_code == 302  # signed in from their own address


def test_repeated_failures_from_one_address_back_off(client, make_user, monkeypatch):
    owner = make_user()
    for number in range(1, 6):
        response = attempt(client, owner.email, WRONG, ATTACKER)
        assert response.status_code == 200, f"failure {number} is answered normally"
    response = attempt(client, owner.email, DEFAULT_PASSWORD, ATTACKER)
    assert response.status_code == 429  # even the right password waits its turn here
    assert "Too many failed attempts. Please wait 1 second" in page_text(response)

    # Each failure after the wait doubles the next wait.
    waits = []
    for _ in range(4):
        wait_key = throttle._keys(owner.email, throttle.Source(ATTACKER))[1]
        throttle.storage().clear(wait_key)  # as if the wait had passed
        assert attempt(client, owner.email, WRONG, ATTACKER).status_code == 200
        waits.append(asked_to_wait(attempt(client, owner.email, WRONG, ATTACKER)))
    assert waits == [2, 4, 8, 16]


def asked_to_wait(response) -> int:
    assert response.status_code == 429
    return int(page_text(response).split("Please wait ")[1].split(" second")[0])


def test_a_correct_password_clears_the_addresss_failures(client, make_user):
    owner = make_user()
    for _ in range(4):
        attempt(client, owner.email, WRONG, OWNER)
    assert attempt(client, owner.email, DEFAULT_PASSWORD, OWNER).status_code == 302
    client.post("/logout")
    for number in range(4):
        assert attempt(client, owner.email, WRONG, OWNER).status_code == 200, number


@pytest.fixture
def low_ceiling(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ACCOUNT_CEILING", 6)
    return app


def test_the_account_ceiling_stops_a_spread_out_guess_but_not_a_known_device(
        low_ceiling, client, make_user):
    owner = make_user()
    known = client.application.test_client()
    assert attempt(known, owner.email, DEFAULT_PASSWORD, OWNER).status_code == 302
    assert known.get_cookie(throttle.DEVICE_COOKIE) is not None
    known.post("/logout")

    for number in range(6):  # six addresses, one guess each
        attempt(client, owner.email, WRONG, f"198.51.100.{number + 1}")
    stranger = client.application.test_client()
    response = attempt(stranger, owner.email, DEFAULT_PASSWORD, ELSEWHERE)
    assert response.status_code == 429  # a new device must wait out the ceiling

    response = attempt(known, owner.email, DEFAULT_PASSWORD, ELSEWHERE)
    assert response.status_code == 302  # the owner's own browser, from anywhere


def test_a_device_cookie_for_another_account_counts_for_nothing(low_ceiling, client,
                                                               make_user):
    owner, mallory = make_user(), make_user()
    browser = client.application.test_client()
    assert attempt(browser, mallory.email, DEFAULT_PASSWORD, ATTACKER).status_code == 302
    browser.post("/logout")
    for number in range(6):
        attempt(client, owner.email, WRONG, f"198.51.100.{number + 1}")
    assert attempt(browser, owner.email, DEFAULT_PASSWORD, ATTACKER).status_code == 429


def test_throttling_is_written_to_the_audit_log_for_admins(low_ceiling, client, make_user,
                                                           login):
    owner = make_user()
    for _ in range(5):
        attempt(client, owner.email, WRONG, ATTACKER)
    assert throttle_events(owner) == [{"scope": "address", "failures": 5}]
    attempt(client, owner.email, WRONG, OWNER)
    assert throttle_events(owner)[-1] == {"scope": "account", "failures": 6}

    admin = make_user(roles=("admin",))
    login(client, admin)
    page = page_text(client.get("/admin/audit?action=auth.login_throttled"))
    assert "auth.login_throttled" in page and ATTACKER in page


@pytest.mark.redis
def test_with_redis_every_worker_sees_the_same_failures(app, tmp_dir, make_user, redis_conn):
    workers = []
    for _ in range(2):  # two gunicorn workers: two apps, one Redis
        worker = create_app(build_config(tmp_dir, RATELIMIT_STORAGE_URI=REDIS_TEST_URL))
        worker.test_client_class = IsolatedClient
        workers.append(worker)
    owner = make_user()
    first, second = (worker.test_client() for worker in workers)
    for number in range(5):  # alternate workers, as a load balancer would
        attempt((first, second)[number % 2], owner.email, WRONG, ATTACKER)
    assert attempt(second, owner.email, DEFAULT_PASSWORD, ATTACKER).status_code == 429
    assert attempt(first, owner.email, DEFAULT_PASSWORD, OWNER).status_code == 302
