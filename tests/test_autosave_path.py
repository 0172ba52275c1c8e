"""The answer autosave, the request a candidate's browser sends most: one statement in one
transaction once the worker knows the attempt, and still exactly the rules of a save (a late
save changes nothing, changes are counted, the first save's time is kept, the answered count is
right) and of a signed-in request (a session ended a moment ago, a deactivated account, a
cookie taken to another browser or a role that does not answer are refused and write nothing),
with signed-in responses kept out of every cache."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import delete, event, select

from assessments import attempts, services
from assessments.models import Answer, Attempt
from portal.auth.models import UserSession
from portal.extensions import db, utcnow
from tests.conftest import DEFAULT_PASSWORD
from tests.helpers import apply, open_opening

BANK = """\
key: pace
title: Pace of work
step: personality_fit
instructions: Describe yourself as you are.
choices: [Very inaccurate, Moderately inaccurate, Neither, Moderately accurate, Very accurate]
scales:
  - key: grit
    title: Grit
    norm: {mean: 9, sd: 3, source: made up for the test}
  - key: judgement
    title: Judgement
items:
  - {id: g1, text: I finish what I start., scale: grit, keyed: plus}
  - {id: g2, text: I give up easily., scale: grit, keyed: minus}
  - {id: g3, text: I keep going when it is hard., scale: grit, keyed: plus}
  - id: angry
    type: sjt
    rule: best_worst
    scale: judgement
    scenario: A caller shouts that this is the third time they have called.
    text: Which response is best, and which is worst?
    options:
      - {id: a, text: Apologise and take ownership}
      - {id: b, text: Ask them to calm down}
      - {id: c, text: Transfer them to anyone free}
    key: {best: a, worst: c}
    rationale: Ownership calms; a blind transfer is the fourth call.
