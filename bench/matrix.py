"""Does the learners x courses matrix stay fast at 10,000 agents?

    python bench/matrix.py [--sizes 100,10000] [--requests 60] [--database-url URL]

Each size gets a fresh database (SQLite in a temp dir, or a new database on the PostgreSQL server
of --database-url / BENCH_DATABASE_URL), built by the migrations and bulk-loaded with Core
inserts: agents, each registered to the same 10 courses in every state (not started, in
progress, completed, passed, failed; some overdue), most of them in one of 20 teams, and a
learning path. A signed-in trainer requests the first page of /learning/matrix with the default
filters through the Flask test client; the sizes take turns request by request, so background
load hits both alike. The small size is the baseline: the target is the same number of SQL
statements and p95(large) <= 2 x p95(small). The last line is machine-readable:
`RESULT name=matrix ratio=… queries_equal=… queries=… p95_small_ms=… p95_large_ms=…`.
"""
# ruff: noqa: E402  (the repository root goes on sys.path before the project is imported)

import gc
import random
import statistics
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert
from werkzeug.security import generate_password_hash

from bench import people, two_sizes
from bench.databases import fresh_database
from bench.pipeline import analyze, get_ok
from courses.models import Course
from courses.path_models import LearningPath, PathStep
from courses.tracking_models import Registration
from portal.auth.models import AGENT, TRAINER, User, UserRole
from portal.extensions import db
from portal.teams.models import Team, TeamMember
from tests.conftest import IsolatedClient, test_config

PASSWORD, TRAINER_EMAIL = "Bench-Trainer-Password-9", "trainer@bench.example.com"
BATCH, WARMUP, COURSES, TEAMS, TARGET_RATIO = 5_000, 5, 10, 20, 2.0
URL = "/learning/matrix"
FIRST_NAMES = ("Maria", "James", "Aisha", "Wei", "Carlos", "Priya", "John", "Fatima", "Liam")
SYLLABLES = ("ka", "lo", "mar", "ven", "di", "sto", "ren", "bel", "tor", "an", "ski", "ger",
             "mo", "ral", "quin", "ash", "el", "dun", "vik", "sa")
# (completion, success, with a score): a cohort part-way through its onboarding.
STATES = {("not attempted", "unknown", False): 30, ("incomplete", "unknown", False): 25,
          ("completed", "unknown", False): 15, ("completed", "passed", True): 20,
          ("completed", "failed", True): 10}


# --- database and data --------------------------------------------------------------------

def agent(number: int, rng: random.Random, now: datetime, password_hash: str) -> tuple:
    """One agent's user, role, team membership and registrations, as Core insert rows."""
    user_id = number + 1  # id 1 is the trainer
    name = f"{rng.choice(FIRST_NAMES)} " + "".join(rng.choices(SYLLABLES, k=3)).capitalize()
    hired = now - timedelta(days=rng.uniform(1, 60))
    user = {"id": user_id, "email": f"agent{number}@bench.example.com", "full_name": name,
            "password_hash": password_hash, "email_verified_at": hired, "created_at": hired}
    role = {"user_id": user_id, "role": AGENT, "granted_at": hired}
    team = [{"user_id": user_id, "team_id": rng.randint(1, TEAMS), "added_at": hired}] \
        if rng.random() < 0.8 else []
    registrations = []
    for course_id in range(1, COURSES + 1):
        completion, success, scored = rng.choices(list(STATES), list(STATES.values()))[0]
        started = completion != "not attempted"
        active = hired + (now - hired) * rng.random()
        registrations.append({
            "course_id": course_id, "learner_id": user_id, "created_at": hired,
            "completion": completion, "success": success,
            "score": round(rng.uniform(0.3, 1), 2) if scored else None,
            "total_seconds": rng.uniform(60, 3600) if started else 0,
            "attempt_count": rng.randint(1, 3) if started else 0,
            "last_activity_at": active if started else None,
            "completed_at": active if completion == "completed" else None,
            "due_at": hired + timedelta(days=30)})
    return user, role, team, registrations


