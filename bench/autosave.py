"""How close is the answer autosave to a bare endpoint doing the same durable write?

    python bench/autosave.py [--requests 400] [--rounds 3] [--database-url URL] [--sqlite-only]

On SQLite (a file in a temp dir) and on PostgreSQL (a new database on the server of
--database-url / BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432; created and
dropped here; skipped with a reason when unreachable), in the same run:
- ours: the portal built by the migrations, a candidate signed in on an attempt of a 50-item
  likert bank with no time limit, POSTing `/me/assessments/attempts/<id>/answers`;
- minimal: a tiny Flask app on the same database (no auth, no ORM) whose view reads the same
  form fields and does one raw `INSERT ... ON CONFLICT DO UPDATE` into its own table shaped
  like `assessment_answers`, in its own committed transaction. The portal's engine listeners in
  portal/extensions.py apply to every engine, so on SQLite both run with the same pragmas (WAL,
  busy timeout, foreign keys) and a POST's BEGIN IMMEDIATE.
Both are driven in-process through the Flask test client (CSRF off, as the tests' config has
it), one request at a time, items taking turns and seq rising, so every timed save is a real
write. Each round times the same number of requests for both (the order alternates); the
median round counts. SQL statements per save are counted in untimed passes: first answers to
items (after the warm-up) and changed answers (after the timed rounds).
Target: ours/minimal throughput >= 0.6 on each database. The last line is machine-readable.
"""
# ruff: noqa: E402  (the repository root goes on sys.path before the project is imported)

import argparse
import gc
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, event, make_url, text

from assessments import services as assessments
from bench import people
from bench.databases import fresh_database
from portal.extensions import db
from tests.conftest import IsolatedClient, test_config

PASSWORD, TARGET_RATIO, ITEMS, COUNT_SAVES = "Bench-Autosave-Password-3", 0.6, 50, 10
DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432"
BANK = """\
key: bench_habits
title: Work habits (bench)
step: personality_fit
instructions: Describe yourself as you are.
choices: [Very inaccurate, Moderately inaccurate, Neither, Moderately accurate, Very accurate]
scales:
  - key: grit
    title: Grit
    norm: {mean: 150, sd: 20, source: made up for the bench}
items:
""" + "".join(f"  - {{id: g{n}, text: Grit statement {n}, scale: grit, "
              f"keyed: {'minus' if n % 2 else 'plus'}}}\n" for n in range(1, ITEMS + 1))
TAB = re.compile(r'data-tab="([0-9a-f]+)"')
# Transaction control is not a query (SQLite sends BEGIN IMMEDIATE, PostgreSQL's is implicit).
NOT_QUERIES = ("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK")
MINIMAL_TABLE = {
    "sqlite": "CREATE TABLE bench_minimal_answers (attempt_id INTEGER NOT NULL, "
              "item_id VARCHAR(60) NOT NULL, value JSON, seq INTEGER NOT NULL, "
              "saved_at DATETIME NOT NULL, PRIMARY KEY (attempt_id, item_id))",
    "postgresql": "CREATE TABLE bench_minimal_answers (attempt_id INTEGER NOT NULL, "
                  "item_id VARCHAR(60) NOT NULL, value JSON, seq INTEGER NOT NULL, "
                  "saved_at TIMESTAMP WITH TIME ZONE NOT NULL, "
                  "PRIMARY KEY (attempt_id, item_id))",
}
UPSERT = text(
    "INSERT INTO bench_minimal_answers (attempt_id, item_id, value, seq, saved_at) "
    "VALUES (:attempt_id, :item_id, :value, :seq, :saved_at) "
    "ON CONFLICT (attempt_id, item_id) DO UPDATE SET value = excluded.value, "
    "seq = excluded.seq, saved_at = excluded.saved_at "
    "WHERE excluded.seq > bench_minimal_answers.seq")


# --- the two endpoints ----------------------------------------------------------------------

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


