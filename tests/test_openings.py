"""Openings as a hiring manager handles them (draft, validate, publish, edit, close) and what the
public and candidates see of them."""

import html
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.extensions import db
from portal.recruiting import services
from portal.recruiting.models import CLOSED, DRAFT, OPEN, Application, Opening
from tests.conftest import IsolatedClient
from tests.helpers import APPLY_FORM, page_text

TITLE = "Customer Service Agent (Remote, US)"
FORM = {
    "title": TITLE,
    "summary": "Help customers of a national retailer by phone and chat from home.",
    "description": "You answer questions about orders, returns and deliveries.\n\n"
                   "Paid two-week online training.",
    "requirements": "High-school diploma or equivalent\nQuiet, dedicated workspace",
    "pay_min": "16.00", "pay_max": "18.50", "pay_currency": "USD", "pay_period": "hour",
    "hours_min": "30", "hours_max": "40", "shifts": ["morning", "evening"],
    "countries": ["US", "CA"], "time_zones": [],
    "steps": ["skills_assessment", "sample_call"],
}


def as_browser_sends(text: str) -> str:
    """Browsers submit a textarea's line breaks as CRLF."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def alerts(response) -> list[str]:
    """The flashed messages shown on the page."""
    found = re.findall(r'<div class="alert [^"]*" role="alert">(.*?)<button',
                       response.get_data(as_text=True), flags=re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split()) for text in found]


class _FormReader(HTMLParser):
    """What a browser would submit for the page's main form (the one without an action)."""

    def feed(self, data):
        super().feed(data.replace("\r\n", "\n"))  # HTML parsing normalises newlines

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, list[str]] = {}
        self._in_form = False
        self._select = None
        self._option = None
        self._textarea = None

    def _add(self, name, value):
        self.fields.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_form = "action" not in attrs
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(name, attrs.get("value", "on"))
            else:
                self._add(name, attrs.get("value", ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self._option = attrs.get("value")
            self._add(self._select, self._option)
        elif tag == "textarea":
            self._textarea = name
            self._add(name, "")

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Browsers drop the one newline right after <textarea>, and send line breaks
            # as CRLF.
            value = self.fields[self._textarea][-1]
            value = value[1:] if value.startswith("\n") else value
            self.fields[self._textarea][-1] = as_browser_sends(value)
            self._textarea = None


def form_values(response) -> dict[str, list[str]]:
    reader = _FormReader()
    reader.feed(response.get_data(as_text=True))
    return reader.fields


@pytest.fixture
def manager(make_user):
    return make_user(roles=("manager",), full_name="Morgan Rivera")


@pytest.fixture
def manager_client(client, login, manager):
    login(client, manager)
    return client


def browser_for(app):
    """A browser of its own: every request in its own app context (see conftest)."""
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def anonymous(app):
    return browser_for(app)


def opening_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Opening))


def only_opening_titled(title: str) -> Opening:
    db.session.expire_all()
    (opening,) = db.session.scalars(select(Opening).where(Opening.title == title))
    return opening


def audit_actions(opening: Opening) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_type == "openings", AuditEvent.target_id == opening.id)
        .order_by(AuditEvent.id)))


def create_via_form(manager_client, **changes) -> Opening:
    response = manager_client.post("/openings/new", data={**FORM, **changes})
    assert response.status_code == 302, page_text(response)
    opening = only_opening_titled(changes.get("title", TITLE))
    assert response.headers["Location"] == f"/openings/{opening.id}/edit"
    return opening


def set_status(manager_client, opening, status):
    response = manager_client.post(f"/openings/{opening.id}/status", data={"status": status},
                                   follow_redirects=True)
    assert response.status_code == 200
    return response


def service_opening(manager, **changes) -> Opening:
    fields = dict(
        title="Bilingual Support Agent", summary="Support customers in English and Spanish.",
        pay_min=18, pay_max=21, pay_currency="USD", pay_period="hour", hours_min=35,
        hours_max=40, shifts=["afternoon"], countries=["US"], time_zones=[], steps=[],
        status=OPEN)
    fields.update(changes)
    opening = services.create_opening(manager, **fields)
    db.session.commit()
    return opening


# --- creating ------------------------------------------------------------------------------------

