"""Taking an assessment: start from the dashboard, save each answer as it is given, resume,
keep every in-time answer when the clock runs out, refuse what does not fit, finish and score,
and complete the application step. Nobody but the candidate reaches the attempt."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from assessments import attempts, services
from assessments.models import Answer, Attempt
from portal.extensions import db, utcnow
from portal.recruiting import stages
from portal.recruiting.models import StepProgress
from tests.helpers import apply, open_opening, page_text

BANK = """\
key: habits
title: Work habits
step: personality_fit
instructions: Describe yourself as you are.
time_limit_minutes: 10
choices: [Very inaccurate, Moderately inaccurate, Neither, Moderately accurate, Very accurate]
scales:
  - key: grit
    title: Grit
    norm: {mean: 12, sd: 4, source: made up for the test}
  - key: judgement
    title: Judgement
items:
""" + "".join(f"  - {{id: g{n}, text: Grit statement {n}, scale: grit, "
              f"keyed: {'minus' if n % 2 else 'plus'}}}\n" for n in range(1, 13)) + """\
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
  - id: order
    type: sjt
    rule: rank
    scale: judgement
    scenario: The system goes down mid-call.
    text: Rank these responses from most to least effective.
    options:
      - {id: a, text: Tell the caller and offer a call-back}
      - {id: b, text: Put them on hold silently}
      - {id: c, text: Keep them talking until it returns}
    key: [a, c, b]
    rationale: Honesty and a call-back keep trust.
