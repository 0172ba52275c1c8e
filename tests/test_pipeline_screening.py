"""Screening results in the pipeline: assessments report a recommendation and scale figures,
recruiting filters by the one and sorts by the others (NULLs last, keyset paging both ways),
shows a badge per row, stays within its query budget, and erases them with the application."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from assessments import attempts, screening_sync
from assessments import services as bank_services
from portal.extensions import db
from portal.recruiting import pipeline, privacy, screening, services
from portal.recruiting.models import Application, ApplicationScore
from tests.helpers import apply, open_opening, page_text
from tests.test_assessment_results import BANK, GOOD

KEY = "test.care"


@pytest.fixture
def manager(make_user):
    return make_user(roles=("manager",))


@pytest.fixture
def labelled(monkeypatch):
    """A score key registered as a screening package would register it."""
    monkeypatch.setattr(screening, "_label_sources", [lambda: {KEY: "Customer care"}])


def crowd(make_user, manager, figures):
    """One application per figure (None: no score), a day apart, oldest first."""
    opening = open_opening(manager)
    start = datetime(2026, 10, 1, 12, tzinfo=UTC)
    applications = []
    for number, figure in enumerate(figures):
        application = apply(opening, make_user(full_name=f"Person {number:02d}"))
        application.created_at = start + timedelta(days=number)
        services.record_screening(application, screening.PASS if number % 2 else
                                  screening.FAIL, {} if figure is None else {KEY: figure})
        applications.append(application)
    db.session.commit()
    return applications


def ids(page) -> list[int]:
    return [a.id for a in page.items]


def query(**fields) -> pipeline.PipelineQuery:
    return pipeline.PipelineQuery(**{"stage": pipeline.ALL, "sort": "score:" + KEY,
                                     "page_size": 3, **fields})


# --- recruiting: filter, sort, page ---------------------------------------------------------

def test_the_score_sort_puts_the_highest_first_and_the_unscored_last_on_every_page(
        make_user, manager, labelled):
    figures = [40.0, None, 90.0, 40.0, None, 75.5, 10.0, None, 90.0, 0.0]
    applications = crowd(make_user, manager, figures)
    scored = sorted(((f, a.id) for a, f in zip(applications, figures, strict=True)
                     if f is not None), reverse=True)
    unscored = sorted(((a.created_at, a.id) for a, f in zip(applications, figures, strict=True)
                       if f is None), reverse=True)
    expected = [i for _, i in scored] + [i for _, i in unscored]

    pages, page = [], pipeline.fetch_page(query())
    pages.append(ids(page))
    while page.next_cursor:
        page = pipeline.fetch_page(query(after=page.next_cursor))
        pages.append(ids(page))
    assert [i for p in pages for i in p] == expected and len(pages) == 4
    assert page.prev_cursor and not page.next_cursor

    back = [ids(page)]
    while page.prev_cursor:
        page = pipeline.fetch_page(query(before=page.prev_cursor))
        back.insert(0, ids(page))
    assert back == pages and not page.prev_cursor


def test_a_page_that_ends_exactly_where_the_scored_rows_end_links_on_to_the_unscored(
        make_user, manager, labelled):
    applications = crowd(make_user, manager, [30.0, 20.0, 10.0, None])
    first = pipeline.fetch_page(query())
    assert ids(first) == [a.id for a in applications[:3]] and first.next_cursor
    second = pipeline.fetch_page(query(after=first.next_cursor))
    assert ids(second) == [applications[3].id] and not second.next_cursor
    assert ids(pipeline.fetch_page(query(before=second.prev_cursor))) == ids(first)


def test_the_outcome_filter_and_other_filters_combine_with_the_score_sort(
        make_user, manager, labelled):
    applications = crowd(make_user, manager, [40.0, 60.0, None, 80.0, None])
    services.record_screening(applications[4], screening.PENDING, {})
    unassessed = apply(applications[0].opening, make_user())
    db.session.commit()

    def found(**fields):
        return ids(pipeline.fetch_page(query(page_size=50, **fields)))

    assert found(outcome="pass") == [applications[3].id, applications[1].id]
    assert found(outcome="fail") == [applications[0].id, applications[2].id]
    assert found(outcome="pending") == [applications[4].id]
    assert found(outcome=screening.NOT_ASSESSED) == [unassessed.id]
    assert found(outcome="fail", sort="name") == [applications[0].id, applications[2].id]
    assert found(outcome="pass", text="person 03") == [applications[3].id]
    assert found(outcome="bogus") == found()  # an unknown outcome filters nothing


def test_unknown_sort_keys_and_outcomes_fall_back_to_the_defaults(labelled):
    assert pipeline.PipelineQuery(sort="score:nope").sort == "newest"
    assert pipeline.PipelineQuery(sort="score:" + KEY).score_key == KEY
    assert pipeline.PipelineQuery(outcome="x" * 10_000).outcome == ""


def test_recording_replaces_the_scores_and_refuses_what_it_cannot_store(make_user, manager):
    application = apply(open_opening(manager), make_user())
    services.record_screening(application, screening.REVIEW, {"a.x": 10, "a.y": 20})
    services.record_screening(application, screening.PASS, {"a.y": 30})
    rows = db.session.execute(select(ApplicationScore.key, ApplicationScore.value).where(
        ApplicationScore.application_id == application.id)).all()
    assert rows == [("a.y", 30.0)] and application.screening_outcome == screening.PASS
    for outcome, scores in (("great", {}), (None, {"k" * 81: 1.0}), (None, {"k": float("nan")})):
        with pytest.raises(ValueError):
            services.record_screening(application, outcome, scores)


# --- through HTTP ---------------------------------------------------------------------------

def test_each_row_shows_its_outcome_and_the_form_offers_the_filter_and_sort(
        client, login, make_user, manager, labelled):
    applications = crowd(make_user, manager, [50.0, None])
    never = apply(applications[0].opening, make_user(full_name="Never Assessed"))
    never.created_at = applications[0].created_at - timedelta(days=1)  # the oldest
    db.session.commit()
    login(client, manager)
    html = client.get(f"/pipeline/?stage=all&sort=score:{KEY}").get_data(as_text=True)
    rows = re.findall(r"<tr>.*?</tr>", html, flags=re.S)[1:]
    badges = [re.search(r'class="[^"]*outcome-badge">([^<]+)<', row).group(1) for row in rows]
    assert badges == ["Does not meet the criteria", "Meets the criteria", "Not assessed"]
    assert '<option selected value="score:test.care">Customer care (high first)</option>' \
        in html
    assert '<option value="none">Not assessed</option>' in html
    only_pass = page_text(client.get("/pipeline/?stage=all&outcome=pass"))
    assert "Person 01" in only_pass and "Person 00" not in only_pass


@pytest.mark.parametrize("args", [
    "outcome=bogus&sort=score:unknown.key",
    "outcome=" + "x" * 20_000 + "&sort=score:" + "y" * 20_000,
    "sort=score:&outcome=",
    f"sort=score:{KEY}&after=7.bm90LWEtY3Vyc29y",
    f"sort=score:{KEY}&before=1.WzEuNSwgMV0",  # a score cursor tagged as the unscored part
])
def test_bad_query_strings_give_a_page_not_an_error(client, login, make_user, manager,
                                                     labelled, args):
    crowd(make_user, manager, [50.0, None])
    login(client, manager)
    response = client.get("/pipeline/?stage=all&" + args, follow_redirects=True)
    assert response.status_code == 200
    assert "Person 00" in page_text(response) and "Person 01" in page_text(response)


def test_a_filtered_score_sorted_page_costs_the_same_queries_for_3_or_30_applications(
        client, login, make_user, manager, labelled, count_queries):
    url = f"/pipeline/?stage=all&outcome=pass&sort=score:{KEY}"
    crowd(make_user, manager, [10.0, 20.0, None])
    login(client, manager)
    client.get(url)  # warm-up: first-request work is not part of the page
    with count_queries() as small:
        assert client.get(url).status_code == 200
    crowd(make_user, manager, [float(n) for n in range(27)])
    with count_queries() as large:
        page = client.get(url).get_data(as_text=True)
    assert page.count("row-select") == 14  # every other one passes
    assert large.count == small.count, large.statements
    assert small.count <= 7


# --- assessments keep it in step ------------------------------------------------------------

@pytest.fixture
def assessed(make_user, manager):
    bank_services.publish(BANK.encode(), None)
    opening = open_opening(manager, steps=["personality_fit"])
    application = apply(opening, make_user())
    db.session.commit()
    return application


def take(application, answers):
    attempt = attempts.start(application, attempts.step_banks("personality_fit")[0][0])
    for seq, (item, value) in enumerate(answers.items(), 1):
        attempts.save_answer(attempt, item, value, seq=seq, tab=attempt.tab_token)
    attempts.submit(attempt)
    db.session.commit()


def scores_of(application) -> dict[str, float]:
    return dict(db.session.execute(select(ApplicationScore.key, ApplicationScore.value).where(
        ApplicationScore.application_id == application.id)).all())


def test_a_closed_attempt_records_the_recommendation_and_each_scales_figure(assessed):
    assert assessed.screening_outcome is None
    take(assessed, GOOD)
    assert assessed.screening_outcome == screening.PASS
    # grit has a norm: its percentile; the workspace scale has none: its 0-100 score.
    assert scores_of(assessed) == {"fit.grit": pytest.approx(93.3, abs=0.1), "fit.room": 100.0}


def test_saving_an_openings_rules_updates_its_applications_outcomes(
        assessed, client, login, manager, make_user):
    take(assessed, GOOD)
    untouched = apply(assessed.opening, make_user())  # nothing taken: stays not assessed
    db.session.commit()
    login(client, manager)
    saved = client.post(f"/assessments/openings/{assessed.opening_id}/rules",
                        data={"cut-fit.grit": "95"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, assessed.id).screening_outcome == screening.FAIL
    assert db.session.get(Application, untouched.id).screening_outcome is None
    screening_sync.recompute_opening(assessed.opening_id)  # a rerun changes nothing
    assert db.session.get(Application, assessed.id).screening_outcome == screening.FAIL


def test_erasure_deletes_the_screening_rows(assessed):
    take(assessed, GOOD)
    candidate = assessed.candidate
    assert scores_of(assessed)
    privacy.erase(candidate, confirmation=candidate.email)
    db.session.flush()
    assert db.session.scalar(select(func.count()).select_from(ApplicationScore)) == 0


def test_demo_candidates_have_screening_results(app):
    from portal import demo_data

    demo_data.load(candidates=12, seed=3)
    db.session.commit()
    outcomes = set(db.session.scalars(select(Application.screening_outcome)))
    assert outcomes - {None} and db.session.scalar(
        select(func.count()).select_from(ApplicationScore)) > 0
    assert set(db.session.scalars(select(ApplicationScore.key))) <= set(
        screening_sync.score_labels())
