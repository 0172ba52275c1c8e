"""Every endpoint declares who may use it, and the declaration is enforced for every role."""

import pytest
from werkzeug.routing import IntegerConverter

from portal.auth.models import ROLES
from portal.auth.permissions import access_of
from portal.extensions import db
from portal.security import STATIC_ENDPOINTS
from tests.helpers import apply, open_opening

# The only pages anyone may open without logging in. A new public page must be added here on
# purpose, so nothing becomes public by accident.
PUBLIC = {
    "careers.index", "careers.opening", "careers.privacy", "health.healthz",
    "auth.register", "auth.login", "auth.verify_email", "auth.forgot_password",
    "auth.reset_password",
    # Course content on COURSE_CONTENT_ORIGIN: no cookie there, a signed token in the path
    # instead; 404 on any other host or without the setting (tests/test_course_content_origin.py).
    "course_content.isolated_file", "course_content.launcher",
    # The launcher's farewell commit on a content origin: a signed token for one learner's
    # attempt and lesson is the credential (no portal cookie crosses sites).
    "course_player.final_commit",
    # Anyone handed a certificate checks its code; the page confirms it and shows nothing else.
    "certificates.verify", "certificates.verify_code",
}


def _endpoints(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in STATIC_ENDPOINTS:
            continue
        values = {arg: 999999 if isinstance(rule._converters[arg], IntegerConverter) else "x"
                  for arg in rule.arguments}
        path = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path


def test_every_endpoint_declares_its_access(app):
    undeclared = {endpoint for endpoint, _, _ in _endpoints(app) if access_of(endpoint) is None}
    assert undeclared == set()


def test_exactly_the_intended_endpoints_are_public(app):
    public = {endpoint for endpoint, _, _ in _endpoints(app) if access_of(endpoint).is_public}
    assert public == PUBLIC


def test_anonymous_users_are_sent_to_login_everywhere_else(client, app):
    for endpoint, method, path in _endpoints(app):
        if endpoint in PUBLIC:
            continue
        response = client.open(path, method=method)
        assert response.status_code == 302, f"{method} {path} answered {response.status_code}"
        assert "/login" in response.headers["Location"], f"{method} {path}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_refused_where_it_has_no_access(client, app, make_user, login, role):
    login(client, make_user(roles=(role,)))
    checked = 0
    for endpoint, method, path in _endpoints(app):
        access = access_of(endpoint)
        if access.is_public or not access.roles or role in access.roles:
            continue
        response = client.open(path, method=method)
        assert response.status_code == 403, f"{role}: {method} {path} -> {response.status_code}"
        checked += 1
    if role in ("candidate", "trainer", "qa"):
        assert checked > 5  # these roles reach no staff page at all


def test_a_candidate_never_sees_or_touches_another_candidates_application(
        client, make_user, login):
    manager = make_user(roles=("manager",))
    alice, bob = make_user(), make_user()
    opening = open_opening(manager)
    alices = apply(opening, alice)
    db.session.commit()

    login(client, bob)
    # Guessing ids: someone else's application and one that does not exist look the same.
    for application_id in (alices.id, alices.id + 1000):
        assert client.get(f"/me/applications/{application_id}").status_code == 404
        assert client.post(f"/me/applications/{application_id}/withdraw").status_code == 404
    assert client.get(f"/pipeline/applications/{alices.id}").status_code == 403
    dashboard = client.get("/me").get_data(as_text=True)
    assert alice.email not in dashboard
    export = client.get("/me/data/export.json").get_data(as_text=True)
    assert alice.email not in export and alice.full_name not in export
    db.session.refresh(alices)
    assert alices.stage == "applied"