def test_manager_creates_a_draft_that_is_not_on_the_careers_page(manager_client, manager,
                                                                 anonymous):
    opening = create_via_form(manager_client)
    assert opening.status == DRAFT
    assert opening.created_by_id == manager.id
    assert (opening.pay_min, opening.pay_max) == (16, 18.5)
    assert (opening.hours_min, opening.hours_max) == (30, 40)
    assert opening.shifts == ["morning", "evening"]
    assert opening.countries == ["US", "CA"]
    assert opening.steps == ["skills_assessment", "sample_call"]
    assert opening.description.startswith("You answer questions")

    edit_page = manager_client.get(f"/openings/{opening.id}/edit")
    assert "Opening saved as a draft." in page_text(edit_page)

    assert TITLE not in page_text(anonymous.get("/"))
    assert anonymous.get(f"/jobs/{opening.id}").status_code == 404
    assert "opening.created" in audit_actions(opening)


@pytest.mark.parametrize("changes, field_message", [
    ({"pay_min": "20", "pay_max": "15"}, "Must not be less than the lower bound."),
    ({"hours_min": "40", "hours_max": "20"}, "Must not be less than the lower bound."),
    ({"shifts": []}, "Choose at least one shift."),
    ({"title": ""}, "This field is required."),
    ({"pay_min": "-5"}, "Number must be between"),
    ({"hours_max": "100"}, "Number must be between 1 and 80."),
], ids=["pay-max-below-min", "hours-max-below-min", "no-shift", "no-title", "negative-pay",
        "too-many-hours"])
def test_invalid_openings_are_refused_with_a_message(manager_client, changes, field_message):
    before = opening_count()
    response = manager_client.post("/openings/new", data={**FORM, **changes})
    assert response.status_code == 200
    assert field_message in page_text(response)
    assert opening_count() == before


def test_the_message_sits_next_to_the_field_it_is_about(manager_client):
    response = manager_client.post("/openings/new", data={**FORM, "pay_min": "20",
                                                          "pay_max": "15"})
    body = response.get_data(as_text=True)
    pay_max = body.index('name="pay_max"')
    message = body.find("Must not be less than the lower bound.", pay_max)
    assert pay_max < message < body.index('name="pay_currency"')


# --- publishing, editing, closing ----------------------------------------------------------------

def test_published_opening_is_listed_with_pay_hours_and_location(manager_client, anonymous):
    opening = create_via_form(manager_client)
    response = set_status(manager_client, opening, "open")
    assert "Opening published on the careers page." in page_text(response)
    assert only_opening_titled(TITLE).status == OPEN

    careers = page_text(anonymous.get("/"))
    assert TITLE in careers
    assert "16.00–18.50 USD per hour" in careers
    assert "30–40 hours per week" in careers
    assert "Remote from United States, Canada" in careers
    assert "Morning (6am-12pm), Evening (6pm-12am)" in careers

    page = anonymous.get(f"/jobs/{opening.id}")
    assert page.status_code == 200
    text = page_text(page)
    assert "30–40 hours per week" in text and "Quiet, dedicated workspace" in text
    assert "Apply now" in text
    assert audit_actions(opening) == ["opening.created", "opening.open"]


def test_edit_form_shows_the_saved_values_and_saving_it_keeps_them(manager_client):
    typed = {name: as_browser_sends(FORM[name]) for name in ("description", "requirements")}
    opening = create_via_form(manager_client, **typed)
    set_status(manager_client, opening, "open")
    edit_page = manager_client.get(f"/openings/{opening.id}/edit")
    values = form_values(edit_page)
    assert values["title"] == [TITLE]
    assert values["pay_min"] == ["16.00"] and values["pay_max"] == ["18.50"]
    assert values["hours_min"] == ["30"] and values["hours_max"] == ["40"]
    assert values["shifts"] == ["morning", "evening"]
    assert values["countries"] == ["US", "CA"]
    assert values["steps"] == ["skills_assessment", "sample_call"]
    assert values["description"] == [typed["description"]]
    assert values["requirements"] == [typed["requirements"]]

    # Change only the title, submitting everything else as the page shows it.
    values["title"] = ["Customer Service Agent (Remote, US and Canada)"]
    response = manager_client.post(f"/openings/{opening.id}/edit", data=values)
    assert response.status_code == 302, page_text(response)

    edited = only_opening_titled("Customer Service Agent (Remote, US and Canada)")
    assert edited.id == opening.id
    assert edited.status == OPEN
    assert (edited.pay_min, edited.pay_max, edited.pay_currency, edited.pay_period) == \
        (16, 18.5, "USD", "hour")
    assert (edited.hours_min, edited.hours_max) == (30, 40)
    assert edited.shifts == ["morning", "evening"]
    assert edited.countries == ["US", "CA"]
    assert edited.steps == ["skills_assessment", "sample_call"]
    for name in ("description", "requirements"):  # the same text, whatever the line ends
        assert getattr(edited, name).replace("\r\n", "\n") == FORM[name]

    (updated,) = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "opening.updated", AuditEvent.target_id == opening.id))
    assert updated.detail == {"fields": ["title"]}


