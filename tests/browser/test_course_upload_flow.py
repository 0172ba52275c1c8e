"""Importing a course in a real browser (CSRF on, under the portal's strict CSP): the upload page's
progress bar on a throttled upload, a refused package explained in place, a new version; and a
real package's launch page running its own inline script under the content policy.
Screenshots go to tests/artifacts/screens/course-*.png."""

import os
import re

import pytest

from portal.extensions import db
from tests.browser.test_assessments_flow import log_in, shot
from tests.test_course_import import REAL_PACKAGES, _zip_slip, real_package, tiny_package

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips (or, under CI, fails) every test with the reason
    if os.environ.get("CI", "").lower() == "true":
        raise
    pytest.skip("the `playwright` Python package is missing", allow_module_level=True)

IMPORT_TIMEOUT_MS = 30_000
MB = 1024 * 1024


def choose_and_send(page, path) -> None:
    page.get_by_label("SCORM package (.zip)").set_input_files(str(path))
    page.get_by_role("button", name="Upload and import").click()


def test_a_package_uploads_with_progress_and_a_refused_one_is_explained(page, live_server,
                                                                        seed, tmp_path):
    package = tiny_package(tmp_path / "course.zip", ("media/clip.bin", os.urandom(6 * MB)))
    log_in(page, live_server, seed.manager_email, seed.manager_password)
    page.goto(f"{live_server}/courses/")
    page.get_by_role("link", name="Import a course").click()
    page.get_by_label("Title (optional)").fill("Browser upload course")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {  # about 3 s for the package
        "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 2 * MB})

    choose_and_send(page, package)

    status = page.locator("[data-upload-status]")
    expect(status).to_contain_text(re.compile(r"Uploading: \d+ % \(\d+(\.\d)? of 6\.\d MB\)"))
    expect(page.locator("[data-upload-progress] progress")).to_be_visible()
    shot(page, "course-upload-progress")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    expect(page.get_by_role("alert")).to_contain_text(
        "Imported version 1 of Browser upload course: SCORM 1.2, 4 files.",
        timeout=IMPORT_TIMEOUT_MS)
    expect(page).to_have_url(re.compile(r"/courses/\d+$"))
    expect(page.get_by_role("heading", name="Browser upload course", level=1)).to_be_visible()

    page.get_by_role("link", name="Upload a new version").click()
    choose_and_send(page, _zip_slip(tmp_path / "evil.zip"))
    problems = page.locator("[data-import-problems]")
    expect(problems).to_contain_text("'../evil.html' has a '..' part", timeout=IMPORT_TIMEOUT_MS)
    expect(problems).to_be_focused()
    expect(page).to_have_url(re.compile(r"/courses/\d+/versions/new$"))
    shot(page, "course-upload-refused")
    choose_and_send(page, package)  # the form swapped in works as the first one did
    expect(page.get_by_role("alert")).to_contain_text("Imported version 2 of",
                                                      timeout=IMPORT_TIMEOUT_MS)
    expect(page.get_by_role("row").filter(has_text="Version 2")).to_contain_text(
        "This is the same package file as version 1.")


def test_a_real_launch_page_runs_under_the_content_policy(page, live_app, live_server, seed,
                                                           browser_logs, request):
    from courses import importing
    from portal.auth.models import User

    path = real_package(REAL_PACKAGES[0][0])
    with live_app.app_context():
        version = importing.import_package(path, actor=User.by_email(seed.manager_email))
        db.session.commit()
        version_id, launch = version.id, version.launch_items[0]["launch"]
    log_in(page, live_server, seed.manager_email, seed.manager_password)
    page.on("dialog", lambda dialog: dialog.dismiss())  # "unable to find the API": no player yet

    answer = page.goto(f"{live_server}/courses/content/{version_id}/{launch}")

    assert answer.status == 200
    # Its inline script ran (it points its frame at the first lesson page), and the page may
    # frame another file of the package (SAMEORIGIN, frame-ancestors 'self').
    lesson = page.frame_locator("#contentFrame")
    expect(lesson.get_by_role("heading", name="Play of the game")).to_be_visible()
    shot(page, "course-content-launch")
    violations = [e for e in browser_logs[request.node.name].errors if "CSP violation" in e]
    assert violations == []
