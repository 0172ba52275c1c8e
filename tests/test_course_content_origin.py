"""COURSE_CONTENT_ORIGIN: a version's files served on a separate origin, to a signed,
short-lived token in the path instead of the portal's cookie, and only on that origin's host;
the portal's own host then serves no uploaded file. The browser half (the launcher and the
postMessage bridge) is tests/browser/test_course_player_flow.py's isolated variant."""

import json

import pytest

from courses import content_views, importing
from courses.content_views import (
    ISOLATED_CONTENT_SECURITY_POLICY,
    LAUNCHER_SECURITY_POLICY,
    content_token,
)
from portal.extensions import db
from portal.security import content_security_policy
from tests import test_course_tracking as tracking
from tests.conftest import IsolatedClient
from tests.test_course_import import PAGE, SCRIPT, tiny_package
from tests.test_course_tracking import commit, launch, open_attempt, sco

CONTENT = "http://127.0.0.1"  # the content origin; the portal is http://localhost (the default)
PORTAL = "http://localhost"
learning = tracking.learning  # a learner signed in, registered to a SCORM 1.2 course


@pytest.fixture
def isolated(app, monkeypatch):
    monkeypatch.setitem(app.config, "COURSE_CONTENT_ORIGIN", CONTENT)
    return app


@pytest.fixture
def versions(app, tmp_path, make_user):
    trainer = make_user(roles=("trainer",))
    first = importing.import_package(tiny_package(tmp_path / "a.zip"), actor=trainer)
    second = importing.import_package(tiny_package(tmp_path / "b.zip"), actor=trainer)
    db.session.commit()
    return trainer, first, second


def token_for(app, version, user) -> str:
    with app.test_request_context():
        return content_token(version.id, user.id, PORTAL)


def test_a_good_token_on_the_content_host_gets_the_file_with_the_content_policy(
        isolated, client, versions):
    trainer, version, _ = versions
    token = token_for(isolated, version, trainer)

    page = client.get(f"/courses/isolated/{token}/{version.id}/index.html", base_url=CONTENT)
    assert page.status_code == 200
    assert page.data == PAGE
    assert page.headers["Content-Security-Policy"] == \
        ISOLATED_CONTENT_SECURITY_POLICY.format(portal=PORTAL)
    assert "Set-Cookie" not in page.headers
    # A relative URL of the page keeps the token: it is a path segment.
    script = client.get(f"/courses/isolated/{token}/{version.id}/shared/app.js",
                        base_url=CONTENT)
    assert script.status_code == 200 and script.data == SCRIPT


def test_a_bad_expired_or_other_versions_token_and_the_portal_host_are_refused(
        isolated, client, versions, monkeypatch):
    trainer, version, other = versions
    token = token_for(isolated, version, trainer)
    url = f"/courses/isolated/{token}/{version.id}/index.html"

    assert client.get(url, base_url=PORTAL).status_code == 404  # the portal's own host
    assert client.get(f"/courses/isolated/{token}x/{version.id}/index.html",
                      base_url=CONTENT).status_code == 404
    with isolated.test_request_context():  # signed with another key
        isolated.config["SECRET_KEY"], key = "another-secret-key-long-enough", \
            isolated.config["SECRET_KEY"]
        try:
            forged = content_token(version.id, trainer.id, PORTAL)
        finally:
            isolated.config["SECRET_KEY"] = key
    assert client.get(f"/courses/isolated/{forged}/{version.id}/index.html",
                      base_url=CONTENT).status_code == 404
    assert client.get(f"/courses/isolated/{token}/{other.id}/index.html",
                      base_url=CONTENT).status_code == 404
    assert client.get(f"/courses/isolated/{token}/{version.id}/missing.html",
                      base_url=CONTENT).status_code == 404
    assert client.get(url, base_url=CONTENT).status_code == 200
    monkeypatch.setattr(content_views, "TOKEN_MAX_AGE", -1)  # every token is too old
    assert client.get(url, base_url=CONTENT).status_code == 404


def test_without_the_setting_the_isolated_routes_do_not_exist(app, client, versions):
    trainer, version, _ = versions
    token = token_for(app, version, trainer)
    assert client.get(f"/courses/isolated/{token}/{version.id}/index.html",
                      base_url=CONTENT).status_code == 404
    assert client.get(f"/courses/isolated/{token}/launcher", base_url=CONTENT).status_code == 404


def test_the_launcher_is_served_on_the_content_host_only(isolated, client, versions):
    trainer, version, _ = versions
    token = token_for(isolated, version, trainer)

    launcher = client.get(f"/courses/isolated/{token}/launcher", base_url=CONTENT)
    assert launcher.status_code == 200
    assert launcher.headers["Content-Security-Policy"] == LAUNCHER_SECURITY_POLICY.format(
        portal=PORTAL, final_commits="/me/courses/final-commits/")
    html = launcher.get_data(as_text=True)
    assert f'data-portal-origin="{PORTAL}"' in html
    assert "scorm_runtime.js" in html and "scorm_bridge.js" in html
    assert client.get(f"/courses/isolated/{token}/launcher", base_url=PORTAL).status_code == 404
    assert client.get("/courses/isolated/nonsense/launcher", base_url=CONTENT).status_code == 404