def test_description_typed_in_a_browser_shows_its_paragraphs(manager_client, anonymous):
    opening = create_via_form(manager_client, description=as_browser_sends(
        "You answer questions about orders.\n\nPaid two-week online training."),
        requirements=as_browser_sends("High-school diploma\nQuiet workspace"))
    set_status(manager_client, opening, "open")
    body = anonymous.get(f"/jobs/{opening.id}").get_data(as_text=True)
    shown = body[body.index('<p class="lead">'):body.index("What you need")]
    assert re.search(r"<p>\s*You answer questions about orders\.\s*</p>", body), shown
    assert re.search(r"<p>\s*Paid two-week online training\.\s*</p>", body)
    assert "<li>High-school diploma</li>" in body and "<li>Quiet workspace</li>" in body


def test_edit_refuses_invalid_values_and_keeps_the_old_ones(manager_client):
    opening = create_via_form(manager_client)
    response = manager_client.post(f"/openings/{opening.id}/edit",
                                   data={**FORM, "hours_min": "40", "hours_max": "10"})
    assert response.status_code == 200
    assert "Must not be less than the lower bound." in page_text(response)
    db.session.expire_all()
    assert (db.session.get(Opening, opening.id).hours_min,
            db.session.get(Opening, opening.id).hours_max) == (30, 40)


def test_closed_opening_leaves_the_careers_page_but_managers_can_preview_it(
        manager_client, anonymous):
    opening = create_via_form(manager_client)
    set_status(manager_client, opening, "open")
    response = set_status(manager_client, opening, "closed")
    assert "Opening closed: it no longer takes applications." in page_text(response)
    closed = only_opening_titled(TITLE)
    assert closed.status == CLOSED and closed.closed_at is not None

    assert TITLE not in page_text(anonymous.get("/"))
    assert anonymous.get(f"/jobs/{opening.id}").status_code == 404

    preview = manager_client.get(f"/jobs/{opening.id}")
    assert preview.status_code == 200
    text = page_text(preview)
    assert "Preview: this opening is closed" in text
    assert "Apply now" not in text
    assert audit_actions(opening) == ["opening.created", "opening.open", "opening.closed"]


def test_closed_opening_takes_no_applications(app, manager, make_user, login):
    opening = service_opening(manager, status=CLOSED)
    candidate = make_user()
    browser = browser_for(app)
    login(browser, candidate)
    assert browser.get(f"/jobs/{opening.id}").status_code == 404
    assert browser.get(f"/jobs/{opening.id}/apply").status_code == 404
    assert browser.post(f"/jobs/{opening.id}/apply", data=APPLY_FORM).status_code == 404
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Application).where(
        Application.opening_id == opening.id)) == 0


def test_draft_opening_takes_no_applications(app, manager, make_user, login):
    opening = service_opening(manager, status=DRAFT)
    browser = browser_for(app)
    login(browser, make_user())
    assert browser.post(f"/jobs/{opening.id}/apply", data=APPLY_FORM).status_code == 404
    assert browser.get(f"/jobs/{opening.id}").status_code == 404


def test_an_opening_closed_while_the_candidate_fills_the_form_refuses_the_application(
        app, manager, make_user, login):
    opening = service_opening(manager)
    browser = browser_for(app)
    login(browser, make_user())
    assert browser.get(f"/jobs/{opening.id}/apply").status_code == 200
    services.set_opening_status(opening, CLOSED, manager)
    db.session.commit()
    response = browser.post(f"/jobs/{opening.id}/apply", data=APPLY_FORM)
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Application).where(
        Application.opening_id == opening.id)) == 0


def test_moving_back_to_draft_is_audited(manager_client):
    opening = create_via_form(manager_client)
    set_status(manager_client, opening, "open")
    response = set_status(manager_client, opening, "draft")
    assert "Opening moved back to draft." in page_text(response)
    assert audit_actions(opening) == ["opening.created", "opening.open", "opening.draft"]
    assert only_opening_titled(TITLE).status == DRAFT


def test_unknown_status_is_refused(manager_client):
    opening = create_via_form(manager_client)
    response = manager_client.post(f"/openings/{opening.id}/status", data={"status": "archived"})
    assert response.status_code == 400
    assert only_opening_titled(TITLE).status == DRAFT
    assert audit_actions(opening) == ["opening.created"]


