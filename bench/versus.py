"""One of our endpoints against a minimal Flask endpoint doing the same durable write, in the
same run: what bench/autosave.py and bench/commit.py share. Both are driven in-process through
the Flask test client, one request at a time; each round times the same number of requests for
both (the order alternates, so background load hits both alike); the median round counts.
SQL statements per request are counted in untimed passes."""

import argparse
import gc
import os
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, event, make_url, text

from bench.databases import fresh_database

# Transaction control is not a query (SQLite sends BEGIN IMMEDIATE, PostgreSQL's is implicit).
NOT_QUERIES = ("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK")
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432"


def server_problem(server_url: str) -> str | None:
    """Why the PostgreSQL server cannot be used, or None when it can."""
    try:
        url = make_url(server_url).set(drivername="postgresql+psycopg")
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        finally:
            engine.dispose()
    except Exception as error:  # any failure to reach it means: no PostgreSQL for this run
        return f"{type(error).__name__}: {str(error).strip().splitlines()[0]}"
    return None


@dataclass
class Endpoint:
    label: str
    send: Callable[[], None]  # one real write; SystemExit when the answer is not a success
    engine: object
    rates: list[float] = field(default_factory=list)
    counted: dict[str, list[str]] = field(default_factory=dict)  # statements, by phase

    def count(self, requests: int) -> list[str]:
        """The statements of `requests` requests, listened to outside the timed rounds."""
        statements = []

        def listen(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(self.engine, "before_cursor_execute", listen)
        try:
            for _ in range(requests):
                self.send()
        finally:
            event.remove(self.engine, "before_cursor_execute", listen)
        return statements

    def timed_round(self, requests: int) -> None:
        gc.collect()
        started = time.perf_counter()
        for _ in range(requests):
            self.send()
        self.rates.append(requests / (time.perf_counter() - started))

    @property
    def per_s(self) -> float:
        return statistics.median(self.rates)


def race(kind: str, ours: Endpoint, minimal: Endpoint, args, phases: dict[str, str],
         unit: str, counted: int) -> float:
    """Warm up, count the statements of each phase (`phases`: name -> what it is; the first
    after the warm-up, the others after the timed rounds), time the rounds, print the table;
    ours/minimal."""
    names = list(phases)
    for endpoint in (ours, minimal):
        for _ in range(args.warmup):
            endpoint.send()
        endpoint.counted[names[0]] = endpoint.count(counted)
    for number in range(args.rounds):
        for endpoint in (ours, minimal) if number % 2 == 0 else (minimal, ours):
            endpoint.timed_round(args.requests)
    for name in names[1:]:
        for endpoint in (ours, minimal):
            endpoint.counted[name] = endpoint.count(counted)
    print(f"\n{kind}: {args.rounds} rounds x {args.requests} {unit}s each, after "
          f"{args.warmup} warm-up {unit}s")
    print(f"{'endpoint':<9} {'median/s':>9} {'ms/' + unit:>9}  rounds (/s)")
    for e in (ours, minimal):
        rounds = " ".join(f"{rate:.0f}" for rate in e.rates)
        print(f"{e.label:<9} {e.per_s:>9.1f} {1000 / e.per_s:>9.2f}  {rounds}")
    print(f"SQL statements per {unit} (queries; all statements by kind, BEGIN included):")
    for name, what in phases.items():
        for e in (ours, minimal):
            print(f"  {what:<23} {e.label:<8} {queries(e.counted[name], counted):>5g}  "
                  f"{kinds(e.counted[name], counted)}")
    ratio = ours.per_s / minimal.per_s
    print(f"{kind} ratio (ours/minimal): {ratio:.2f}")
    return ratio


def queries(statements: list[str], requests: int) -> float:
    """Statements per request that are queries, not transaction control."""
    kept = [s for s in statements if not s.lstrip().upper().startswith(NOT_QUERIES)]
    return len(kept) / requests


def kinds(statements: list[str], requests: int) -> str:
    """Statements per request by kind, e.g. '9 SELECT, 2 BEGIN, 1 UPDATE'."""
    found = Counter(s.split(None, 1)[0].upper() for s in statements)
    return ", ".join(f"{n / requests:g} {kind}" for kind, n in found.most_common())


def report(name: str, results: dict[str, tuple[Endpoint, Endpoint]], target: float) -> None:
    """The verdict and the machine-readable last line."""
    ratios = {kind: ours.per_s / minimal.per_s for kind, (ours, minimal) in results.items()}
    worst = min(ratios.values())
    print(f"\ntarget: ratio >= {target} on each database; lowest {worst:.2f} "
          f"({min(ratios, key=ratios.get)})")
    if worst < target:
        print(f"below target ({worst:.2f} < {target})")
    fields = [f"ratio={worst:.2f}"]
    fields += [f"{kind}_ratio={ratios[kind]:.2f}" for kind in results]
    for kind, (ours, minimal) in results.items():
        fields += [f"{kind}_ours_per_s={ours.per_s:.1f}",
                   f"{kind}_minimal_per_s={minimal.per_s:.1f}"]
    print(f"RESULT name={name} {' '.join(fields)} target={target}")


def run(name: str, description: str, intro: str, measure, unit: str, requests: int,
        warmup: int, target: float) -> None:
    """The command line both benches share: SQLite, then PostgreSQL unless it cannot be
    reached or --sqlite-only; `measure(kind, url, tmp, args)` -> (ours, minimal)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--requests", type=int, default=requests, help=f"timed {unit}s a round")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (median counts)")
    parser.add_argument("--warmup", type=int, default=warmup, help=f"untimed {unit}s first")
    parser.add_argument("--database-url",
                        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER),
                        help=f"postgresql://... server (default: {DEFAULT_SERVER})")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args()
    print(intro)
    results = {}
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        with fresh_database(None, Path(tmp), f"bench_{name}") as url:
            results["sqlite"] = measure("sqlite", url, Path(tmp), args)
        problem = "--sqlite-only" if args.sqlite_only else server_problem(args.database_url)
        if problem:
            print(f"\npostgres: skipped ({problem})")
        else:
            with fresh_database(args.database_url, Path(tmp), f"bench_{name}") as url:
                results["postgres"] = measure("postgres", url, Path(tmp), args)
    report(name, results, target)
