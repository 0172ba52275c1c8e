"""The hiring flow as people live it, in a real browser against the live server (CSRF on).

A candidate finds the opening on the careers page, creates an account on the way to applying,
verifies their email with the link from the outbox and logs in, is refused once for a missing
consent, then applies and sees the application on their dashboard. The hiring manager then finds
them in the pipeline and moves them to Screening. Screenshots of each page go to
tests/artifacts/screens/.
"""

import os
import re
import uuid

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.mail import OutboxEmail
from portal.recruiting.models import Application

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips (or, under CI, fails) every test with the reason
    if os.environ.get("CI", "").lower() == "true":
        raise
    pytest.skip("the `playwright` Python package is missing", allow_module_level=True)

expect.set_options(timeout=10_000)

CANDIDATE_NAME = "Jordan Avery"
CANDIDATE_PASSWORD = "Sunny-Headset-4821"
MOVE_REASON = "Strong retail background; phone screen booked for Tuesday."
MAIN_TEST = "test_candidate_applies_and_manager_moves_them_to_screening"


# --- helpers --------------------------------------------------------------------------------

def flash(page, text: str):
    """The flash message (a Bootstrap alert, role=alert) that contains `text`."""
    return page.get_by_role("alert").filter(has_text=text)


def main_nav(page):
    return page.get_by_role("navigation", name="Main")


def verification_link(app, email: str) -> str:
    with app.app_context():
        bodies = db.session.scalars(select(OutboxEmail.body_text).where(
            OutboxEmail.to_address == email, OutboxEmail.template == "verify_email")).all()
    assert len(bodies) == 1, f"expected one verification email to {email}, found {len(bodies)}"
    match = re.search(r"https?://\S+/verify/[A-Za-z0-9_.-]+", bodies[0])
    assert match, f"no verification link in the email:\n{bodies[0]}"
    return match.group(0)


def applications_of(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Application)
                                 .where(Application.email == email))


def application_stage(app, email: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Application.stage).where(Application.email == email))


def fill_application(page, *, privacy_consent: bool):
    """Answer every question of the apply form; the privacy consent only if told to."""
    page.get_by_label("Phone", exact=True).fill("+1 312 555 0142")
    page.get_by_label("Country you live in").select_option(label="United States")
    page.get_by_label("Your time zone").select_option("America/Chicago")
    for day in ("Mon", "Tue", "Wed", "Thu", "Fri"):
        page.get_by_label(day, exact=True).check()
    for shift in ("Morning (6am-12pm)", "Afternoon (12pm-6pm)"):
        page.get_by_label(shift, exact=True).check()
    page.get_by_label("Hours per week you want").fill("35")
    page.get_by_label("English", exact=True).check()
    page.get_by_label("Years of customer-service experience").fill("3")
    page.get_by_label("I have a computer I can use for work").check()
    page.get_by_label("I have a USB headset").check()
    page.get_by_label("I can connect my computer to the internet with a cable").check()
    if privacy_consent:
        page.get_by_label("I have read the privacy notice").check()
    page.get_by_label("I agree that my application is kept for 12 months").check()


# --- tests ----------------------------------------------------------------------------------