def load(app, size: int) -> None:
    rng, now = random.Random(size), datetime.now(UTC)
    password_hash = generate_password_hash(PASSWORD)  # once: every agent reuses it
    tables = (User.__table__, UserRole.__table__, TeamMember.__table__, Registration.__table__)
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(insert(User.__table__), [{
            "id": 1, "email": TRAINER_EMAIL, "full_name": "Bench Trainer",
            "password_hash": password_hash, "email_verified_at": now, "created_at": now}])
        conn.execute(insert(UserRole.__table__), [{"user_id": 1, "role": TRAINER}])
        conn.execute(insert(Course.__table__), [{
            "id": n, "key": f"course-{n}", "title": f"Onboarding {n:02d}", "created_at": now,
            "category": "Onboarding", "certifies": False} for n in range(1, COURSES + 1)])
        conn.execute(insert(Team.__table__), [{"id": n, "name": f"Team {n}", "created_at": now}
                                              for n in range(1, TEAMS + 1)])
        conn.execute(insert(LearningPath.__table__), [{
            "id": 1, "title": "New agent onboarding", "description": "", "due_days": 30,
            "created_at": now}])
        conn.execute(insert(PathStep.__table__), [{
            "path_id": 1, "course_id": n, "position": n - 1, "opens_after": ""}
            for n in range(1, COURSES + 1)])
        for first in range(1, size + 1, BATCH):
            rows = [agent(n, rng, now, password_hash)
                    for n in range(first, min(first + BATCH, size + 1))]
            for table, batch in zip(tables, zip(*rows, strict=True), strict=True):
                flat = [row for item in batch
                        for row in (item if isinstance(item, list) else [item])]
                if flat:
                    conn.execute(insert(table), flat)
    analyze(app)


# --- measuring ------------------------------------------------------------------------------

@dataclass
class Site:
    size: int
    client: object
    runs: list = field(default_factory=list)  # (ms, statements, learners shown, cells)


@contextmanager
def site(size: int, server_url: str | None, tmp: Path, counter: list):
    with fresh_database(server_url, tmp, f"bench_matrix_{size}") as url:
        app = people.fresh_portal(test_config(tmp, SQLALCHEMY_DATABASE_URI=url))
        started = time.perf_counter()
        load(app, size)
        print(f"loaded {size:,} agents x {COURSES} courses in "
              f"{time.perf_counter() - started:.1f} s")
        app.test_client_class = IsolatedClient  # a fresh app context per request, as live
        client = app.test_client()
        if client.post("/login", data={"email": TRAINER_EMAIL,
                                       "password": PASSWORD}).status_code != 302:
            raise SystemExit("trainer login failed")
        with app.app_context():
            engine = db.engine
        two_sizes.count_statements(engine, counter)
        try:
            yield Site(size, client)
        finally:
            engine.dispose()  # so that the server database can be dropped



def measure(sites: list[Site], counter: list, requests: int) -> None:
    gc.collect()  # the bulk load's garbage is not the page's cost
    for s in sites:
        for _ in range(WARMUP):
            get_ok(s.client, URL)
    # What is alive now (two apps, their caches) stays: frozen, a full collection no longer
    # walks it. Else one (about 0.1 s here) lands every dozen requests on either size at
    # random and decides that size's p95; a preforked worker freezes its heap the same way.
    gc.collect()
    gc.freeze()
    for i in range(requests):
        for s in sites if i % 2 else sites[::-1]:
            counter[0], started = 0, time.perf_counter()
            body = get_ok(s.client, URL)
            s.runs.append(((time.perf_counter() - started) * 1000, counter[0],
                           body.count('class="matrix-name"'), body.count('class="matrix-cell"')))


def summary(s: Site) -> dict:
    millis = [ms for ms, *_ in s.runs]
    return {"queries": max(q for _, q, _, _ in s.runs),
            "same": len({q for _, q, _, _ in s.runs}) == 1,
            "learners": s.runs[0][2], "cells": s.runs[0][3],
            "p50": statistics.median(millis),
            "p95": statistics.quantiles(millis, n=20, method="inclusive")[-1]}


def report(small: Site, large: Site, database: str) -> None:
    base, big = summary(small), summary(large)
    print(f"\n{database}: {len(small.runs)} requests per size, first page, default filters")
    print(f"{'agents':>8} {'queries':>7} {'learners':>8} {'cells':>5} {'p50 ms':>7} "
          f"{'p95 ms':>7}")
    for s, row in ((small, base), (large, big)):
        print(f"{s.size:>8,} {row['queries']:>7} {row['learners']:>8} {row['cells']:>5} "
              f"{row['p50']:>7.1f} {row['p95']:>7.1f}")
    ratio = big["p95"] / base["p95"]
    equal = base["queries"] == big["queries"] and base["same"] and big["same"]
    met = equal and ratio <= TARGET_RATIO
    print(f"target: same statements, p95 ratio <= {TARGET_RATIO}: ratio {ratio:.2f}, "
          f"{'meets target' if met else 'MISSES target'}")
    print(f"RESULT name=matrix ratio={ratio:.2f} queries_equal={equal} "
          f"queries={big['queries']} p95_small_ms={base['p95']:.1f} "
          f"p95_large_ms={big['p95']:.1f}")


def main() -> None:
    with two_sizes.sites(__doc__.splitlines()[0], "100,10000", 60, "matrix",
                         site) as (sites, args, counter):
        measure(sites, counter, args.requests)
    report(*sites, "postgresql" if args.database_url else "sqlite")


if __name__ == "__main__":
    main()
