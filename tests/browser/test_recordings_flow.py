"""The sample call recorded in a real browser (Chromium's fake microphone, CSRF on): a turn
recorded and saved while it is recorded, played back with its duration; and a turn whose
upload is cut off (the parts cannot reach the server), finished after a reload from the parts
the browser kept. Screenshots go to tests/artifacts/screens/recording-*.png.
"""

import os
import re
import shutil

import pytest
from sqlalchemy import select

from portal.extensions import db
from tests.browser.conftest import applicant
from tests.browser.test_assessments_flow import log_in, shot

try:
    from playwright.sync_api import expect
except ImportError:  # the conftest skips (or, under CI, fails) every test with the reason
    if os.environ.get("CI", "").lower() == "true":
        raise
    pytest.skip("the `playwright` Python package is missing", allow_module_level=True)

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None,
                                reason="ffmpeg is missing: tests/run.sh installs it")
CANDIDATE_EMAIL = "flow.recordings@example.com"
SAVE_TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def calling(live_app, seed):
    """A candidate who applied to an opening whose step is the sample call."""
    return applicant(live_app, seed, CANDIDATE_EMAIL, "Avery Lin",
                     "Inbound Sales Agent (Remote, recorded)", ["sample_call"])


def takes_of(app, application_id):
    from portal.recordings.models import Take

    with app.app_context():
        return {t.prompt: (t.status, t.duration_ms) for t in db.session.scalars(
            select(Take).where(Take.application_id == application_id).order_by(Take.id))}


def record_turn(page, number: int, seconds: float):
    card = page.locator("[data-prompt]").nth(number - 1)
    card.get_by_role("button", name="Record my answer").click()
    expect(card.get_by_text(re.compile("Recording…"))).to_be_visible()
    page.wait_for_timeout(seconds * 1000)
    card.get_by_role("button", name="Stop").click()
    return card


def test_a_turn_is_saved_while_recorded_and_plays_back_with_its_length(
        page, live_app, live_server, calling):
    from tests.conftest import DEFAULT_PASSWORD

    log_in(page, live_server, CANDIDATE_EMAIL, DEFAULT_PASSWORD)
    row = page.get_by_role("listitem").filter(has_text="Sample customer call")
    row.get_by_role("link", name=re.compile("Start")).click()
    expect(page.get_by_role("heading", name=re.compile("The call"))).to_be_visible()
    card = record_turn(page, 1, 3)
    expect(card.get_by_text(re.compile("^Saved"))).to_be_visible(timeout=SAVE_TIMEOUT_MS)
    player = card.locator("audio")
    expect(player).to_be_visible()
    page.wait_for_function("el => el.readyState >= 1 && isFinite(el.duration)",
                           arg=player.element_handle(), timeout=SAVE_TIMEOUT_MS)
    duration = player.evaluate("el => el.duration")
    assert 2 <= duration <= 5  # the remuxed file knows its length
    status, stored_ms = takes_of(live_app, calling)["t1"]
    assert status == "ready" and abs(stored_ms / 1000 - duration) < 0.5
    shot(page, "recording-saved")


def test_a_reload_in_the_middle_of_an_upload_finishes_it(page, live_app, live_server, calling):
    from tests.conftest import DEFAULT_PASSWORD

    log_in(page, live_server, CANDIDATE_EMAIL, DEFAULT_PASSWORD)
    page.goto(f"{live_server}/me/recordings/applications/{calling}/sample_call")
    page.route(re.compile(r".*/parts/\d+$"), lambda route: route.abort())  # the line is down
    card = record_turn(page, 2, 3)
    expect(card.get_by_text("Saving your recording…")).to_be_visible()
    assert takes_of(live_app, calling)["t2"][0] == "uploading"
    page.unroute(re.compile(r".*/parts/\d+$"))
    page.reload()
    card = page.locator('[data-prompt="t2"]')
    expect(card.get_by_text(re.compile("^Saved"))).to_be_visible(timeout=SAVE_TIMEOUT_MS)
    status, stored_ms = takes_of(live_app, calling)["t2"]
    assert status == "ready" and 2000 <= stored_ms <= 5000
    shot(page, "recording-resumed")


