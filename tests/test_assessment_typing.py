"""The typing test through the portal: the server hands out the passage and keeps the clock;
speed and accuracy come from its times, paste is refused in the page, impossible speeds and
late text are refused, and the last in-time text counts."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from assessments import services
from assessments.models import Answer, Attempt
from portal.extensions import db
from tests.helpers import apply, open_opening, page_text

PASSAGE = ("Customer called about a late delivery of order 48213. Apologised, checked the "
           "courier tracking and booked a redelivery for Friday morning. Customer satisfied "
           "and thanked us for the quick help today.")
BANK = f"""\
key: keys
title: Typing test
step: skills_assessment
instructions: Type the note.
time_limit_minutes: 5
items:
  - id: notes
    type: typing
    text: Copy the call note below.
    seconds: 60
    passages:
      - {PASSAGE}
"""


@pytest.fixture
def typing_attempt(app, make_user, client, login):
    services.publish(BANK.encode(), None)
    candidate = make_user()
    application = apply(open_opening(make_user(roles=("manager",)),
                                     steps=["skills_assessment"]), candidate)
    db.session.commit()
    login(client, candidate)
    client.post(f"/me/assessments/applications/{application.id}/skills_assessment/keys/start")
    attempt = db.session.scalar(select(Attempt))
    return client, attempt


def begin(client, attempt):
    first = client.get(f"/me/assessments/attempts/{attempt.id}", follow_redirects=True)
    assert "Start the typing test" in page_text(first)
    assert PASSAGE not in page_text(first)  # the passage is shown only once the clock runs
    client.post(f"/me/assessments/attempts/{attempt.id}/typing/notes/start")
    page = client.get(f"/me/assessments/attempts/{attempt.id}/typing/notes").get_data(True)
    assert PASSAGE in page
    return re.search(r'data-tab="([0-9a-f]+)"', page).group(1)


def send(client, attempt, tab, typed, final):
    return client.post(f"/me/assessments/attempts/{attempt.id}/typing/notes",
                       data={"typed": typed, "final": "1" if final else "0", "tab": tab},
                       headers={"Accept": "application/json"})


def started_ago(attempt, seconds):
    answer = db.session.get(Answer, (attempt.id, "notes"))
    answer.first_saved_at -= timedelta(seconds=seconds)
    db.session.commit()


def test_speed_and_accuracy_are_measured_from_the_servers_clock(typing_attempt):
    client, attempt = typing_attempt
    tab = begin(client, attempt)
    typed = PASSAGE[:100].replace("late", "lane", 1)
    started_ago(attempt, 30)
    assert send(client, attempt, tab, typed, final=True).status_code == 200
    client.post(f"/me/assessments/attempts/{attempt.id}/submit")
    db.session.expire_all()
    (measure,) = db.session.get(Attempt, attempt.id).measures
    # 100 characters = 20 words in ~30 s: ~40 gross WPM; 1 uncorrected error: ~38 net;
    # 99 of 100 correct
    assert measure["typed"] == 100 and measure["errors"] == 1 and measure["accuracy"] == 0.99
    assert 39 <= measure["gross_wpm"] <= 40 and 37 <= measure["net_wpm"] <= 38


def test_typing_faster_than_a_human_is_refused_and_the_text_not_kept(typing_attempt):
    client, attempt = typing_attempt
    tab = begin(client, attempt)
    refused = send(client, attempt, tab, PASSAGE, final=True)  # 180 characters at once
    assert refused.status_code == 422
    assert "faster than anyone types" in refused.get_json()["error"]
    db.session.expire_all()
    assert db.session.get(Answer, (attempt.id, "notes")).value["typed"] == ""


def test_after_the_time_the_last_in_time_text_counts(typing_attempt):
    client, attempt = typing_attempt
    tab = begin(client, attempt)
    started_ago(attempt, 40)
    assert send(client, attempt, tab, PASSAGE[:120], final=False).status_code == 200
    started_ago(attempt, 30)  # now 70 s after the start: past 60 s and the grace
    late = send(client, attempt, tab, PASSAGE, final=True)
    assert late.status_code == 409 and "the text saved before the end counts" in \
        late.get_json()["error"]
    client.post(f"/me/assessments/attempts/{attempt.id}/submit")
    db.session.expire_all()
    (measure,) = db.session.get(Attempt, attempt.id).measures
    assert measure["typed"] == 120


def test_the_page_switches_paste_off_and_reports_tries(typing_attempt):
    client, attempt = typing_attempt
    begin(client, attempt)
    script = client.get("/me/assessments/static/typing.js").get_data(True)
    assert '["paste", "drop", "contextmenu"]' in script and 'kind: "paste"' in script


def test_another_tab_cannot_type_into_the_test(typing_attempt):
    client, attempt = typing_attempt
    tab = begin(client, attempt)
    client.get(f"/me/assessments/attempts/{attempt.id}/typing/notes")  # a second tab
    assert send(client, attempt, tab, "Customer", final=False).status_code == 409


def test_a_typing_answer_cannot_come_through_the_question_autosave(typing_attempt):
    client, attempt = typing_attempt
    tab = begin(client, attempt)
    response = client.post(f"/me/assessments/attempts/{attempt.id}/answers",
                           data={"item": "notes", "seq": 1, "tab": tab, "a-notes": "x"})
    assert response.status_code == 422


def test_text_far_longer_than_the_passage_is_refused_and_the_saved_text_kept(typing_attempt):
    client, attempt = typing_attempt
    tab = begin(client, attempt)
    started_ago(attempt, 40)
    send(client, attempt, tab, PASSAGE[:60], final=False)
    refused = send(client, attempt, tab, "x" * (len(PASSAGE) + 500), final=False)
    assert refused.status_code == 422
    assert "much longer than the passage" in refused.get_json()["error"]
    db.session.expire_all()
    assert db.session.get(Answer, (attempt.id, "notes")).value["typed"] == PASSAGE[:60]