def portal_site(url: str, tmp: Path):
    """The portal on a fresh schema, a candidate signed in on an open attempt: (app, client,
    attempt id, tab token)."""
    app = people.fresh_portal(test_config(tmp, SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        assessments.publish(BANK.encode(), None)
        application_id = people.candidate_applied(["personality_fit"], PASSWORD)
    app.test_client_class = IsolatedClient  # a fresh app context per request, as live
    client = app.test_client()
    login = {"email": people.CANDIDATE_EMAIL, "password": PASSWORD}
    if client.post("/login", data=login).status_code != 302:
        raise SystemExit("candidate login failed")
    started = client.post(f"/me/assessments/applications/{application_id}/personality_fit/"
                          "bench_habits/start")
    found = re.search(r"/attempts/(\d+)$", started.headers.get("Location", ""))
    if started.status_code != 302 or not found:
        raise SystemExit(f"starting the attempt answered {started.status_code}")
    attempt_id = int(found.group(1))
    page = client.get(f"/me/assessments/attempts/{attempt_id}")
    tab = TAB.search(page.get_data(as_text=True))
    if page.status_code != 200 or not tab:
        raise SystemExit(f"the attempt page answered {page.status_code} without a tab")
    return app, client, attempt_id, tab.group(1)


def minimal_app(url: str) -> tuple[Flask, object]:
    """The same durable write with nothing around it: one upsert in its own transaction."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(MINIMAL_TABLE[engine.dialect.name]))
    app = Flask("bench_minimal")

    @app.post("/attempts/<int:attempt_id>/answers")
    def autosave(attempt_id: int):
        item, seq = request.form.get("item", ""), request.form.get("seq", type=int)
        request.form.get("tab", "")  # read as ours reads it; no attempt row to match it with
        raw = request.form.get(f"a-{item}")
        if not item or seq is None or seq < 1 or raw is None:
            return jsonify(saved=False, error="Send the item, seq and answer."), 422
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if not 1 <= value <= 5:
            return jsonify(saved=False, error="The answer must be a number from 1 to 5."), 422
        with engine.begin() as conn:
            written = conn.execute(UPSERT, {
                "attempt_id": attempt_id, "item_id": item, "value": json.dumps(value),
                "seq": seq, "saved_at": datetime.now(UTC)}).rowcount
        return jsonify(saved=True, stale=written == 0)

    app.test_client_class = IsolatedClient  # the same client as ours
    return app, engine


# --- measuring ------------------------------------------------------------------------------

@dataclass
class Endpoint:
    label: str
    client: object
    path: str
    tab: str
    engine: object
    seq: int = 0
    rates: list[float] = field(default_factory=list)
    counted: dict[str, list[str]] = field(default_factory=dict)  # statements, by phase

    def save(self) -> None:
        """One real write: the next item in turn, a higher seq than any before."""
        self.seq += 1
        item = f"g{(self.seq - 1) % ITEMS + 1}"
        response = self.client.post(self.path, data={
            "item": item, "seq": self.seq, "tab": self.tab,
            f"a-{item}": (self.seq - 1) // ITEMS % 5 + 1})  # each pass changes every answer
        body = response.get_json(silent=True) or {}
        if response.status_code != 200 or not body.get("saved") or body.get("stale"):
            raise SystemExit(f"{self.label}: save {self.seq} answered "
                             f"{response.status_code} {body}")

    def count(self, saves: int) -> list[str]:
        """The statements of `saves` saves, listened to outside the timed rounds."""
        statements = []

        def listen(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(self.engine, "before_cursor_execute", listen)
        try:
            for _ in range(saves):
                self.save()
        finally:
            event.remove(self.engine, "before_cursor_execute", listen)
        return statements

    def timed_round(self, requests: int) -> None:
        gc.collect()
        started = time.perf_counter()
        for _ in range(requests):
            self.save()
        self.rates.append(requests / (time.perf_counter() - started))

    @property
    def per_s(self) -> float:
        return statistics.median(self.rates)


def measure(kind: str, url: str, tmp: Path, args) -> tuple[Endpoint, Endpoint]:
    app, client, attempt_id, tab = portal_site(url, tmp)
    with app.app_context():
        portal_engine = db.engine
    mini, mini_engine = minimal_app(url)
    ours = Endpoint("ours", client, f"/me/assessments/attempts/{attempt_id}/answers", tab,
                    portal_engine)
    minimal = Endpoint("minimal", mini.test_client(), f"/attempts/{attempt_id}/answers", tab,
                       mini_engine)
    try:
        for endpoint in (ours, minimal):
            for _ in range(args.warmup):
                endpoint.save()
            endpoint.counted["first"] = endpoint.count(COUNT_SAVES)
        for number in range(args.rounds):
            # The order alternates, so a burst of background load hits both alike.
            for endpoint in (ours, minimal) if number % 2 == 0 else (minimal, ours):
                endpoint.timed_round(args.requests)
        for endpoint in (ours, minimal):
            endpoint.counted["change"] = endpoint.count(COUNT_SAVES)
    finally:
        portal_engine.dispose()  # so that the server database can be dropped
        mini_engine.dispose()
    print(f"\n{kind}: {args.rounds} rounds x {args.requests} saves each, after "
          f"{args.warmup} warm-up saves")
    print(f"{'endpoint':<9} {'median/s':>9} {'ms/save':>8}  rounds (/s)")
    for e in (ours, minimal):
        rounds = " ".join(f"{rate:.0f}" for rate in e.rates)
        print(f"{e.label:<9} {e.per_s:>9.1f} {1000 / e.per_s:>8.2f}  {rounds}")
    print("SQL statements per save (queries; all statements by kind, BEGIN included):")
    for phase, what in (("first", "first answer to an item"), ("change", "changed answer")):
        for e in (ours, minimal):
            print(f"  {what:<23} {e.label:<8} {queries(e.counted[phase]):>5g}  "
                  f"{kinds(e.counted[phase])}")
    print(f"{kind} ratio (ours/minimal): {ours.per_s / minimal.per_s:.2f}")
    return ours, minimal


def queries(statements: list[str]) -> float:
    """Statements per save that are queries, not transaction control."""
    kept = [s for s in statements if not s.lstrip().upper().startswith(NOT_QUERIES)]
    return len(kept) / COUNT_SAVES


def kinds(statements: list[str]) -> str:
    """Statements per save by kind, e.g. '9 SELECT, 2 BEGIN, 1 UPDATE'."""
    found = Counter(s.split(None, 1)[0].upper() for s in statements)
    return ", ".join(f"{n / COUNT_SAVES:g} {kind}" for kind, n in found.most_common())


# --- report ---------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400, help="timed saves per round")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (median counts)")
    parser.add_argument("--warmup", type=int, default=30, help="untimed saves first")
    parser.add_argument("--database-url",
                        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER),
                        help=f"postgresql://... server (default: {DEFAULT_SERVER})")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args()
    print(f"ours: the portal's autosave view; minimal: one raw upsert. SQLite "
          f"{__import__('sqlite3').sqlite_version}")
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-autosave-") as tmp:
        with fresh_database(None, Path(tmp), "bench_autosave") as url:
            results["sqlite"] = measure("sqlite", url, Path(tmp), args)
        problem = "--sqlite-only" if args.sqlite_only else server_problem(args.database_url)
        if problem:
            print(f"\npostgres: skipped ({problem})")
        else:
            with fresh_database(args.database_url, Path(tmp), "bench_autosave") as url:
                results["postgres"] = measure("postgres", url, Path(tmp), args)
    ratios = {kind: ours.per_s / minimal.per_s for kind, (ours, minimal) in results.items()}
    worst = min(ratios.values())
    print(f"\ntarget: ratio >= {TARGET_RATIO} on each database; lowest {worst:.2f} "
          f"({min(ratios, key=ratios.get)})")
    if worst < TARGET_RATIO:
        print(f"below target ({worst:.2f} < {TARGET_RATIO})")
    fields = [f"ratio={worst:.2f}"]
    fields += [f"{kind}_ratio={ratios[kind]:.2f}" for kind in results]
    for kind, (ours, minimal) in results.items():
        fields += [f"{kind}_ours_per_s={ours.per_s:.1f}",
                   f"{kind}_minimal_per_s={minimal.per_s:.1f}"]
    print(f"RESULT name=autosave {' '.join(fields)} target={TARGET_RATIO}")


if __name__ == "__main__":
    main()