@pytest.mark.browser
def test_candidate_applies_and_manager_moves_them_to_screening(page, live_server, live_app,
                                                               seed, screenshot):
    email = f"jordan.avery.{uuid.uuid4().hex[:8]}@example.com"
    title = seed.opening_title

    # 1. The careers page lists the opening; applying asks to log in; the candidate registers.
    page.goto(live_server + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Work from home")
    opening_link = page.get_by_role("link", name=title)
    expect(opening_link).to_be_visible()
    screenshot("01-careers")
    opening_link.click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(page.get_by_role("heading", name="How hiring works")).to_be_visible()
    screenshot("02-opening")
    page.get_by_role("link", name="Apply now").click()

    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(flash(page, "Please log in to continue.")).to_be_visible()
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", level=1, name="Create your account")).to_be_visible()
    page.get_by_label("Full name").fill(CANDIDATE_NAME)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(CANDIDATE_PASSWORD)
    page.get_by_label("Repeat password").fill(CANDIDATE_PASSWORD)
    screenshot("03-register")
    page.get_by_role("button", name="Create account").click()

    # The same answer as for an address that already has an account: check your email.
    expect(flash(page, f"We sent an email to {email}")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login\?next=.*apply"))  # `next` kept
    screenshot("03b-check-your-email")

    # 2. The link from the verification email verifies the address; then they log in.
    link = verification_link(live_app, email)
    assert link.startswith(f"{live_server}/verify/"), link
    page.goto(link)
    expect(flash(page, "Thank you, your email address is verified.")).to_be_visible()
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(CANDIDATE_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="My applications")).to_be_visible()
    expect(page.get_by_text("Please verify your email address")).to_have_count(0)

    # 3. Back to the opening, to apply.
    main_nav(page).get_by_role("link", name="Jobs").click()
    page.get_by_role("link", name=title).click()
    page.get_by_role("link", name="Apply now").click()
    expect(page.get_by_role("heading", level=1, name=f"Apply: {title}")).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value(CANDIDATE_NAME)
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)

    # 4. Without the privacy consent the form is refused, with a visible reason.
    fill_application(page, privacy_consent=False)
    screenshot("04-apply-form")
    page.get_by_role("button", name="Submit application").click()
    # Said at the top of the page (the form is long) and again beside the checkbox.
    summary = page.get_by_role("alert").filter(has_text="Please correct")
    expect(summary).to_contain_text("You must agree to the privacy notice to apply.")
    expect(page.locator(".invalid-feedback", has_text="You must agree to the privacy notice")
           ).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=f"Apply: {title}")).to_be_visible()
    screenshot("05-apply-form-consent-error")
    assert applications_of(live_app, email) == 0
    # The answers survive the round trip; only the consent is left to give.
    expect(page.get_by_label("Phone", exact=True)).to_have_value("+1 312 555 0142")
    expect(page.get_by_label("Wed", exact=True)).to_be_checked()
    expect(page.get_by_label("I agree that my application is kept for 12 months")).to_be_checked()

    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Submit application").click()
    expect(flash(page, f"Thank you! Your application for {title} is in.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(page.get_by_text("Mon, Tue, Wed, Thu, Fri")).to_be_visible()
    screenshot("06-application")
    assert applications_of(live_app, email) == 1

    main_nav(page).get_by_role("link", name="My applications").click()
    expect(page.get_by_role("heading", level=1, name="My applications")).to_be_visible()
    card = page.get_by_role("article").filter(has_text=title)
    expect(card).to_have_count(1)
    expect(card.get_by_text("Applied", exact=True)).to_be_visible()  # the stage badge
    expect(card.get_by_text("Skills assessment")).to_be_visible()
    expect(card.get_by_text("Computer check")).to_be_visible()
    screenshot("07-candidate-dashboard")

    # 5. The candidate logs out; the manager logs in and moves them to Screening.
    main_nav(page).get_by_role("button", name=CANDIDATE_NAME).click()
    page.get_by_role("button", name="Log out").click()
    expect(flash(page, "You are logged out.")).to_be_visible()

    main_nav(page).get_by_role("link", name="Log in").click()
    page.get_by_label("Email", exact=True).fill(seed.manager_email)
    page.get_by_label("Password", exact=True).fill(seed.manager_password)
    page.get_by_role("button", name="Log in").click()
    main_nav(page).get_by_role("link", name="Pipeline").click()
    expect(page.get_by_role("heading", level=1, name="Pipeline")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=CANDIDATE_NAME)
    expect(row).to_have_count(1)
    expect(row.get_by_text("Applied", exact=True)).to_be_visible()
    screenshot("08-pipeline")

    row.get_by_role("link", name=CANDIDATE_NAME).click()
    expect(page.get_by_role("heading", level=1, name=CANDIDATE_NAME)).to_be_visible()
    page.get_by_label("Move to").select_option(label="Screening")
    page.get_by_label("Reason (internal)").fill(MOVE_REASON)
    page.get_by_role("button", name="Move", exact=True).click()
    expect(flash(page, "Moved to Screening.")).to_be_visible()
    entry = page.get_by_role("listitem").filter(has_text="from Applied")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("Screening")
    expect(entry).to_contain_text(seed.manager_name)
    expect(entry).to_contain_text(MOVE_REASON)
    screenshot("09-candidate-page")
    assert application_stage(live_app, email) == "screening"

    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name="Pipeline").click()
    tabs = page.get_by_role("list", name="Stages")
    expect(tabs.get_by_role("link", name=re.compile(r"^Screening\b"))).to_have_text(
        re.compile(r"^\s*Screening\s+1\s*$"))
    expect(tabs.get_by_role("link", name=re.compile(r"^Applied\b"))).to_have_text(
        re.compile(r"^\s*Applied\s+0\s*$"))
    screenshot("10-pipeline-after-move")


@pytest.mark.browser
def test_hiring_flow_has_no_console_errors_or_csp_violations(browser_logs):
    """Checks what the browser reported during the main test (which runs first, in this file)."""
    log = browser_logs.get(MAIN_TEST)
    if log is None or not log.pages:
        pytest.skip(f"checks the console of {MAIN_TEST}: run it in the same session")
    assert len(log.pages) >= 10, f"the main test visited too few pages: {log.pages}"
    assert not log.errors, (
        f"{len(log.errors)} console error(s), uncaught exception(s) or CSP violation(s) "
        "during the hiring flow:\n" + "\n".join(log.errors))
