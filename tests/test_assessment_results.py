"""Managers read results: the recommendation with its reasons under the opening's rules,
scales with percentiles, typing, integrity signals, item-level answers; they score free text,
grant extra time or a retake with a reason on record, and set the rules. Reading is audited."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from assessments import attempts, services
from assessments.models import Attempt, Grant, OpeningRules
from portal.audit import AuditEvent
from portal.extensions import db
from tests.helpers import apply, open_opening, page_text

BANK = """\
key: fit
title: Fit check
step: personality_fit
instructions: Be yourself.
time_limit_minutes: 10
choices: [Very inaccurate, Moderately inaccurate, Neither, Moderately accurate, Very accurate]
scales:
  - key: grit
    title: Grit
    group: Self-direction
    norm: {mean: 12, sd: 4, source: the test's own reference group}
  - key: room
    title: Workspace
items:
  - {id: g1, text: I finish what I start, scale: grit}
  - {id: g2, text: I give up easily, scale: grit, keyed: minus}
  - {id: g3, text: I work hard, scale: grit}
  - {id: g4, text: I get distracted, scale: grit, keyed: minus}
  - id: where
    type: single_choice
    scale: room
    text: Where will you take calls?
    options:
      - {id: door, text: A room with a door, points: 1}
      - {id: kitchen, text: The kitchen table, points: 0}
    knockout: [kitchen]
    rationale: Customers' details must stay private.
  - id: story
    type: text
    length: long
    text: Tell us about a difficult customer.
    rubric:
      - {points: 0, text: No example}
      - {points: 1, text: An example}
      - {points: 2, text: An example with what they learned}
"""


@pytest.fixture
def world(app, make_user):
    services.publish(BANK.encode(), None)
    manager = make_user(roles=("manager",))
    candidate = make_user(full_name="Ana Lima")
    opening = open_opening(manager, steps=["personality_fit"])
    application = apply(opening, candidate)
    db.session.commit()
    return manager, candidate, application


def take(application, answers, finish=True):
    attempt = attempts.start(application, attempts.step_banks("personality_fit")[0][0])
    for seq, (item, value) in enumerate(answers.items(), 1):
        attempts.save_answer(attempt, item, value, seq=seq, tab=attempt.tab_token)
    if finish:
        attempts.submit(attempt)
    db.session.commit()
    return attempt


GOOD = {"g1": 5, "g2": 1, "g3": 4, "g4": 2, "where": "door", "story": "A caller was upset..."}


def results_page(client, application):
    return client.get(f"/assessments/applications/{application.id}")


def test_the_manager_reads_scales_signals_answers_and_the_recommendation(world, client, login):
    manager, candidate, application = world
    attempt = take(application, GOOD)
    attempt.focus_losses = 3
    db.session.commit()
    login(client, manager)
    candidate_page = client.get(f"/pipeline/applications/{application.id}").get_data(True)
    assert f'href="/assessments/applications/{application.id}">Results' in candidate_page
    text = page_text(results_page(client, application))
    # grit: 5 + 5 + 4 + 4 = 18, T = 50 + 10 (18 - 12) / 4 = 65, percentile 93.3 -> 93rd
    assert "93rd percentile (T 65)" in text
    assert "Self-direction" in text and "high" in text
    assert "Workspace" in text and "100 of 100" in text
    assert "Left the page 3 times · tried to paste 0 times" in text
    assert "Recommendation: Meets the criteria" in text
    assert "Percentiles compare with one norm for everyone: the test's own " \
           "reference group" in text
    assert "Where will you take calls? Answer A room with a door" in text
    viewed = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "assessment.results_viewed")).all()
    assert [(e.actor_id, e.target_id) for e in viewed] == [(manager.id, application.id)]


def test_a_knock_out_answer_is_a_recommendation_with_its_reason_and_nothing_moves(
        world, client, login):
    manager, candidate, application = world
    take(application, {**GOOD, "where": "kitchen"})
    stage = application.stage
    login(client, manager)
    text = page_text(results_page(client, application))
    assert "Recommendation: Does not meet the criteria" in text
    assert "Knock-out: Where will you take calls? Answer: \u201cThe kitchen table\u201d " \
           "(Customers' details must stay private.)" in text
    db.session.expire_all()
    assert db.session.get(type(application), application.id).stage == stage


def test_unfinished_assessments_leave_the_recommendation_pending(world, client, login):
    manager, candidate, application = world
    take(application, {"g1": 3}, finish=False)
    login(client, manager)
    assert "Recommendation: Not finished" in page_text(results_page(client, application))


def test_rules_set_cut_scores_culture_ranges_and_knock_outs(world, client, login):
    manager, candidate, application = world
    take(application, {**GOOD, "where": "kitchen"})
    login(client, manager)
    opening_id = application.opening_id
    form = client.get(f"/assessments/openings/{opening_id}/rules").get_data(True)
    assert 'name="ko-fit.where" value="kitchen"' in form and "checked" in form
    saved = client.post(f"/assessments/openings/{opening_id}/rules", data={
        "cut-fit.grit": "95", "low-fit.grit": "20", "high-fit.grit": "80",
        "ko-shown-fit.where": "1"})  # nothing ticked: the kitchen is no longer a knock-out
    assert saved.status_code == 302
    rules = db.session.get(OpeningRules, opening_id).rules
    assert rules["cut_scores"] == {"fit.grit": 95} and rules["culture"] == {"fit.grit": [20, 80]}
    assert rules["knockouts"] == {"fit.where": []}
    text = page_text(results_page(client, application))
    assert "Grit: 93rd percentile, below the cut score of 95" in text
    assert "Culture fit 0 %" in text and "Grit: 93rd percentile, above the target 20-80" in text
    assert "Knock-out" not in text


@pytest.mark.parametrize("fields, message", [
    ({"cut-fit.grit": "120"}, "Fit check, Grit cut score: give a number from 0 to 100"),
    ({"cut-fit.grit": "lots"}, "give a number from 0 to 100"),
    ({"low-fit.grit": "30"}, "Fit check, Grit: give both ends of the target range, or neither."),
    ({"low-fit.grit": "80", "high-fit.grit": "20"},
     "the lowest percentile must not be above the highest"),
    ({"ko-shown-fit.where": "1", "ko-fit.where": "attic"}, "choose knock-out answers from"),
])
def test_bad_rules_are_refused_whole_with_what_to_fix(world, client, login, fields, message):
    manager, candidate, application = world
    login(client, manager)
    response = client.post(f"/assessments/openings/{application.opening_id}/rules", data=fields)
    assert response.status_code == 422
    assert message in page_text(response)
    assert db.session.get(OpeningRules, application.opening_id) is None


def test_extra_time_before_the_start_is_applied_to_the_attempt_and_recorded(
        world, client, login):
    manager, candidate, application = world
    login(client, manager)
    response = client.post(f"/assessments/applications/{application.id}/grants", data={
        "bank_key": "fit", "kind": "extra_time", "minutes": "15",
        "reason": "Screen reader user: accommodation requested by email"})
    assert response.status_code == 302
    attempt = attempts.start(application, attempts.step_banks("personality_fit")[0][0])
    assert attempt.extra_minutes == 15
    assert abs((attempt.deadline_at - attempt.started_at) - timedelta(minutes=25)) \
        < timedelta(seconds=1)
    db.session.commit()
    text = page_text(results_page(client, application))
    assert "Extra time: 15 min by" in text and "Screen reader user" in text
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "assessment.extra_time_granted"))
    assert event.actor_id == manager.id and event.detail == {"bank": "fit", "minutes": 15}


def test_extra_time_during_an_attempt_extends_its_clock(world, client, login):
    manager, candidate, application = world
    attempt = take(application, {"g1": 3}, finish=False)
    deadline = attempt.deadline_at
    login(client, manager)
    client.post(f"/assessments/applications/{application.id}/grants", data={
        "bank_key": "fit", "kind": "extra_time", "minutes": "5", "reason": "Power cut"})
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).deadline_at == deadline + timedelta(minutes=5)


def test_a_grant_needs_a_reason_and_sensible_minutes(world, client, login):
    manager, candidate, application = world
    login(client, manager)
    for fields in ({"bank_key": "fit", "kind": "extra_time", "minutes": "15", "reason": ""},
                   {"bank_key": "fit", "kind": "extra_time", "minutes": "999", "reason": "x" * 5},
                   {"bank_key": "nope", "kind": "extra_time", "minutes": "5", "reason": "xxxxx"}):
        client.post(f"/assessments/applications/{application.id}/grants", data=fields)
    assert db.session.query(Grant).count() == 0


def test_a_retake_opens_a_new_attempt_and_keeps_the_first(world, client, login):
    manager, candidate, application = world
    login(client, manager)
    early = client.post(f"/assessments/applications/{application.id}/grants", data={
        "bank_key": "fit", "kind": "retake", "reason": "Internet failed"}, follow_redirects=True)
    assert "A retake can be granted once the current attempt is finished." in page_text(early)
    first = take(application, GOOD)
    client.post(f"/assessments/applications/{application.id}/grants", data={
        "bank_key": "fit", "kind": "retake", "reason": "Internet failed half-way"})
    second = attempts.start(application, attempts.step_banks("personality_fit")[0][0])
    assert (second.number, second.id != first.id, second.is_open) == (2, True, True)
    assert attempts.start(application, attempts.step_banks("personality_fit")[0][0]) == second
    assert db.session.query(Attempt).count() == 2


def test_a_manager_scores_a_free_text_answer_with_the_rubric(world, client, login):
    manager, candidate, application = world
    attempt = take(application, GOOD)
    login(client, manager)
    response = client.post(f"/assessments/applications/{application.id}/answers/{attempt.id}/"
                           "story", data={"points": "1"})
    assert response.status_code == 302
    from assessments.models import Answer
    answer = db.session.get(Answer, (attempt.id, "story"))
    db.session.refresh(answer)
    assert (answer.rubric_points, answer.points, answer.scored_by_id) == (1, 0.5, manager.id)
    attempts.score(db.session.get(Attempt, attempt.id))  # re-scoring keeps the manager's score
    assert answer.points == 0.5
    bad = client.post(f"/assessments/applications/{application.id}/answers/{attempt.id}/story",
                      data={"points": "7"})
    assert bad.status_code == 302 and db.session.get(Answer, (attempt.id, "story")).points == 0.5


def test_results_and_rules_are_for_managers_only(world, client, login, make_user):
    manager, candidate, application = world
    attempt = take(application, GOOD)
    for user in (candidate, make_user(roles=("trainer",))):
        login(client, user)
        for response in (results_page(client, application),
                         client.get(f"/assessments/openings/{application.opening_id}/rules"),
                         client.post(f"/assessments/applications/{application.id}/answers/"
                                     f"{attempt.id}/story", data={"points": "2"})):
            assert response.status_code in (403, 404)
        client.post("/logout")


def test_a_score_for_another_applications_attempt_is_not_found(world, client, login, make_user):
    manager, candidate, application = world
    attempt = take(application, GOOD)
    other = apply(application.opening, make_user())
    db.session.commit()
    login(client, manager)
    assert client.post(f"/assessments/applications/{other.id}/answers/{attempt.id}/story",
                       data={"points": "2"}).status_code == 404


def test_an_attempt_keeps_the_bank_version_it_was_taken_with(world):
    manager, candidate, application = world
    attempt = take(application, GOOD)
    services.publish(BANK.replace("I work hard", "I work very hard").encode(), None)
    db.session.commit()
    assert attempts.bank_of(db.session.get(Attempt, attempt.id)).item("g3").text == "I work hard"


def test_demo_candidates_have_finished_assessments_with_scores(app, client, login):
    from portal import demo_data
    from portal.auth.models import User

    demo_data.load(candidates=12, seed=3)
    db.session.commit()
    finished = db.session.scalars(select(Attempt).where(Attempt.status == "submitted")).all()
    assert {a.bank_key for a in finished} >= {"work_style", "soft_skills", "typing"}
    typing = next(a for a in finished if a.bank_key == "typing")
    assert 10 < typing.measures[0]["net_wpm"] < 120
    login(client, User.by_email("manager@example.com"), password=demo_data.DEMO_PASSWORD)
    text = page_text(results_page(client, finished[0].application))
    assert "Recommendation:" in text and ("percentile" in text or "of 100" in text)


def test_the_pdf_report_carries_the_recommendation_and_scales_and_is_audited(
        world, client, login):
    manager, candidate, application = world
    take(application, {**GOOD, "where": "kitchen"})
    login(client, manager)
    response = client.get(f"/assessments/applications/{application.id}/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="assessment-results-{application.id}.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 2000
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "assessment.report_downloaded"))
    assert (event.actor_id, event.target_id) == (manager.id, application.id)


def test_a_report_loads_nothing_from_outside_whatever_a_name_holds(app, monkeypatch):
    from urllib.request import OpenerDirector

    from portal import pdf

    opened = []
    monkeypatch.setattr(OpenerDirector, "open", lambda self, *a, **k: opened.append(a) or 1 / 0)
    html = ('<p>Ana <img src="http://169.254.169.254/latest/meta-data/"> Lima</p>'
            '<link rel="stylesheet" href="file:///etc/passwd">')
    assert pdf.render(html).startswith(b"%PDF-")
    assert opened == []  # refused before any request or file was opened


def test_candidates_see_a_plain_summary_only_when_the_opening_allows_it(
        world, client, login):
    manager, candidate, application = world
    attempt = take(application, GOOD)
    login(client, candidate)
    done = f"/me/assessments/attempts/{attempt.id}/done"
    assert "Your results in short" not in page_text(client.get(done))
    client.post("/logout")
    login(client, manager)
    client.post(f"/assessments/openings/{application.opening_id}/rules", data={"feedback": "on"})
    client.post("/logout")
    login(client, candidate)
    text = page_text(client.get(done))
    # grit T 65: high band; the workspace scale has no norm: its 0-100 score
    assert "Your results in short Grit: higher than most applicants. Workspace: 100 of 100." \
        in text
    assert "Recommendation" not in text and "Meets" not in text
