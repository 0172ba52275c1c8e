"""Does the /pipeline/ page stay fast at 100,000 applications?

    python bench/pipeline.py [--sizes 100,100000] [--requests 30] [--database-url URL]

Each size gets a fresh database (SQLite in a temp dir, or a new database on the PostgreSQL server
of --database-url / BENCH_DATABASE_URL), built by the migrations and bulk-loaded with Core
inserts. A logged-in manager requests each page through the Flask test client. The small size is
the baseline: the target is the same number of SQL statements and at most 2x its p95.
"""
# ruff: noqa: E402  (the repository root goes on sys.path before the project is imported)

import gc
import html
import random
import re
import statistics
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text, update
from werkzeug.security import generate_password_hash

from bench import people, two_sizes
from bench.databases import fresh_database
from portal.auth.models import CANDIDATE, MANAGER, User, UserRole
from portal.extensions import db
from portal.recruiting import screening, search, stages
from portal.recruiting.models import (
    OPEN,
    Application,
    ApplicationScore,
    ApplicationSearchTerm,
    Opening,
    StageChange,
    StageCount,
)
from tests.conftest import IsolatedClient, test_config

PASSWORD, MANAGER_EMAIL = "Bench-Manager-Password-9", "manager@bench.example.com"
BATCH, WARMUP, DEEP_HOPS, TARGET_RATIO = 5_000, 3, 20, 2.0
# A realistic funnel: most applications are new or rejected, few reach an offer.
STAGE_WEIGHTS = {stages.APPLIED: 30, stages.SCREENING: 14, stages.ASSESSMENT: 10,
                 stages.REVIEW: 6, stages.INTERVIEW: 4, stages.OFFER: 1, stages.HIRED: 2,
                 stages.REJECTED: 28, stages.WITHDRAWN: 5}
OPENING_WEIGHTS = (35, 25, 20, 12, 8)  # opening 1 is the busiest
FIRST_NAMES = ("Maria", "James", "Aisha", "Wei", "Carlos", "Priya", "John", "Fatima", "Liam")
# 20**3 = 8,000 surnames: each is rare, so searching for one is the honest worst case.
SYLLABLES = ("ka", "lo", "mar", "ven", "di", "sto", "ren", "bel", "tor", "an", "ski", "ger",
             "mo", "ral", "quin", "ash", "el", "dun", "vik", "sa")
# Screening results: most candidates past the first stage have taken the assessments of the
# openings' steps (soft_skills and home_office: six scales), some new ones too.
OUTCOME_WEIGHTS = {screening.PASS: 45, screening.REVIEW: 20, screening.FAIL: 25,
                   screening.PENDING: 10}
SCORE_KEYS = tuple(f"{bank}.{scale}" for bank, scales in (
    ("soft_skills", ("customer_care", "problem_solving", "professionalism")),
    ("home_office", ("readiness", "privacy", "connectivity"))) for scale in scales)
SORTED_BY = SCORE_KEYS[0]
PAGES = ("a default (active, newest)", "b stage=screening", "c opening=1, all, by name",
         "d deep page (20 x next)", "e text search", "f outcome=review",
         "g all, by customer care")
NEXT_LINK = re.compile(r'rel="next" href="([^"]+)"')


# --- database and data --------------------------------------------------------------------

def candidate(number: int, rng: random.Random, now: datetime, password_hash: str) -> tuple:
    """One candidate's user, role, application, stage change, search terms and screening
    scores, as Core insert rows."""
    user_id = number + 1  # id 1 is the manager
    name = f"{rng.choice(FIRST_NAMES)} " + "".join(rng.choices(SYLLABLES, k=3)).capitalize()
    email = f"{name.lower().replace(' ', '.')}.{number}@example.com"
    stage = rng.choices(list(STAGE_WEIGHTS), list(STAGE_WEIGHTS.values()))[0]
    created = now - timedelta(seconds=rng.uniform(0, 90 * 86400))
    moved = created if stage == stages.APPLIED else created + (now - created) * rng.random()
    user = {"id": user_id, "email": email, "full_name": name, "password_hash": password_hash,
            "email_verified_at": created, "created_at": created}
    role = {"user_id": user_id, "role": CANDIDATE, "granted_at": created}
    application = {
        "id": number, "candidate_id": user_id, "stage": stage, "full_name": name, "email": email,
        "opening_id": rng.choices(range(1, 6), OPENING_WEIGHTS)[0], "phone": f"+1555{number:07d}",
        "country": "US", "time_zone": "America/Chicago", "availability_days": ["mon", "tue"],
        "hours_per_week": 30, "experience_years": rng.randint(0, 12), "has_computer": True,
        "has_headset": True, "has_wired_internet": rng.random() < 0.8, "created_at": created,
        "privacy_consent_at": created, "retention_consent_at": created,
        "privacy_notice_version": "2026-11", "stage_changed_at": moved,
        "screening_outcome": None}
    scores = []
    if stage not in (stages.APPLIED, stages.WITHDRAWN) or rng.random() < 0.3:
        outcome = rng.choices(list(OUTCOME_WEIGHTS), list(OUTCOME_WEIGHTS.values()))[0]
        application["screening_outcome"] = outcome
        # A pending candidate has finished one of the two banks.
        keys = SCORE_KEYS[:3] if outcome == screening.PENDING else SCORE_KEYS
        scores = [{"application_id": number, "key": key, "value": round(rng.uniform(0, 100), 1)}
                  for key in keys]
    applied = stage == stages.APPLIED
    change = {"application_id": number, "from_stage": None if applied else stages.APPLIED,
              "to_stage": stage, "actor_id": user_id if applied else 1, "reason": "",
              "created_at": moved}
    terms = [{"term": term, "application_id": number}
             for term in search.terms_for(name, email)]
    return user, role, application, change, terms, scores


