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

import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, text

from assessments import services as assessments
from bench import people
from bench.versus import Endpoint, race, run
from portal.extensions import db
from tests.conftest import IsolatedClient, test_config

PASSWORD, TARGET_RATIO, ITEMS, COUNT_SAVES = "Bench-Autosave-Password-3", 0.6, 50, 10
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

def saver(client, path: str, tab: str, label: str):
    """One real write per call: the next item in turn, a higher seq than any before."""
    seq = 0

    def save() -> None:
        nonlocal seq
        seq += 1
        item = f"g{(seq - 1) % ITEMS + 1}"
        response = client.post(path, data={
            "item": item, "seq": seq, "tab": tab,
            f"a-{item}": (seq - 1) // ITEMS % 5 + 1})  # each pass changes every answer
        body = response.get_json(silent=True) or {}
        if response.status_code != 200 or not body.get("saved") or body.get("stale"):
            raise SystemExit(f"{label}: save {seq} answered {response.status_code} {body}")

    return save


def measure(kind: str, url: str, tmp: Path, args) -> tuple[Endpoint, Endpoint]:
    app, client, attempt_id, tab = portal_site(url, tmp)
    with app.app_context():
        portal_engine = db.engine
    mini, mini_engine = minimal_app(url)
    ours = Endpoint("ours", saver(client, f"/me/assessments/attempts/{attempt_id}/answers",
                                  tab, "ours"), portal_engine)
    minimal = Endpoint("minimal", saver(mini.test_client(), f"/attempts/{attempt_id}/answers",
                                        tab, "minimal"), mini_engine)
    try:
        race(kind, ours, minimal, args, {"first": "first answer to an item",
                                         "change": "changed answer"}, "save", COUNT_SAVES)
    finally:
        portal_engine.dispose()  # so that the server database can be dropped
        mini_engine.dispose()
    return ours, minimal


# --- report ---------------------------------------------------------------------------------

def main() -> None:
    intro = ("ours: the portal's autosave view; minimal: one raw upsert. SQLite "
             f"{__import__('sqlite3').sqlite_version}")
    run("autosave", __doc__.splitlines()[0], intro, measure, "save", 400, 30, TARGET_RATIO)


if __name__ == "__main__":
    main()