def test_a_take_the_server_holds_damaged_is_sent_again_from_the_browser(
        page, live_app, live_server, calling):
    """Parts are not synced to disk one by one (the browser keeps them until the take is
    whole): when the server's copy does not make the browser's file, say after a crash, the
    server drops it and the page sends every part again, without the candidate noticing."""
    from portal import storage
    from portal.recordings.models import Take
    from tests.conftest import DEFAULT_PASSWORD

    damaged = []

    def damage_then_complete(route):
        if not damaged:  # the first completion finds the server's file changed under it
            with live_app.app_context():
                take = db.session.scalar(select(Take).where(
                    Take.application_id == calling, Take.prompt == "t3"))
                path = storage.get_storage().local_path(take.assembly_key)
                data = bytearray(path.read_bytes())
                data[len(data) // 2] ^= 0xFF
                path.write_bytes(bytes(data))
            damaged.append(take.id)
        route.continue_()

    log_in(page, live_server, CANDIDATE_EMAIL, DEFAULT_PASSWORD)
    page.goto(f"{live_server}/me/recordings/applications/{calling}/sample_call")
    page.route(re.compile(r".*/takes/\d+/complete$"), damage_then_complete)
    card = record_turn(page, 3, 3)
    expect(card.get_by_text(re.compile("^Saved"))).to_be_visible(timeout=SAVE_TIMEOUT_MS)
    assert damaged
    status, stored_ms = takes_of(live_app, calling)["t3"]
    assert status == "ready" and 2000 <= stored_ms <= 5000


def test_the_manager_plays_seeks_and_comments_at_a_moment(page, live_app, live_server, seed,
                                                          calling):
    log_in(page, live_server, seed.manager_email, seed.manager_password)
    page.goto(f"{live_server}/pipeline/applications/{calling}")
    page.get_by_role("link", name="Results of Sample customer call").click()
    expect(page.get_by_role("heading", name="Recordings")).to_be_visible()
    # Every player loads at once, each playback audited: none may fail for another's write.
    page.wait_for_function(
        "() => [...document.querySelectorAll('audio')].every("
        "el => el.readyState >= 1 && isFinite(el.duration))", timeout=SAVE_TIMEOUT_MS)
    card = page.locator("article").filter(has_text="Turn 1:")
    player = card.locator("audio")
    box = card.locator("[data-waveform]").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2)
    page.wait_for_function("el => el.currentTime > 0.8", arg=player.element_handle())
    player.evaluate("el => el.pause()")
    card.get_by_label("At (m:ss)").fill("0:02")
    card.get_by_label("Comment").fill("Owns the problem straight away.")
    card.get_by_role("button", name="Add comment").click()
    card = page.locator("article").filter(has_text="Turn 1:")
    expect(card.get_by_text("Owns the problem straight away.")).to_be_visible()
    card.get_by_role("button", name="0:02").click()
    page.wait_for_function("el => el.currentTime >= 2", arg=card.locator("audio").element_handle())
    shot(page, "recording-review")


def score_every_criterion(page, level: str, recommendation: str):
    section = page.locator("section[id^='review-']").first
    for group in section.locator("fieldset").all()[:-1]:  # the last one is the recommendation
        group.get_by_label(level, exact=True).check()
    section.get_by_label(recommendation, exact=True).check()
    section.get_by_role("button", name="Submit my review").click()
    expect(page.get_by_text("Review submitted.")).to_be_visible()


def test_a_second_reviewers_score_shows_only_once_they_submit(page, live_app, live_server,
                                                               seed, calling):
    from portal.auth.models import MANAGER
    from tests.conftest import DEFAULT_PASSWORD
    from tests.helpers import new_user

    with live_app.app_context():
        new_user("second.reviewer@example.com", "Sam Okafor", MANAGER, DEFAULT_PASSWORD)
        db.session.commit()
    log_in(page, live_server, seed.manager_email, seed.manager_password)
    page.goto(f"{live_server}/recordings/applications/{calling}")
    score_every_criterion(page, "4", "Advance")
    page.context.clear_cookies()
    log_in(page, live_server, "second.reviewer@example.com", DEFAULT_PASSWORD)
    page.goto(f"{live_server}/recordings/applications/{calling}")
    expect(page.get_by_text(re.compile(r"\(1 submitted so far\)"))).to_be_visible()
    expect(page.get_by_role("heading", name="Every review")).to_have_count(0)
    score_every_criterion(page, "2", "Do not advance")
    reviews = page.get_by_role("heading", name="Every review").locator("..")
    expect(reviews).to_contain_text("Morgan Rivera")
    expect(reviews).to_contain_text("Sam Okafor")
    expect(reviews).to_contain_text("Mean 3.00 of 5")
    expect(page.get_by_text(re.compile("The reviewers disagree"))).to_be_visible()
    shot(page, "recording-reviews")


# --- the one-way interview -------------------------------------------------------------------

INTERVIEWEE_EMAIL = "flow.interview@example.com"


@pytest.fixture(scope="module")
def interviewing(live_app, seed):
    """A candidate who applied to an opening whose step is the one-way interview."""
    return applicant(live_app, seed, INTERVIEWEE_EMAIL, "Jordan Reyes",
                     "Inbound Sales Agent (Remote, interviewed)", ["video_interview"])