def load(app, size: int) -> str:
    """Bulk-load `size` applications; return a fragment of a candidate's name to search for."""
    rng, now = random.Random(size), datetime.now(UTC)
    password_hash = generate_password_hash(PASSWORD)  # once: every candidate reuses it
    tables = (User.__table__, UserRole.__table__, Application.__table__, StageChange.__table__,
              ApplicationSearchTerm.__table__, ApplicationScore.__table__)
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(insert(User.__table__), [{
            "id": 1, "email": MANAGER_EMAIL, "full_name": "Bench Manager",
            "password_hash": password_hash, "email_verified_at": now, "created_at": now}])
        conn.execute(insert(UserRole.__table__), [{"user_id": 1, "role": MANAGER}])
        conn.execute(insert(Opening.__table__), [{
            "id": i, "title": f"Customer Support Agent {i}", "summary": "Work from home",
            "pay_min": 15, "pay_max": 19, "status": OPEN, "created_by_id": 1,
            "steps": ["skills_assessment", "home_office_readiness"]} for i in range(1, 6)])
        conn.execute(insert(StageCount.__table__), [{"opening_id": i, "stage": key, "count": 0}
                                                    for i in range(1, 6)
                                                    for key in stages.STAGE_KEYS])
        for first in range(1, size + 1, BATCH):
            rows = [candidate(n, rng, now, password_hash)
                    for n in range(first, min(first + BATCH, size + 1))]
            for table, batch in zip(tables, zip(*rows, strict=True), strict=True):
                flat = [row for item in batch
                        for row in (item if isinstance(item, list) else [item])]
                if flat:
                    conn.execute(insert(table), flat)
        conn.execute(true_stage_counts())
        # Someone the default (active) view can find, so the search shows rows at every size.
        name = conn.scalar(select(Application.full_name).where(
            Application.id > size // 2, Application.stage.in_(stages.ACTIVE_STAGES))
            .order_by(Application.id).limit(1))
    analyze(app)
    return name.split()[-1].lower()[:6]


def analyze(app) -> None:
    """Planner statistics, as a live database has them. PostgreSQL is VACUUMed too, as
    autovacuum soon would be: else autovacuum starts on the new rows during the timings."""
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # VACUUM refuses to run in a transaction
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
            conn.commit()


def true_stage_counts():
    """One UPDATE ... FROM (GROUP BY) puts the real counts in the 45 stage_counts rows."""
    totals = (select(Application.opening_id, Application.stage, func.count().label("n"))
              .group_by(Application.opening_id, Application.stage).subquery())
    return (update(StageCount.__table__).values(count=totals.c.n)
            .where(StageCount.opening_id == totals.c.opening_id,
                   StageCount.stage == totals.c.stage))


# --- measuring ------------------------------------------------------------------------------

@dataclass
class Site:
    """One size's app: a logged-in client, and each page's URL and note on its data."""
    size: int
    client: object
    urls: dict[str, str]
    notes: dict[str, str]
    runs: dict[str, list] = field(default_factory=dict)


def get_ok(client, url: str) -> str:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    return response.get_data(as_text=True)


def deep_url(client) -> tuple[str, int]:
    """Follow "next" links like a user paging on; return the URL reached and its page number."""
    url, page = "/pipeline/", 1
    while page <= DEEP_HOPS and (found := NEXT_LINK.search(get_ok(client, url))):
        url, page = html.unescape(found.group(1)), page + 1
    return url, page  # a small database runs out of pages sooner


def start_app(size: int, url: str, tmp: Path):
    app = people.fresh_portal(test_config(tmp, SQLALCHEMY_DATABASE_URI=url))
    started = time.perf_counter()
    search_text = load(app, size)
    print(f"loaded {size:,} applications in {time.perf_counter() - started:.1f} s")
    app.test_client_class = IsolatedClient  # a fresh app context per request, as live
    client = app.test_client()
    login = {"email": MANAGER_EMAIL, "password": PASSWORD}
    if client.post("/login", data=login).status_code != 302:
        raise SystemExit("manager login failed")
    return app, client, search_text


@contextmanager
def site(size: int, server_url: str | None, tmp: Path, counter: list):
    with fresh_database(server_url, tmp, f"bench_pipeline_{size}") as url:
        app, client, search_text = start_app(size, url, tmp)
        with app.app_context():
            engine = db.engine
        two_sizes.count_statements(engine, counter)
        deep, depth = deep_url(client)
        urls = ("/pipeline/", "/pipeline/?stage=screening",
                "/pipeline/?opening=1&stage=all&sort=name", deep, f"/pipeline/?q={search_text}",
                # All stages: at 100 applications the active ones with a score do not fill a
                # page, and a page that runs on into the unscored rows costs one more query.
                "/pipeline/?outcome=review", f"/pipeline/?stage=all&sort=score:{SORTED_BY}")
        try:
            yield Site(size, client, dict(zip(PAGES, urls, strict=True)),
                       {PAGES[3]: f"page {depth}", PAGES[4]: f"q={search_text}"})
        finally:
            engine.dispose()  # so that the server database can be dropped



def measure(sites: list[Site], counter: list, requests: int) -> None:
    """Fill each site's runs: per page, (ms, statements, rows shown) for every request."""
    gc.collect()  # the bulk load's garbage is not the pages' cost
    for page in PAGES:
        for s in sites:
            for _ in range(WARMUP):
                get_ok(s.client, s.urls[page])
            s.runs[page] = []
        for i in range(requests):
            # Sizes take turns, so a burst of background load hits both alike.
            for s in sites if i % 2 else sites[::-1]:
                counter[0], started = 0, time.perf_counter()
                body = get_ok(s.client, s.urls[page])
                s.runs[page].append(((time.perf_counter() - started) * 1000, counter[0],
                                     body.count("row-select")))


def summary(runs: list[tuple[float, int, int]]) -> dict:
    millis = [ms for ms, _, _ in runs]
    return {"queries": max(q for _, q, _ in runs), "rows": runs[0][2],
            "p50": statistics.median(millis),
            "p95": statistics.quantiles(millis, n=20, method="inclusive")[-1]}


# --- report ---------------------------------------------------------------------------------

def report(small: Site, large: Site) -> None:
    print(f"\n{'page':<27} {'N':>8} {'queries':>7} {'rows':>4} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'ratio':>6}  verdict")
    ratios, queries_equal, p95 = {}, True, {}
    for page in PAGES:
        base, big = summary(small.runs[page]), summary(large.runs[page])
        ratios[page], same = big["p95"] / base["p95"], base["queries"] == big["queries"]
        queries_equal &= same
        p95[page] = base["p95"], big["p95"]
        fast = ratios[page] <= TARGET_RATIO
        verdict = "meets target" if same and fast else "MISSES target" + (
            "" if same else " (query count differs)")
        for s, row, tail in ((small, base, ""), (large, big, f"{ratios[page]:>6.2f}  {verdict}")):
            print(f"{page:<27} {s.size:>8,} {row['queries']:>7} {row['rows']:>4} "
                  f"{row['p50']:>7.1f} {row['p95']:>7.1f} {tail:<21} "
                  f"{s.notes.get(page, '')}".rstrip())
    worst = max(ratios.values())
    print(f"\nRESULT name=pipeline ratio={worst:.2f} queries_equal={str(queries_equal).lower()} "
          f"p95_ms_100={p95[PAGES[0]][0]:.1f} p95_ms_100k={p95[PAGES[0]][1]:.1f} "
          f"search_ratio={ratios[PAGES[4]]:.2f} outcome_ratio={ratios[PAGES[5]]:.2f} "
          f"score_ratio={ratios[PAGES[6]]:.2f}")


def main() -> None:
    with two_sizes.sites(__doc__.splitlines()[0], "100,100000", 30, "pipeline",
                         site) as (sites, args, counter):
        measure(sites, counter, args.requests)
    report(*sites)


if __name__ == "__main__":
    main()