"""
# The upsert that checks the session is a live one of the attempt's candidate and the attempt
# takes answers, and returns the answered count and the deadlines.
STATEMENTS_PER_SAVE = 1


@pytest.fixture
def taking(app, make_user, client, login):
    """A candidate signed in on an open attempt: (client, attempt, tab)."""
    services.publish(BANK.encode(), None)
    candidate = make_user()
    opening = open_opening(make_user(roles=("manager",)), steps=["personality_fit"])
    application = apply(opening, candidate)
    db.session.commit()
    login(client, candidate)
    started = client.post(f"/me/assessments/applications/{application.id}/personality_fit/"
                          "pace/start")
    assert started.status_code == 302
    attempt = db.session.scalar(select(Attempt).where(
        Attempt.application_id == application.id))
    page = client.get(f"/me/assessments/attempts/{attempt.id}").get_data(as_text=True)
    return client, attempt, re.search(r'data-tab="([0-9a-f]+)"', page).group(1)


def autosave(taking, item, seq, **fields):
    response = post_answer(taking, item, seq, **fields)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def post_answer(taking, item, seq, headers=None, **fields):
    client, attempt, tab = taking
    return client.post(f"/me/assessments/attempts/{attempt.id}/answers",
                       data={"item": item, "seq": seq, "tab": tab, **fields}, headers=headers)


def stored(taking, item) -> Answer:
    db.session.expire_all()
    return db.session.get(Answer, (taking[1].id, item))


# --- cost ------------------------------------------------------------------------------------

def test_a_first_answer_and_a_changed_one_each_take_one_statement(taking, count_queries):
    for seq, value in ((1, "4"), (2, "2")):  # a first answer, then a change of it
        with count_queries() as counter:
            autosave(taking, "g1", seq, **{"a-g1": value})
        assert counter.count <= STATEMENTS_PER_SAVE, "\n".join(counter.statements)


def test_a_save_is_one_transaction(taking):
    """Nothing runs after the save's commit (the response needs no reload of the user or the
    attempt): on SQLite a second transaction of a POST would take the write lock again. Here
    every transaction of a request is a SAVEPOINT on the test's connection."""
    begun = []

    def count_savepoints(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SAVEPOINT"):
            begun.append(statement)

    event.listen(db.engine, "before_cursor_execute", count_savepoints)
    try:
        autosave(taking, "g1", 1, **{"a-g1": "4"})
    finally:
        event.remove(db.engine, "before_cursor_execute", count_savepoints)
    assert len(begun) == 1


# --- the rules of a save ---------------------------------------------------------------------

def test_a_late_or_repeated_save_changes_nothing(taking):
    autosave(taking, "g1", 5, **{"a-g1": "2"})
    kept = stored(taking, "g1")
    before = (kept.value, kept.seq, kept.changes, kept.saved_at)
    for seq in (4, 5):  # sent before the kept one, and the kept one retried
        assert autosave(taking, "g1", seq, **{"a-g1": "5"}).get_json()["stale"] is True
    kept = stored(taking, "g1")
    assert (kept.value, kept.seq, kept.changes, kept.saved_at) == before == (2, 5, 0, before[3])


def test_changes_are_counted_and_the_first_save_keeps_its_time(taking):
    autosave(taking, "g1", 1, **{"a-g1": "1"})
    first = stored(taking, "g1")
    first_saved_at = first.first_saved_at
    assert first.changes == 0
    autosave(taking, "g1", 2, **{"a-g1": "3"})
    autosave(taking, "g1", 4, **{"a-g1": "5"})  # seq may skip (a save lost on the way)
    kept = stored(taking, "g1")
    assert (kept.value, kept.seq, kept.changes) == (5, 4, 2)
    assert kept.first_saved_at == first_saved_at < kept.saved_at


def test_the_answered_count_moves_only_with_a_first_answer(taking):
    def answered(item, seq, **fields):
        body = autosave(taking, item, seq, **fields).get_json()
        return body["answered"], body["total"]

    assert answered("g1", 1, **{"a-g1": "4"}) == (1, 4)
    assert answered("angry", 2, **{"a-angry-best": "a", "a-angry-worst": "b"}) == (2, 4)
    assert answered("g1", 3, **{"a-g1": "2"}) == (2, 4)  # a change
    assert answered("g1", 1, **{"a-g1": "5"}) == (2, 4)  # a late save
    assert answered("g3", 4, **{"a-g3": "3"}) == (3, 4)


def test_answers_read_back_as_they_were_given(taking):
    autosave(taking, "g2", 1, **{"a-g2": "5"})
    autosave(taking, "angry", 2, **{"a-angry-best": "a", "a-angry-worst": "c"})
    autosave(taking, "angry", 3, **{"a-angry-best": "b", "a-angry-worst": "c"})
    assert stored(taking, "g2").value == 5
    assert stored(taking, "angry").value == {"best": "b", "worst": "c"}


def test_a_posted_page_is_newer_than_any_autosave_of_its_tab(taking):
    client, attempt, tab = taking
    autosave(taking, "g1", 7, **{"a-g1": "2"})
    posted = client.post(f"/me/assessments/attempts/{attempt.id}?page=1",
                         data={"tab": tab, "a-g1": "4", "a-g3": "1"})
    assert posted.status_code == 302
    kept, new = stored(taking, "g1"), stored(taking, "g3")
    assert (kept.value, kept.seq, kept.changes) == (4, 8, 1)
    assert (new.value, new.seq, new.changes) == (1, 1, 0)
    assert autosave(taking, "g1", 8, **{"a-g1": "5"}).get_json()["stale"] is True
    assert autosave(taking, "g1", 9, **{"a-g1": "5"}).get_json()["stale"] is False


def test_an_answer_already_loaded_shows_the_save_that_followed(taking):
    """The engine, called without HTTP: an Answer the session holds is not left stale."""
    attempt = db.session.get(Attempt, taking[1].id)
    attempts.save_answer(attempt, "g1", 2, seq=1, tab=attempt.tab_token)
    loaded = db.session.get(Answer, (attempt.id, "g1"))
    assert loaded.value == 2
    saved = attempts.save_answer(attempt, "g1", 4, seq=2, tab=attempt.tab_token)
    assert (saved.stale, saved.answered) == (False, 1)
    assert (loaded.value, loaded.seq, loaded.changes) == (4, 2, 1)


def test_a_worker_that_remembers_another_bank_for_the_attempt_saves_against_the_right_one(
        taking):
    """Attempt ids can come back (a database restored or reset under a running worker): the
    bank a worker remembers for an attempt is checked, never trusted."""
    client, attempt, _ = taking
    other = services.publish(BANK.replace("key: pace", "key: other").replace(
        "I finish what I start.", "I start what I finish.").encode(), None)
    other_bank = attempts.bank_for_version(other.version)
    assert other_bank.item("g1") is not None and other_bank.version != attempt.bank_version
    attempts._attempt_versions[attempt.id] = other_bank.version
    body = autosave(taking, "g1", 1, **{"a-g1": "4"}).get_json()
    assert (body["answered"], body["total"]) == (1, 4)
    assert stored(taking, "g1").value == 4
    assert attempts.known_bank(attempt.id).version == attempt.bank_version


# --- the session, checked by the same statement ----------------------------------------------

def candidate_sessions(taking):
    return select(UserSession).where(
        UserSession.user_id == taking[1].application.candidate_id)


def test_a_session_ended_a_moment_ago_saves_nothing(taking):
    """'Sign out of all other devices' or a password reset on another computer deletes the
    session row: the very next autosave of this tab is asked to sign in."""
    autosave(taking, "g1", 1, **{"a-g1": "4"})
    db.session.execute(delete(UserSession).where(
        UserSession.user_id == taking[1].application.candidate_id))
    db.session.commit()
    refused = post_answer(taking, "g2", 2, **{"a-g2": "2"})
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    assert stored(taking, "g2") is None


@pytest.mark.parametrize("ended", ["deactivated", "erased", "expired"])
def test_a_deactivated_or_erased_account_or_an_expired_session_saves_nothing(taking, ended):
    candidate = taking[1].application.candidate
    if ended == "deactivated":
        candidate.is_active_account = False
    elif ended == "erased":
        candidate.erased_at = utcnow()
    else:
        for row in db.session.scalars(candidate_sessions(taking)):
            row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    refused = post_answer(taking, "g1", 1, **{"a-g1": "4"})
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    assert stored(taking, "g1") is None


def test_a_signed_in_user_without_the_role_is_refused(taking, make_user):
    """Their own role, not anybody's: another candidate who holds it and applied too lends
    it to nobody."""
    apply(open_opening(make_user(roles=("manager",)), steps=["personality_fit"]), make_user())
    candidate = taking[1].application.candidate
    candidate.revoke("candidate")
    candidate.grant("trainer")
    db.session.commit()
    assert post_answer(taking, "g1", 1, **{"a-g1": "4"}).status_code == 403
    assert stored(taking, "g1") is None


def test_the_cookie_taken_to_another_browser_saves_nothing(taking):
    """'Strong' session protection: the cookie is this browser's (address and User-Agent)."""
    refused = post_answer(taking, "g1", 1, headers={"User-Agent": "Another browser/1.0"},
                          **{"a-g1": "4"})
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    assert stored(taking, "g1") is None


def test_a_remember_me_cookie_alone_still_saves(app, make_user):
    """A browser that kept only its remember-me cookie (the session cookie ended with the
    browser) has no session to claim: the loader takes the cookie, renews it, and the answer
    is kept."""
    services.publish(BANK.encode(), None)
    candidate = make_user()
    application = apply(open_opening(make_user(roles=("manager",)), steps=["personality_fit"]),
                        candidate)
    db.session.commit()
    client = app.test_client()
    assert client.post("/login", data={"email": candidate.email, "password": DEFAULT_PASSWORD,
                                       "remember": "y"}).status_code == 302
    client.post(f"/me/assessments/applications/{application.id}/personality_fit/pace/start")
    attempt = db.session.scalar(select(Attempt).where(
        Attempt.application_id == application.id))
    page = client.get(f"/me/assessments/attempts/{attempt.id}").get_data(as_text=True)
    taking = (client, attempt, re.search(r'data-tab="([0-9a-f]+)"', page).group(1))
    client.delete_cookie("session")
    autosave(taking, "g1", 1, **{"a-g1": "4"})
    assert stored(taking, "g1").value == 4


def test_a_session_not_seen_for_a_while_saves_and_is_seen_again(taking):
    """The statement takes only sessions seen lately; an older one is loaded as on any page,
    which refreshes its 'last seen' (the account page lists it), and the answer is kept."""
    long_ago = utcnow() - timedelta(minutes=30)
    for row in db.session.scalars(candidate_sessions(taking)):
        row.last_seen_at = long_ago
    db.session.commit()
    autosave(taking, "g1", 1, **{"a-g1": "4"})
    assert stored(taking, "g1").value == 4
    db.session.expire_all()
    assert all(row.last_seen_at > long_ago
               for row in db.session.scalars(candidate_sessions(taking)))


# --- caching ---------------------------------------------------------------------------------

def test_signed_in_responses_are_never_stored_and_static_files_may_be(taking):
    client, attempt, _ = taking
    assert autosave(taking, "g1", 1, **{"a-g1": "4"}).headers["Cache-Control"] == "no-store"
    assert client.get(f"/me/assessments/attempts/{attempt.id}").headers[
        "Cache-Control"] == "no-store"
    for path in ("/static/favicon.svg", "/me/assessments/static/attempt.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.headers.get("Cache-Control", ""), path


def test_signing_in_is_not_stored_and_signing_out_is_a_public_answer(
        client, make_user, login):
    assert login(client, make_user()).headers["Cache-Control"] == "no-store"
    logged_out = client.post("/logout")
    assert logged_out.status_code == 302
    assert "no-store" not in logged_out.headers.get("Cache-Control", "")
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
