"""Banks in sections: taken in turn, each with its own clock that starts when it is opened; a
section left or timed out is closed with its answers kept; the last one closes the attempt."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from assessments import attempts, services
from assessments import bank as banks
from assessments.models import Attempt
from portal.extensions import db, utcnow
from tests.helpers import apply, open_opening, page_text

BANK = """\
key: parts
title: Two parts
step: personality_fit
instructions: Answer each part in turn.
choices: [a, b, c, d, e]
sections:
  - {key: first, title: Part one, time_limit_minutes: 5, instructions: About work.}
  - {key: second, title: Part two, time_limit_minutes: 3}
scales:
  - {key: grit, title: Grit}
items:
  - {id: f1, text: I finish what I start, scale: grit, section: first}
  - {id: f2, text: I work hard, scale: grit, section: first}
  - {id: s1, text: I keep going, scale: grit, section: second}
"""


def problems_of(text):
    with pytest.raises(banks.BankError) as caught:
        banks.load(text)
    return caught.value.problems


def test_sections_are_checked_with_their_items():
    assert [s.key for s in banks.load(BANK).sections] == ["first", "second"]
    assert "line 14: 'section' must name one of the bank's sections (first, second)" in \
        problems_of(BANK.replace("section: second}", "section: third}"))
    assert "line 8: section 'second' has no items" in \
        problems_of(BANK.replace("section: second}", "section: first}"))
    without = BANK.replace("sections:\n  - {key: first, title: Part one, time_limit_minutes: 5, "
                           "instructions: About work.}\n  - {key: second, title: Part two, "
                           "time_limit_minutes: 3}\n", "")
    assert "line 10: the bank has no 'sections': remove 'section' or add the sections" in \
        problems_of(without)


@pytest.fixture
def taking(app, make_user, client, login):
    services.publish(BANK.encode(), None)
    candidate = make_user()
    application = apply(open_opening(make_user(roles=("manager",)), steps=["personality_fit"]),
                        candidate)
    db.session.commit()
    login(client, candidate)
    client.post(f"/me/assessments/applications/{application.id}/personality_fit/parts/start")
    return client, db.session.scalar(select(Attempt))


def page(client, attempt):
    response = client.get(f"/me/assessments/attempts/{attempt.id}")
    body = response.get_data(True)
    tab = re.search(r'data-tab="([0-9a-f]+)"', body)
    return page_text(response), re.findall(r'data-item="([a-z0-9]+)"', body), \
        tab.group(1) if tab else None


def save(client, attempt, tab, item, seq):
    return client.post(f"/me/assessments/attempts/{attempt.id}/answers",
                       data={"item": item, "seq": seq, "tab": tab, f"a-{item}": "4"})


def test_sections_are_taken_in_turn_and_a_left_one_is_closed(taking):
    client, attempt = taking
    text, items, tab = page(client, attempt)
    assert "Part one" in text and "Section 1 of 2" in text and sorted(items) == ["f1", "f2"]
    assert "Finish this section" in text
    db.session.expire_all()
    opened = db.session.get(Attempt, attempt.id).section_deadline_at
    assert timedelta(minutes=4) < opened - utcnow() <= timedelta(minutes=5)
    assert save(client, attempt, tab, "f1", 1).status_code == 200
    refused = save(client, attempt, tab, "s1", 2)
    assert refused.status_code == 409 and "not yet open" in refused.get_json()["error"]
    client.post(f"/me/assessments/attempts/{attempt.id}?page=1",
                data={"tab": tab, "go": "section", "a-f2": "2"})
    text, items, tab = page(client, attempt)
    assert "Part two" in text and items == ["s1"] and "Review and finish" in text
    late = save(client, attempt, tab, "f1", 3)
    assert late.status_code == 409 and "closed" in late.get_json()["error"]
    assert attempts.answers_of(db.session.get(Attempt, attempt.id)) == {"f1": 4, "f2": 2}


def test_a_sections_time_running_out_moves_on_and_the_last_closes_the_attempt(taking):
    client, attempt = taking
    _, _, tab = page(client, attempt)
    save(client, attempt, tab, "f1", 1)
    row = db.session.get(Attempt, attempt.id)
    row.section_deadline_at = utcnow() - timedelta(seconds=attempts.GRACE_SECONDS + 1)
    db.session.commit()
    text, items, tab = page(client, attempt)
    assert "Time was up for that section" in text and items == ["s1"]
    db.session.expire_all()
    row = db.session.get(Attempt, attempt.id)
    assert row.section_index == 1 and row.section_deadline_at is not None  # its clock runs
    save(client, attempt, tab, "s1", 2)
    row.section_deadline_at = utcnow() - timedelta(seconds=attempts.GRACE_SECONDS + 1)
    db.session.commit()
    assert attempts.close_expired() == 1
    db.session.expire_all()
    row = db.session.get(Attempt, attempt.id)
    assert row.status == "timed_out" and attempts.answers_of(row) == {"f1": 4, "s1": 4}
    assert {s["scale"]: s for s in row.scores}["grit"]["answered"] == 2
