"""A SCORM 2004 SCO that ends its own session with a navigation request (adl.nav.request
continue, previous, or {target=ID}choice) is taken where it asked, through the course's flow,
as the player's own buttons would: the package here is two lessons whose buttons do exactly
that, as authoring tools' "Next lesson" buttons do."""

import re
import zipfile

import pytest
from sqlalchemy import select

from portal.extensions import db
from tests.browser.test_assessments_flow import log_in
from tests.browser.test_course_player_flow import wait_for
from tests.conftest import DEFAULT_PASSWORD

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips (or, under CI, fails) every test with the reason
    pytest.skip("`playwright` is missing", allow_module_level=True)

MANIFEST = """<?xml version="1.0"?>
<manifest identifier="navreq" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Two lessons</title>
    <item identifier="one" identifierref="r1"><title>Lesson one</title></item>
    <item identifier="two" identifierref="r2"><title>Lesson two</title></item>
  </organization></organizations>
  <resources>
    <resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="one.html">
      <file href="one.html"/><dependency identifierref="shared"/></resource>
    <resource identifier="r2" type="webcontent" adlcp:scormType="sco" href="two.html">
      <file href="two.html"/><dependency identifierref="shared"/></resource>
    <resource identifier="shared" type="webcontent" adlcp:scormType="asset">
      <file href="nav.js"/></resource>
  </resources>
</manifest>"""
PAGE = """<!doctype html><html lang="en"><title>{title}</title><h1>{title}</h1>
{buttons}<script src="nav.js"></script></html>"""
BUTTON = '<button type="button" data-request="{request}">{label}</button>'
# Finds the API the standard way, starts the session, and on a button: completed, the
# button's navigation request, Terminate (the LMS takes it from there).
SCRIPT = """(function () {
  var win = window, api = null;
  while (win && !api) {
    api = win.API_1484_11 || null;
    win = win.parent === win ? null : win.parent;
  }
  api.Initialize("");
  document.querySelectorAll("button[data-request]").forEach(function (button) {
    button.addEventListener("click", function () {
      api.SetValue("cmi.completion_status", "completed");
      api.SetValue("adl.nav.request", button.dataset.request);
      api.Terminate("");
    });
  });
})();"""


@pytest.fixture(scope="module")
def course(live_app, seed, tmp_path_factory) -> int:
    from courses import importing

    package = tmp_path_factory.mktemp("navreq") / "navreq.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST)
        archive.writestr("one.html", PAGE.format(title="Lesson one", buttons=BUTTON.format(
            request="continue", label="Next lesson")))
        archive.writestr("two.html", PAGE.format(title="Lesson two", buttons="".join((
            BUTTON.format(request="previous", label="Previous lesson"),
            BUTTON.format(request="{target=one}choice", label="Back to lesson one")))))
        archive.writestr("nav.js", SCRIPT)
    with live_app.app_context():
        version = importing.import_package(package, title="Two lessons", actor=None)
        db.session.commit()
        return version.course_id


def states(live_app, email: str) -> dict[str, str]:
    from courses.tracking_models import Attempt, Registration, ScoState
    from portal.auth.models import User

    with live_app.app_context():
        return dict(db.session.execute(
            select(ScoState.item, ScoState.completion).join(Attempt).join(Registration)
            .where(Registration.learner_id == User.by_email(email).id)).all())


def test_a_lessons_own_next_previous_and_choice_buttons_move_through_the_course(
        page, live_app, live_server, course):
    from courses import registrations
    from courses.models import Course
    from portal.auth.models import AGENT
    from tests.helpers import new_user

    email = "flow.navigation.requests@example.com"
    with live_app.app_context():
        registrations.register(db.session.get(Course, course),
                               new_user(email, "Nova Request", AGENT, DEFAULT_PASSWORD))
        db.session.commit()
    log_in(page, live_server, email, DEFAULT_PASSWORD)
    page.goto(f"{live_server}/me/courses/")
    page.get_by_role("row").filter(has_text="Two lessons").get_by_role(
        "button", name="Start", exact=True).click()
    expect(page).to_have_url(re.compile(r"/me/courses/attempts/\d+$"))
    frame = page.frame_locator("iframe[data-content]")
    status = page.locator("[data-status]")

    expect(status).to_have_text("Opened “Lesson one”.")
    frame.get_by_role("button", name="Next lesson").click()  # continue
    expect(status).to_have_text("Opened “Lesson two”.")
    expect(frame.get_by_role("heading", name="Lesson two")).to_be_visible()
    wait_for(lambda: states(live_app, email), lambda s: s.get("one") == "completed",
             "lesson one completed")

    frame.get_by_role("button", name="Previous lesson").click()  # previous
    expect(status).to_have_text("Opened “Lesson one”.")
    frame.get_by_role("button", name="Next lesson").click()
    expect(status).to_have_text("Opened “Lesson two”.")
    frame.get_by_role("button", name="Back to lesson one").click()  # {target=one}choice
    expect(status).to_have_text("Opened “Lesson one”.")
    expect(frame.get_by_role("heading", name="Lesson one")).to_be_visible()
    assert states(live_app, email) == {"one": "completed", "two": "completed"}