def answer_question(page, prompt: str, seconds: float, *, show: bool = True):
    card = page.locator(f'[data-prompt="{prompt}"]')
    if show:
        card.get_by_role("button", name="Show the question").click()
    expect(card.locator("[data-question]")).to_be_visible()
    expect(card.get_by_text(re.compile("^Think time: 30 seconds"))).to_be_visible()
    card.get_by_role("button", name="Start recording now").click()
    expect(card.get_by_text(re.compile("^Recording\\. Up to 120 seconds"))).to_be_visible()
    expect(card.locator("[data-live]")).to_be_visible()
    page.wait_for_timeout(seconds * 1000)
    card.get_by_role("button", name="Stop").click()
    return card


def video_length(page, player) -> float:
    page.wait_for_function("el => el.readyState >= 1 && isFinite(el.duration)",
                           arg=player.element_handle(), timeout=SAVE_TIMEOUT_MS)
    return player.evaluate("el => el.duration")


def test_an_interview_checks_the_devices_then_records_question_by_question(
        page, live_app, live_server, interviewing):
    from tests.conftest import DEFAULT_PASSWORD

    log_in(page, live_server, INTERVIEWEE_EMAIL, DEFAULT_PASSWORD)
    row = page.get_by_role("listitem").filter(has_text="One-way interview")
    row.get_by_role("link", name=re.compile("Start")).click()
    expect(page.get_by_role("heading", name="How it works")).to_be_visible()
    # Only the first question shows, and it cannot start before the devices are on.
    expect(page.locator('[data-prompt="q2"]')).to_be_hidden()
    first = page.locator('[data-prompt="q1"]')
    first.get_by_role("button", name="Show the question").click()
    expect(first.get_by_text("First turn on your camera and microphone")).to_be_visible()
    page.get_by_role("button", name="Turn on my camera and microphone").click()
    expect(page.get_by_text(re.compile("^Your camera and microphone are on"))).to_be_visible()
    page.wait_for_function("() => document.querySelector('[data-preview]').videoWidth > 0")
    shot(page, "interview-device-check")
    page.get_by_role("button", name="They work: go to the questions").click()

    card = answer_question(page, "q1", 3)
    expect(card.get_by_text(re.compile("^Saved"))).to_be_visible(timeout=SAVE_TIMEOUT_MS)
    assert 2 <= video_length(page, card.locator("video[data-player]")) <= 5
    assert page.locator("[data-player]").first.evaluate("el => el.videoWidth") > 0
    shot(page, "interview-saved")
    card.get_by_role("button", name="Next question").click()

    # The second answer's upload is cut off, and a reload finishes it from the browser's parts.
    page.route(re.compile(r".*/parts/\d+$"), lambda route: route.abort())
    card = answer_question(page, "q2", 3)
    expect(card.get_by_text("Saving your recording…")).to_be_visible()
    assert takes_of(live_app, interviewing)["q2"][0] == "uploading"
    page.unroute(re.compile(r".*/parts/\d+$"))
    page.reload()
    card = page.locator('[data-prompt="q2"]')
    expect(card.get_by_text(re.compile("^Saved"))).to_be_visible(timeout=SAVE_TIMEOUT_MS)
    status, stored_ms = takes_of(live_app, interviewing)["q2"]
    assert status == "ready" and 2000 <= stored_ms <= 5000

    # A retake replaces the answer only once the candidate confirms it.
    page.get_by_role("button", name="Turn on my camera and microphone").click()
    page.get_by_role("button", name="They work: go to the questions").click()
    card.get_by_role("button", name="Record again").click()
    expect(card.get_by_text(re.compile("^Record this answer again"))).to_be_visible()
    shot(page, "interview-retake-confirm")
    card.get_by_role("button", name="Keep this answer").click()
    expect(card.locator("[data-question]")).to_be_visible()
    assert takes_of(live_app, interviewing)["q2"] == (status, stored_ms)
    card.get_by_role("button", name="Record again").click()
    card.get_by_role("button", name="Yes, record again").click()
    answer_question(page, "q2", 4, show=False)
    expect(card.get_by_text(re.compile("^Saved"))).to_be_visible(timeout=SAVE_TIMEOUT_MS)
    status, retaken_ms = takes_of(live_app, interviewing)["q2"]
    assert status == "ready" and retaken_ms > stored_ms
    expect(card.get_by_text("1 try left")).to_be_visible()
    expect(page.locator('[data-prompt="q3"]')).to_be_visible()


def test_the_manager_watches_the_interview_answers(page, live_app, live_server, seed,
                                                   interviewing):
    log_in(page, live_server, seed.manager_email, seed.manager_password)
    page.goto(f"{live_server}/recordings/applications/{interviewing}")
    card = page.locator("article").filter(has_text="Question 1:")
    assert 2 <= video_length(page, card.locator("video")) <= 5
    expect(page.get_by_role("button", name="Play the whole call")).to_have_count(0)
    shot(page, "interview-review")