"""


@pytest.fixture
def setup(app, make_user):
    services.publish(BANK.encode(), None)
    manager = make_user(roles=("manager",))
    candidate = make_user()
    opening = open_opening(manager, steps=["personality_fit"])
    application = apply(opening, candidate)
    db.session.commit()
    return candidate, application


@pytest.fixture
def signed_in(setup, client, login):
    candidate, application = setup
    login(client, candidate)
    return client, application


def start(client, application):
    response = client.post(f"/me/assessments/applications/{application.id}/personality_fit/"
                           "habits/start")
    assert response.status_code == 302
    attempt = db.session.scalar(select(Attempt).where(
        Attempt.application_id == application.id))
    return attempt


def tab_of(client, attempt, page=1):
    body = client.get(f"/me/assessments/attempts/{attempt.id}?page={page}").get_data(True)
    return re.search(r'data-tab="([0-9a-f]+)"', body).group(1)


def autosave(client, attempt, tab, item, seq, **fields):
    return client.post(f"/me/assessments/attempts/{attempt.id}/answers",
                       data={"item": item, "seq": seq, "tab": tab, **fields})


def saved(attempt):
    db.session.expire_all()
    return {a.item_id: a.value for a in db.session.scalars(
        select(Answer).where(Answer.attempt_id == attempt.id))}


def test_the_dashboard_starts_the_step_and_the_step_page_starts_the_bank(signed_in):
    client, application = signed_in
    dashboard = client.get("/me").get_data(True)
    step_url = f"/me/assessments/applications/{application.id}/personality_fit"
    assert f'href="{step_url}"' in dashboard
    text = page_text(client.get(step_url))
    assert "Work habits" in text and "14 questions · 10 minutes, timed" in text
    assert "Describe yourself as you are." in text
    attempt = start(client, application)
    assert attempt.status == "in_progress" and attempt.deadline_at is not None
    progress = db.session.get(StepProgress, (application.id, "personality_fit"))
    assert (progress.status, progress.summary) == ("in_progress", "0 of 1 finished")
    assert "Continue where you left off" in page_text(client.get(step_url))
    assert f'href="{step_url}">Continue</a>' in client.get("/me").get_data(True)
    # a second click on Start (another tab, a double click) is the same attempt
    assert start(client, application).id == attempt.id
    assert db.session.query(Attempt).count() == 1


def test_each_answer_is_saved_on_its_own_and_a_reload_resumes_with_it(signed_in):
    client, application = signed_in
    attempt = start(client, application)
    tab = tab_of(client, attempt)
    answer = autosave(client, attempt, tab, "g1", 1, **{"a-g1": "4"})
    assert answer.status_code == 200
    assert answer.get_json() == {"saved": True, "stale": False, "answered": 1, "total": 14,
                                 "remaining": answer.get_json()["remaining"]}
    assert 595 <= answer.get_json()["remaining"] <= 600
    assert autosave(client, attempt, tab, "angry", 2, **{
        "a-angry-best": "a", "a-angry-worst": "c"}).status_code == 200
    assert saved(attempt) == {"g1": 4, "angry": {"best": "a", "worst": "c"}}
    # the tab is closed; the candidate comes back: the answers are on the page, checked
    pages = [client.get(f"/me/assessments/attempts/{attempt.id}?page={n}").get_data(True)
             for n in (1, 2)]
    both = "".join(pages)
    assert re.search(r'name="a-g1" id="a-g1-4" value="4"\s+checked', both)
    assert re.search(r'name="a-angry-best" value="a"\s+aria-label="Best: Apologise and take '
                     r'ownership"\s+checked', both)


def test_resuming_opens_the_first_page_with_questions_left(signed_in):
    client, application = signed_in
    attempt = start(client, application)
    first_page = client.get(f"/me/assessments/attempts/{attempt.id}?page=1").get_data(True)
    ids = re.findall(r'data-item="([a-z0-9]+)"', first_page)
    assert len(ids) == 10
    fields = {}
    for item in ids:
        fields.update({f"a-{item}": "3"} if item.startswith("g") else
                      {"a-angry-best": "a", "a-angry-worst": "b"} if item == "angry" else
                      {"a-order-a": "1", "a-order-b": "2", "a-order-c": "3"})
    tab = re.search(r'data-tab="([0-9a-f]+)"', first_page).group(1)
    posted = client.post(f"/me/assessments/attempts/{attempt.id}?page=1",
                         data={"tab": tab, "go": "next", **fields})
    assert posted.headers["Location"].endswith("page=2")
    assert len(saved(attempt)) == 10
    assert "Page 2 of 2" in page_text(client.get(f"/me/assessments/attempts/{attempt.id}"))


def test_items_and_options_keep_the_attempts_own_order_on_every_visit(signed_in):
    client, application = signed_in
    attempt = start(client, application)

    def order():
        body = "".join(client.get(f"/me/assessments/attempts/{attempt.id}?page={n}")
                       .get_data(True) for n in (1, 2))
        return re.findall(r'data-item="([a-z0-9]+)"', body), re.findall(
            r'name="a-angry-best" value="([a-c])"', body)

    first = order()
    assert first == order()
    assert sorted(first[0]) == sorted([f"g{n}" for n in range(1, 13)] + ["angry", "order"])
    other = attempts.ordered_items(Attempt(seed=attempt.seed + 1, bank_version=attempt.bank_version,
                                           version_row=attempt.version_row))
    assert [item.id for item in other] != first[0]  # another seed, another order


def test_a_late_save_from_the_same_tab_never_overwrites_a_newer_one(signed_in):
    client, application = signed_in
    attempt = start(client, application)
    tab = tab_of(client, attempt)
    assert autosave(client, attempt, tab, "g1", 5, **{"a-g1": "2"}).status_code == 200
    late = autosave(client, attempt, tab, "g1", 4, **{"a-g1": "5"})   # sent earlier, arrived later
    assert late.status_code == 200 and late.get_json()["stale"] is True
    again = autosave(client, attempt, tab, "g1", 5, **{"a-g1": "2"})  # the same save retried
    assert again.get_json()["stale"] is True
    assert saved(attempt) == {"g1": 2}


def test_a_second_tab_takes_over_and_the_first_one_is_told(signed_in):
    client, application = signed_in
    attempt = start(client, application)
    first = tab_of(client, attempt)
    second = tab_of(client, attempt)
    refused = autosave(client, attempt, first, "g1", 1, **{"a-g1": "2"})
    assert refused.status_code == 409
    assert "open in another tab or window" in refused.get_json()["error"]
    assert autosave(client, attempt, second, "g1", 1, **{"a-g1": "3"}).status_code == 200
    assert saved(attempt) == {"g1": 3}


@pytest.mark.parametrize("item, fields, message", [
    ("zz", {"a-zz": "3"}, "Send the item id"),
    ("g1", {"a-g1": "6"}, "The answer must be a whole number from 1 to 5"),
    ("g1", {"a-g1": "four"}, "'four' is not a number"),
    ("angry", {"a-angry-best": "a", "a-angry-worst": "a"}, '{"best": id, "worst": another id}'),
    ("order", {"a-order-a": "1", "a-order-b": "1", "a-order-c": "2"},
     "Give each response a different rank, from 1 (most effective) to 3"),
    ("g1", {}, "This answer is not complete yet."),
])
def test_answers_that_do_not_fit_are_refused_and_nothing_saved_changes(
        signed_in, item, fields, message):
    client, application = signed_in
    attempt = start(client, application)
    tab = tab_of(client, attempt)
    autosave(client, attempt, tab, "g2", 1, **{"a-g2": "1"})
    refused = autosave(client, attempt, tab, item, 2, **fields)
    assert refused.status_code == 422
    assert message in refused.get_json()["error"]
    assert saved(attempt) == {"g2": 1}


def test_a_sequence_number_is_required_and_a_tampered_seed_field_changes_nothing(signed_in):
    client, application = signed_in
    attempt = start(client, application)
    tab = tab_of(client, attempt)
    assert autosave(client, attempt, tab, "g1", "", **{"a-g1": "3"}).status_code == 422
    seed = attempt.seed
    autosave(client, attempt, tab, "g1", 1, seed="1", **{"a-g1": "3"})
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).seed == seed


def test_when_time_runs_out_every_answer_given_in_time_is_kept_and_scored(signed_in):
    client, application = signed_in
    attempt = start(client, application)
    tab = tab_of(client, attempt)
    for seq, item in enumerate(("g1", "g2", "g3", "g4", "g5", "g6", "g7", "g8", "g9"), 1):
        autosave(client, attempt, tab, item, seq, **{f"a-{item}": "4"})
    attempt.deadline_at = utcnow() - timedelta(seconds=attempts.GRACE_SECONDS + 1)
    db.session.commit()
    late = autosave(client, attempt, tab, "g10", 20, **{"a-g10": "4"})
    assert late.status_code == 409
    assert "Time is up. Every answer you gave before the deadline is kept" in \
        late.get_json()["error"]
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.status == "timed_out" and len(saved(attempt)) == 9
    grit = next(s for s in attempt.scores if s["scale"] == "grit")
    # 9 of 12 answered (75 %): g odd are minus-keyed, 4 -> 2 (5 of them), g even 4 (4):
    # raw 5 x 2 + 4 x 4 = 26, mean 26 / 9, prorated x 12 = 34.67, T = 50 + 10 (34.67 - 12) / 4
    assert (grit["answered"], grit["raw"]) == (9, 26.0)
    assert grit["t_score"] == round(50 + 10 * (26 / 9 * 12 - 12) / 4, 2)
    progress = db.session.get(StepProgress, (application.id, "personality_fit"))
    assert progress.summary == "1 of 1 finished; time ran out on 1"
    done = page_text(client.get(f"/me/assessments/attempts/{attempt.id}", follow_redirects=True))
    assert "Time ran out. The 9 answers you gave before the deadline are kept" in done


def test_a_save_within_the_grace_after_the_deadline_is_taken(signed_in):
    client, application = signed_in
    attempt = start(client, application)
    tab = tab_of(client, attempt)
    attempt.deadline_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert autosave(client, attempt, tab, "g1", 1, **{"a-g1": "2"}).status_code == 200


def test_an_expired_attempt_closes_itself_when_the_step_page_is_opened(signed_in):
    client, application = signed_in
    attempt = start(client, application)
    tab = tab_of(client, attempt)
    autosave(client, attempt, tab, "g1", 1, **{"a-g1": "5"})
    attempt.deadline_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    text = page_text(client.get(f"/me/assessments/applications/{application.id}/"
                                "personality_fit"))
    assert "Finished" in text
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).status == "timed_out"


def test_close_expired_closes_attempts_nobody_came_back_to(setup):
    candidate, application = setup
    row = attempts.step_banks("personality_fit")[0][0]
    attempt = attempts.start(application, row)
    attempt.deadline_at = utcnow() - timedelta(minutes=5)
    assert attempts.close_expired() == 1
    assert attempt.status == "timed_out" and attempt.scores is not None


def test_finishing_scores_completes_the_step_and_moves_the_application_to_review(signed_in):
    client, application = signed_in
    attempt = start(client, application)
    tab = tab_of(client, attempt)
    for seq, n in enumerate(range(1, 13), 1):
        autosave(client, attempt, tab, f"g{n}", seq, **{f"a-g{n}": "5"})
    autosave(client, attempt, tab, "angry", 20, **{"a-angry-best": "a", "a-angry-worst": "c"})
    review = page_text(client.get(f"/me/assessments/attempts/{attempt.id}/review"))
    assert "13 of 14 questions answered" in review and "1 unanswered" in review
    done = client.post(f"/me/assessments/attempts/{attempt.id}/submit", follow_redirects=True)
    assert "Your 13 answers have been sent to the recruiter." in page_text(done)
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    scores = {s["scale"]: s for s in attempt.scores}
    # grit: 6 plus-keyed 5s and 6 minus-keyed 5 -> 1: raw 36, T = 50 + 10 (36 - 12) / 4 = 110
    assert (scores["grit"]["raw"], scores["grit"]["t_score"]) == (36.0, 110.0)
    assert (scores["judgement"]["answered"], scores["judgement"]["normalized"]) == (1, 100.0)
    assert db.session.get(Answer, (attempt.id, "angry")).points == 1.0
    assert db.session.get(StepProgress, (application.id, "personality_fit")).status == "completed"
    assert db.session.get(type(application), application.id).stage == stages.REVIEW
    # finished is finished: no more answers, and the pages lead to the thank-you page
    tab_refused = autosave(client, attempt, tab, "order", 30, **{
        "a-order-a": "1", "a-order-b": "2", "a-order-c": "3"})
    assert tab_refused.status_code == 409
    assert "finished" in tab_refused.get_json()["error"]
    assert client.get(f"/me/assessments/attempts/{attempt.id}").headers["Location"].endswith(
        f"/me/assessments/attempts/{attempt.id}/done")


def test_a_page_with_a_bad_answer_keeps_the_good_ones_and_says_what_to_fix(signed_in):
    client, application = signed_in
    attempt = start(client, application)
    body = client.get(f"/me/assessments/attempts/{attempt.id}?page=1").get_data(True)
    tab = re.search(r'data-tab="([0-9a-f]+)"', body).group(1)
    items = re.findall(r'data-item="([a-z0-9]+)"', body)
    likert = [item for item in items if item.startswith("g")]
    fields = {f"a-{likert[0]}": "2", f"a-{likert[1]}": "9"}
    page = client.post(f"/me/assessments/attempts/{attempt.id}?page=1",
                       data={"tab": tab, "go": "next", **fields})
    assert page.status_code == 422
    assert "The answer must be a whole number from 1 to 5, not 9" in page_text(page)
    assert saved(attempt) == {likert[0]: 2}


def test_integrity_signals_are_counted_not_judged(signed_in):
    client, application = signed_in
    attempt = start(client, application)
    for kind in ("focus_lost", "focus_lost", "paste"):
        assert client.post(f"/me/assessments/attempts/{attempt.id}/signals",
                           data={"kind": kind}).status_code == 204
    assert client.post(f"/me/assessments/attempts/{attempt.id}/signals",
                       data={"kind": "cheating"}).status_code == 422
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    assert (attempt.focus_losses, attempt.paste_attempts, attempt.status) == (2, 1, "in_progress")


def test_other_peoples_attempts_and_steps_are_not_found(signed_in, make_user, login, client):
    client, application = signed_in
    attempt = start(client, application)
    tab = tab_of(client, attempt)
    client.post("/logout")
    login(client, make_user())
    base = f"/me/assessments/attempts/{attempt.id}"
    for response in (client.get(base), client.get(base + "/review"), client.get(base + "/done"),
                     client.post(base + "/answers", data={"item": "g1", "seq": 1, "tab": tab,
                                                          "a-g1": "1"}),
                     client.post(base + "/submit"),
                     client.post(base + "/signals", data={"kind": "paste"}),
                     client.get(f"/me/assessments/applications/{application.id}/personality_fit"),
                     client.post(f"/me/assessments/applications/{application.id}/"
                                 "personality_fit/habits/start")):
        assert response.status_code == 404
    assert saved(attempt) == {}


def test_a_step_the_opening_does_not_have_is_not_found(signed_in):
    client, application = signed_in
    assert client.get(f"/me/assessments/applications/{application.id}/skills_assessment"
                      ).status_code == 404
    assert client.get(f"/me/assessments/applications/{application.id}/desktop_readiness"
                      ).status_code == 404


def test_a_closed_application_cannot_start_an_assessment(signed_in):
    client, application = signed_in
    application.stage = stages.WITHDRAWN
    db.session.commit()
    response = client.post(f"/me/assessments/applications/{application.id}/personality_fit/"
                           "habits/start", follow_redirects=True)
    assert "This application is closed" in page_text(response)
    assert db.session.query(Attempt).count() == 0


def test_erasing_the_candidate_erases_their_attempts(setup):
    from portal.recruiting import privacy

    candidate, application = setup
    attempt = attempts.start(application, attempts.step_banks("personality_fit")[0][0])
    attempts.save_answer(attempt, "g1", 3, seq=1, tab=attempt.tab_token)
    db.session.commit()
    privacy.erase(candidate, candidate.email)
    db.session.commit()
    assert db.session.query(Attempt).count() == 0 and db.session.query(Answer).count() == 0


def test_the_cli_closes_attempts_whose_time_ran_out(setup, app):
    candidate, application = setup
    attempt = attempts.start(application, attempts.step_banks("personality_fit")[0][0])
    attempt.deadline_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["assessments", "close-expired"])
    assert result.output.strip() == "Closed 1 attempt(s) whose time had run out."
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).status == "timed_out"


def test_the_candidates_data_download_holds_their_answers_and_scores(signed_in):
    client, application = signed_in
    attempt = start(client, application)
    tab = tab_of(client, attempt)
    autosave(client, attempt, tab, "g1", 1, **{"a-g1": "4"})
    client.post(f"/me/assessments/attempts/{attempt.id}/submit")
    download = client.get("/me/data/export.json").get_json()
    (taken,) = download["assessments"]
    assert (taken["assessment"], taken["status"], taken["attempt"]) == ("Work habits",
                                                                         "submitted", 1)
    assert [(a["question"], a["answer"]) for a in taken["answers"]] == [("g1", 4)]
    assert {s["scale"] for s in taken["scores"]} == {"grit", "judgement"}


@pytest.mark.parametrize("seq", ["0", "-3", str(2**31), str(10**30), "1e3", "NaN"])
def test_a_sequence_number_out_of_range_is_refused_not_a_crash(signed_in, seq):
    client, application = signed_in
    attempt = start(client, application)
    refused = autosave(client, attempt, tab_of(client, attempt), "g1", seq, **{"a-g1": "3"})
    assert refused.status_code == 422
    assert "a sequence number from 1 to 2147483647" in refused.get_json()["error"]
    assert saved(attempt) == {}