# --- who may apply -------------------------------------------------------------------------------

@pytest.fixture
def candidate_client(app, make_user, login):
    browser = browser_for(app)
    candidate = make_user(full_name="Maria Santos")
    login(browser, candidate)
    return browser, candidate


def applications_to(opening) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Application).where(
        Application.opening_id == opening.id))


def test_candidate_outside_the_openings_countries_is_told_and_not_applied(
        manager, candidate_client):
    browser, _ = candidate_client
    opening = service_opening(manager, countries=["US", "CA"])
    response = browser.post(f"/jobs/{opening.id}/apply",
                            data={**APPLY_FORM, "country": "PH", "time_zone": "Asia/Manila"})
    assert response.status_code == 200
    (alert,) = [a for a in alerts(response) if "only open to candidates living in" in a]
    assert "United States" in alert and "Canada" in alert, alert  # names, as on the job page
    assert applications_to(opening) == 0


def test_candidate_outside_the_openings_time_zones_is_told_and_not_applied(
        manager, candidate_client):
    browser, _ = candidate_client
    opening = service_opening(manager, countries=[], time_zones=["America/New_York"])
    response = browser.post(f"/jobs/{opening.id}/apply", data=APPLY_FORM)
    assert response.status_code == 200
    assert any("only open to candidates in these time zones: America/New_York" in alert
               for alert in alerts(response))
    assert applications_to(opening) == 0


def test_candidate_inside_the_openings_countries_applies(manager, candidate_client):
    browser, candidate = candidate_client
    opening = service_opening(manager, countries=["US", "CA"])
    response = browser.post(f"/jobs/{opening.id}/apply", data=APPLY_FORM, follow_redirects=True)
    assert response.status_code == 200
    assert "Your application for Bilingual Support Agent is in." in page_text(response)
    db.session.expire_all()
    (application,) = db.session.scalars(select(Application).where(
        Application.opening_id == opening.id))
    assert application.candidate_id == candidate.id
    assert application.country == "US"


def test_any_country_opening_accepts_every_country(manager, candidate_client):
    browser, _ = candidate_client
    opening = service_opening(manager, countries=[])
    response = browser.post(f"/jobs/{opening.id}/apply",
                            data={**APPLY_FORM, "country": "PH", "time_zone": "Asia/Manila"})
    assert response.status_code == 302
    assert applications_to(opening) == 1


# --- who may manage openings ---------------------------------------------------------------------

@pytest.mark.parametrize("roles", [("candidate",), ("agent",), ("trainer",), ("qa",)])
def test_only_managers_and_admins_reach_the_openings_pages(app, manager, make_user, login, roles):
    opening = service_opening(manager, status=DRAFT)
    browser = browser_for(app)
    login(browser, make_user(roles=roles))
    assert browser.get("/openings/").status_code == 403
    assert browser.get("/openings/new").status_code == 403
    assert browser.post("/openings/new", data=FORM).status_code == 403
    assert browser.get(f"/openings/{opening.id}/edit").status_code == 403
    assert browser.post(f"/openings/{opening.id}/status",
                        data={"status": "open"}).status_code == 403
    assert only_opening_titled("Bilingual Support Agent").status == DRAFT
    assert opening_count() == 1


def test_anonymous_visitors_are_sent_to_log_in(anonymous):
    response = anonymous.get("/openings/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_admin_manages_openings_too(app, make_user, login):
    browser = browser_for(app)
    login(browser, make_user(roles=("admin",)))
    assert browser.get("/openings/").status_code == 200
    assert create_via_form(browser).status == DRAFT


def test_openings_list_shows_every_status_with_counts(manager, manager_client, make_user):
    draft = service_opening(manager, title="Draft role", status=DRAFT)
    live = service_opening(manager, title="Live role", status=OPEN)
    candidate = make_user()
    services.apply(live, candidate, full_name="Maria Santos", email=candidate.email,
                   phone="+1 555 123 4567", country="US", time_zone="America/Chicago",
                   availability_days=["mon"], availability_shifts=["afternoon"],
                   hours_per_week=30, languages=["en"], experience_years=2,
                   has_computer=True, has_headset=True, has_wired_internet=True)
    db.session.commit()
    text = page_text(manager_client.get("/openings/"))
    assert "Draft role" in text and "Live role" in text
    assert re.search(r"Live role .*? Open 1 0 1", text), text
    assert re.search(r"Draft role .*? Draft 0 0 0", text), text
    assert draft.id != live.id
