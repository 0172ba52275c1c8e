"""The pipeline list: filters, sorting, keyset paging, counts, and a bounded number of queries."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from portal import listing
from portal.extensions import db
from portal.recruiting import pipeline, services, stages
from tests.helpers import apply, open_opening


@pytest.fixture
def manager(make_user):
    return make_user(roles=("manager",))


@pytest.fixture
def crowd(make_user, manager):
    """23 applications over two openings with distinct dates, some moved along."""
    sales, support = open_opening(manager, title="Sales"), open_opening(manager, title="Support")
    applications = []
    start = datetime(2026, 10, 1, 12, tzinfo=UTC)
    for number in range(23):
        candidate = make_user(full_name=f"Person {number:02d}",
                              email=f"person{number:02d}@example.com")
        application = apply(sales if number % 2 else support, candidate)
        application.created_at = start + timedelta(days=number)
        if number % 3 == 0:
            services.move(application, stages.SCREENING, manager, "Phone screen")
        applications.append(application)
    db.session.commit()
    return {"sales": sales, "support": support, "applications": applications}


def walk(query: pipeline.PipelineQuery) -> list[list[int]]:
    """Every page's ids, following `next` links from the first page."""
    pages = []
    while True:
        page = pipeline.fetch_page(query)
        pages.append([a.id for a in page.items])
        if not page.next_cursor:
            return pages
        query.after, query.before = page.next_cursor, None


@pytest.mark.parametrize("sort", list(pipeline.SORTS))
def test_paging_forward_and_back_shows_every_row_once_in_order(crowd, sort):
    query = pipeline.PipelineQuery(stage=pipeline.ALL, sort=sort, page_size=5)
    pages = walk(query)
    seen = [i for page in pages for i in page]
    assert len(pages) == 5 and sorted(seen) == sorted(a.id for a in crowd["applications"])
    _, column, descending = pipeline.SORTS[sort]
    rows = {a.id: a for a in crowd["applications"]}
    keys = [(getattr(rows[i], column.key), i) for i in seen]
    assert keys == sorted(keys, reverse=descending)
    # And back again from the last page, page by page.
    page = pipeline.fetch_page(pipeline.PipelineQuery(stage=pipeline.ALL, sort=sort, page_size=5,
                                                      after=_cursor_before_last(pages, sort, rows)))
    back = [[a.id for a in page.items]]
    while page.prev_cursor:
        page = pipeline.fetch_page(pipeline.PipelineQuery(
            stage=pipeline.ALL, sort=sort, page_size=5, before=page.prev_cursor))
        back.insert(0, [a.id for a in page.items])
    assert back == pages


def _cursor_before_last(pages, sort, rows):
    row = rows[pages[-2][-1]]
    return listing.encode(getattr(row, pipeline.SORTS[sort][1].key), row.id)


def test_filters_combine(crowd):
    sales = crowd["sales"]
    only_sales = pipeline.fetch_page(pipeline.PipelineQuery(opening_id=sales.id, stage="all"))
    assert {a.opening_id for a in only_sales.items} == {sales.id} and len(only_sales.items) == 11
    screening = pipeline.fetch_page(pipeline.PipelineQuery(stage="screening"))
    assert {a.stage for a in screening.items} == {"screening"} and len(screening.items) == 8
    found = pipeline.fetch_page(pipeline.PipelineQuery(stage="all", text="PERSON0"))
    assert sorted(a.full_name for a in found.items) == [f"Person 0{n}" for n in range(10)]
    dated = pipeline.fetch_page(pipeline.PipelineQuery(
        stage="all", applied_from=datetime(2026, 10, 3).date(),
        applied_to=datetime(2026, 10, 5).date()))
    assert sorted(a.full_name for a in dated.items) == ["Person 02", "Person 03", "Person 04"]
    # LIKE wildcards typed by a user are text, not patterns.
    assert pipeline.fetch_page(pipeline.PipelineQuery(stage="all", text="%")).items == []


def test_stage_tabs_count_from_the_maintained_table(crowd):
    page = pipeline.fetch_page(pipeline.PipelineQuery())
    assert {stage: n for stage, n in page.counts.items() if n} == {"applied": 15, "screening": 8}
    assert page.active_count == 23 and page.total_count == 23
    per_opening = pipeline.stage_counts(crowd["sales"].id)
    assert sum(per_opening.values()) == 11


def test_pipeline_page_through_http(client, login, manager, crowd, monkeypatch):
    monkeypatch.setitem(client.application.config, "PIPELINE_PAGE_SIZE", 10)
    login(client, manager)
    html = client.get("/pipeline/?stage=all&sort=name").get_data(as_text=True)
    assert html.index("Person 00") < html.index("Person 01")
    assert re.search(r'Screening\s*<span[^>]*>8</span>', html)
    next_link = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    second = client.get(next_link).get_data(as_text=True)
    assert "rel=\"prev\"" in second
    bad = client.get("/pipeline/?after=not-a-cursor", follow_redirects=True)
    assert bad.status_code == 200 and "That page link is not valid any more." in bad.get_data(
        as_text=True)
    odd = client.get("/pipeline/?stage=bogus&sort=bogus&applied_from=31-31-2026&opening=abc")
    assert odd.status_code == 200


def test_pipeline_page_makes_the_same_number_of_queries_for_5_or_50_rows(
        client, login, manager, make_user, count_queries):
    opening = open_opening(manager, steps=["skills_assessment", "sample_call"])
    for _ in range(5):
        apply(opening, make_user())
    db.session.commit()
    login(client, manager)
    client.get("/pipeline/")  # warm-up: first-request work is not part of the page
    with count_queries() as small:
        assert client.get("/pipeline/").status_code == 200
    for _ in range(45):
        apply(open_opening(manager, title="Another"), make_user())
    db.session.commit()
    with count_queries() as large:
        assert client.get("/pipeline/").status_code == 200
    assert large.count == small.count, large.statements
    assert small.count <= 8


def test_search_finds_by_word_prefixes_of_name_and_email(make_user, manager):
    opening = open_opening(manager)
    maria = apply(opening, make_user(full_name="María-José Santos",
                                     email="mj.santos+jobs@mail.example.org"))
    apply(opening, make_user(full_name="Santiago Marino", email="smarino@example.com"))
    db.session.commit()

    def found(text):
        page = pipeline.fetch_page(pipeline.PipelineQuery(stage="all", text=text))
        return sorted(a.full_name for a in page.items)

    assert found("san") == ["María-José Santos", "Santiago Marino"]
    assert found("mar san") == ["María-José Santos", "Santiago Marino"]  # every word matches
    assert found("maría sant") == ["María-José Santos"]
    assert found("SANTOS") == ["María-José Santos"]
    assert found("josé") == found("maría-josé") == ["María-José Santos"]
    assert found("mj.santos+jobs@") == ["María-José Santos"]  # the address as typed
    assert found("mail.example.org") == ["María-José Santos"]  # its domain
    assert found("jobs") == ["María-José Santos"]  # a part of the address
    assert found("antos") == []  # words are matched from their start
    assert found("%") == [] and found("_") == []
    assert maria.id in [a.id for a in pipeline.fetch_page(
        pipeline.PipelineQuery(stage="all", text="santos " * 50)).items]