def test_the_player_frames_the_launcher_and_the_portal_serves_no_content(
        isolated, client, login, versions):
    trainer, version, _ = versions
    login(client, trainer)

    assert client.get(f"/courses/content/{version.id}/index.html").status_code == 404
    page = client.get(f"/me/courses/preview/{version.id}")
    html = page.get_data(as_text=True)
    assert f'data-content-origin="{CONTENT}"' in html
    assert f'data-launcher-url="{CONTENT}/courses/isolated/' in html
    item = version.launch_items[0]["identifier"]
    state = client.get(f"/me/courses/preview/{version.id}/scos/{item}/state").get_json()
    assert state["launch"].startswith(f"{CONTENT}/courses/isolated/")
    assert state["launch"].endswith(f"/{version.id}/index.html")
    # The token in it opens the file on the content origin, without the portal's cookie.
    path = state["launch"].removeprefix(CONTENT)
    isolated.test_client_class = type(client)
    assert isolated.test_client().get(path, base_url=CONTENT).status_code == 200
    # Each launch brings a launcher URL of its own, its token made now: a player page left
    # open longer than a token lives still opens its next lesson.
    launcher = state["launcher"].removeprefix(CONTENT)
    assert state["launcher"].startswith(f"{CONTENT}/courses/isolated/")
    assert isolated.test_client().get(launcher, base_url=CONTENT).status_code == 200


def test_the_portal_policy_frames_the_content_origin_only_when_set():
    base = {"STORAGE_BACKEND": "local"}
    assert "frame-src" not in content_security_policy(base)
    policy = content_security_policy({**base, "COURSE_CONTENT_ORIGIN": CONTENT})
    assert f"frame-src 'self' {CONTENT}; child-src 'self' {CONTENT}" in policy
    assert "frame-ancestors 'none'" in policy


# --- the launcher's farewell commit ------------------------------------------------------------

@pytest.fixture
def launched(isolated, learning):
    """A learner on the content origin's setting, a SCORM 1.2 SCO launched: (client, attempt
    id, the state the player got)."""
    client, registration = learning
    attempt_id = open_attempt(client, registration)
    return client, attempt_id, launch(client, attempt_id)


def farewell(app, url: str, changes, terminate=True):
    """The launcher's beacon: text/plain, from the content origin, with no portal cookie."""
    app.test_client_class = IsolatedClient
    return app.test_client().post(url.removeprefix(PORTAL), base_url=PORTAL,
                                  data=json.dumps({"changes": changes, "terminate": terminate}),
                                  content_type="text/plain")


def test_the_launchers_farewell_ends_the_session_with_what_the_content_set_last(
        isolated, launched):
    client, attempt_id, state = launched
    assert state["final"].startswith(f"{PORTAL}/me/courses/final-commits/")
    commit(client, attempt_id, state["seq"] + 1, [["cmi.core.lesson_location", "page-3"]])

    answer = farewell(isolated, state["final"], [["cmi.core.lesson_location", "page-4"],
                                                 ["cmi.core.session_time", "00:00:42"],
                                                 ["cmi.core.exit", "suspend"]])
    assert answer.status_code == 200
    stored = sco(attempt_id)
    assert stored.terminated and stored.exit == "suspend"
    assert stored.values["cmi.core.lesson_location"] == "page-4"
    assert stored.total_seconds == 42
    # The player's own last beacon, later on the way: stale, the session has ended.
    late = commit(client, attempt_id, state["seq"] + 2, [["cmi.core.lesson_location", "p2"]],
                  beacon=True)
    assert late.status_code == 409 and sco(attempt_id).values["cmi.core.lesson_location"] == \
        "page-4"
    assert farewell(isolated, state["final"], []).status_code == 409  # once only


def test_a_farewell_token_that_is_forged_or_names_someone_elses_attempt_is_refused(
        isolated, launched, make_user):
    from itsdangerous import URLSafeTimedSerializer

    from courses.player_views import FINAL_COMMIT_SALT

    _, attempt_id, state = launched
    changes = [["cmi.core.lesson_location", "forged"]]
    assert farewell(isolated, state["final"] + "x", changes).status_code == 404
    other = make_user(roles=("agent",))
    db.session.commit()
    signer = URLSafeTimedSerializer(isolated.config["SECRET_KEY"], salt=FINAL_COMMIT_SALT)
    theirs = signer.dumps({"a": attempt_id, "i": "lesson", "u": other.id, "s": 1999999})
    assert farewell(isolated, f"/me/courses/final-commits/{theirs}", changes).status_code == 404
    assert sco(attempt_id).values.get("cmi.core.lesson_location") != "forged"


def test_a_same_origin_launch_has_no_farewell(learning):
    client, registration = learning
    assert "final" not in launch(client, open_attempt(client, registration))


def test_a_farewell_with_a_bad_body_is_refused_and_changes_nothing(isolated, launched):
    client, attempt_id, state = launched
    commit(client, attempt_id, state["seq"] + 1, [["cmi.core.lesson_location", "page-3"]])
    url = state["final"].removeprefix(PORTAL)
    isolated.test_client_class = IsolatedClient
    beacon = isolated.test_client()
    for body in ("not json", "[]", json.dumps({"changes": "cmi.core.exit"})):
        answer = beacon.post(url, base_url=PORTAL, data=body, content_type="text/plain")
        assert answer.status_code == 400, body
    refused = farewell(isolated, state["final"], [["cmi.core.lesson_location", "x" * 300],
                                                  ["cmi.core.exit", "never-heard-of"]])
    assert refused.status_code == 422 and refused.get_json()["errors"]
    assert beacon.get(url, base_url=PORTAL).status_code == 405
    stored = sco(attempt_id)
    assert not stored.terminated and stored.values["cmi.core.lesson_location"] == "page-3"
