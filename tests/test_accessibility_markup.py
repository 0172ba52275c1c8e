"""Accessibility that shows in the HTML itself (no browser needed): autocomplete purposes, the
error summary of a refused form, checkbox-group errors announced on each box, named table headers,
step status in text. The browser checks (axe-core, reflow, contrast) are in
tests/browser/test_accessibility.py."""

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.mail import OutboxEmail
from portal.recruiting import services, steps
from tests.helpers import apply, open_opening


class _Elements(HTMLParser):
    """Every start tag as (tag, attrs, text inside it up to its end tag, roughly)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self._open: list[dict] = []

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": {k: (v or "") for k, v in attrs}, "text": ""}
        self.elements.append(element)
        if tag not in ("input", "br", "hr", "img", "meta", "link", "option"):
            self._open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index]["tag"] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data


def elements(html: str) -> list[dict]:
    parser = _Elements()
    parser.feed(html)
    return parser.elements


def by_id(html: str, element_id: str) -> dict:
    found = [e for e in elements(html) if e["attrs"].get("id") == element_id]
    assert len(found) == 1, f"expected one element with id={element_id!r}, found {len(found)}"
    return found[0]


def text(element: dict) -> str:
    return " ".join(element["text"].split())


@pytest.fixture
def manager(make_user):
    return make_user(roles=("manager",), full_name="Morgan Manager")


def reset_path(client, user) -> str:
    client.post("/password/forgot", data={"email": user.email})
    db.session.expire_all()
    body = db.session.scalars(select(OutboxEmail.body_text).where(
        OutboxEmail.recipient_id == user.id, OutboxEmail.template == "password_reset")).first()
    return re.search(r"https?://[^/\s]+(/password/reset/[^\s\"<]+)", body).group(1)


# --- autocomplete (WCAG 1.3.5, identify input purpose) ----------------------------------------

AUTH_FORMS = {
    "/login": {"email": "email", "password": "current-password"},
    "/register": {"full_name": "name", "email": "email", "password": "new-password",
                  "confirm": "new-password"},
    "/password/forgot": {"email": "email"},
}


@pytest.mark.parametrize("path", list(AUTH_FORMS))
def test_sign_in_forms_name_the_purpose_of_each_field(client, path):
    page = client.get(path).get_data(as_text=True)
    for field_id, purpose in AUTH_FORMS[path].items():
        assert by_id(page, field_id)["attrs"].get("autocomplete") == purpose, (path, field_id)


def test_reset_form_asks_for_a_new_password(client, make_user):
    path = reset_path(client, make_user())
    page = client.get(path).get_data(as_text=True)
    for field_id in ("password", "confirm"):
        assert by_id(page, field_id)["attrs"].get("autocomplete") == "new-password", field_id


def test_apply_form_names_the_purpose_of_the_candidates_details(client, make_user, login,
                                                               manager):
    opening = open_opening(manager)
    candidate = make_user()
    login(client, candidate)
    page = client.get(f"/jobs/{opening.id}/apply").get_data(as_text=True)
    for field_id, purpose in {"full_name": "name", "email": "email", "phone": "tel",
                              "country": "country"}.items():
        assert by_id(page, field_id)["attrs"].get("autocomplete") == purpose, field_id


def test_new_staff_account_form_never_fills_in_the_admins_own_details(client, make_user, login):
    login(client, make_user(roles=("admin",)))
    page = client.get("/admin/users/new").get_data(as_text=True)
    purposes = {field_id: by_id(page, field_id)["attrs"].get("autocomplete")
                for field_id in ("full_name", "email", "password", "confirm")}
    assert purposes == {"full_name": "off", "email": "off", "password": "new-password",
                        "confirm": "new-password"}


# --- the error summary ------------------------------------------------------------------------

def summary_of(page: str) -> tuple[dict, list[str]]:
    """The error summary and the ids its links point to."""
    found = [e for e in elements(page) if "data-error-summary" in e["attrs"]]
    assert len(found) == 1, "expected one error summary on the page"
    summary = found[0]
    assert summary["attrs"].get("tabindex") == "-1", "the script must be able to focus it"
    assert summary["attrs"].get("role") == "alert"
    links = re.findall(r'<a class="alert-link" href="#([^"]+)"',
                       page.split("data-error-summary", 1)[1].split("</ul>", 1)[0])
    return summary, links


@pytest.mark.parametrize("path, fields", [
    ("/login", ["email", "password"]),
    ("/register", ["full_name", "email", "password", "confirm"]),
    ("/password/forgot", ["email"]),
])
def test_refused_sign_in_forms_list_every_problem_at_the_top(client, path, fields):
    page = client.post(path, data={}).get_data(as_text=True)
    summary, links = summary_of(page)
    assert "Please correct" in text(summary)
    assert links == fields
    for field_id in fields:  # each link lands on a field that says what is wrong with it
        field = by_id(page, field_id)
        assert field["attrs"].get("aria-invalid") == "true"
        assert f"{field_id}-error" in field["attrs"].get("aria-describedby", "").split()
        assert text(by_id(page, f"{field_id}-error"))


def test_every_page_loads_the_script_that_focuses_the_summary(client, app):
    page = client.get("/").get_data(as_text=True)
    assert '<script src="/static/js/forms.js"></script>' in page
    script = client.get("/static/js/forms.js")
    assert script.status_code == 200
    assert "[data-error-summary]" in script.get_data(as_text=True)
    script.close()


# --- checkbox groups: the error is announced on each box --------------------------------------

def assert_group_error_on_each_box(page: str, name: str, message: str):
    boxes = [e for e in elements(page)
             if e["tag"] == "input" and e["attrs"].get("name") == name]
    assert boxes, f"no checkboxes named {name}"
    for box in boxes:
        assert f"{name}-error" in box["attrs"].get("aria-describedby", "").split(), box
        assert box["attrs"].get("aria-invalid") == "true", box
    assert message in text(by_id(page, f"{name}-error"))
    group = by_id(page, f"{name}-group")
    assert group["tag"] == "fieldset"
    legends = [e for e in elements(page.split(f'id="{name}-group"', 1)[1]) if e["tag"] == "legend"]
    assert legends and text(legends[0]), "the group needs a legend naming it"


def test_apply_form_ties_checkbox_group_errors_to_every_box(client, make_user, login, manager):
    opening = open_opening(manager)
    login(client, make_user())
    page = client.post(f"/jobs/{opening.id}/apply", data={"phone": "+1 555 123 4567"}
                       ).get_data(as_text=True)
    for name, message in (("availability_days", "Choose at least one day."),
                          ("availability_shifts", "Choose at least one shift."),
                          ("languages", "Choose at least one language.")):
        assert_group_error_on_each_box(page, name, message)
    _, links = summary_of(page)
    assert "availability_days-0" in links  # the summary jumps to the group's first box


def test_new_staff_account_form_ties_the_roles_error_to_every_box(client, make_user, login):
    login(client, make_user(roles=("admin",)))
    page = client.post("/admin/users/new", data={"full_name": "Sam Staff"}
                       ).get_data(as_text=True)
    assert_group_error_on_each_box(page, "roles", "Choose at least one role.")
    _, links = summary_of(page)
    assert "roles-0" in links


# --- tables and status ------------------------------------------------------------------------

def test_openings_table_names_every_column(client, make_user, login, manager):
    open_opening(manager)
    login(client, manager)
    page = client.get("/openings/").get_data(as_text=True)
    headers = [e for e in elements(page) if e["tag"] == "th"]
    assert headers
    assert all(text(header) for header in headers), [h["attrs"] for h in headers]


def test_pipeline_step_status_is_said_in_text_not_only_colour(client, make_user, login, manager):
    keys = [step.key for step in steps.all_steps()][:2]
    if len(keys) < 2:
        pytest.skip("needs two registered application steps")
    opening = open_opening(manager, steps=keys)
    application = apply(opening, make_user(full_name="Riley Steps"))
    services.record_step(application, keys[0], steps.COMPLETED)
    login(client, manager)
    page = client.get("/pipeline/?stage=all").get_data(as_text=True)
    hidden = [text(e) for e in elements(page)
              if "visually-hidden" in e["attrs"].get("class", "").split()]
    first, second = steps.get(keys[0]).title, steps.get(keys[1]).title
    assert f"{first}: Done;" in hidden
    assert f"{second}: To do;" in hidden
