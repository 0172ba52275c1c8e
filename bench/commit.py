"""How close is a SCORM commit to a bare endpoint doing the same durable write?

    python bench/commit.py [--requests 300] [--rounds 3] [--database-url URL] [--sqlite-only]

On SQLite (a file in a temp dir) and on PostgreSQL (a new database on the server of
--database-url / BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432; created and
dropped here; skipped with a reason when unreachable), in the same run:
- ours: the portal built by the migrations, a one-SCO SCORM 1.2 course imported, a learner
  registered, signed in and on an attempt whose SCO was launched, POSTing
  `/me/courses/attempts/<id>/scos/<item>/commit` as the player does: JSON with the attempt's
  token, a rising sequence number and the SetValue calls a page turn makes (the lesson's
  location, its suspend data, the status), so every timed commit is a real write that the
  server checks against the data model and applies (a commit that changes completion,
  success, score or time also rolls up into the attempt and registration; a page turn does
  not, see docs/decisions.md);
- minimal: a tiny Flask app on the same database (no auth, no ORM, no validation) whose view
  parses the same JSON and does one raw `INSERT ... ON CONFLICT DO UPDATE ... WHERE seq is
  newer` of the values into its own table, in its own committed transaction.
Both are driven through the Flask test client, one request at a time (bench/versus.py).
Target: ours/minimal throughput >= 0.6 on each database. The last line is machine-readable.
"""
# ruff: noqa: E402  (the repository root goes on sys.path before the project is imported)

import json
import re
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, text

from bench import people
from bench.versus import Endpoint, race, run
from courses import importing, registrations
from portal.auth.models import AGENT
from portal.extensions import db
from tests.conftest import IsolatedClient, test_config
from tests.helpers import new_user

PASSWORD, TARGET_RATIO, COUNTED = "Bench-Commit-Password-5", 0.6, 10
LEARNER = "learner@bench.example.com"
MANIFEST = """<?xml version="1.0"?>
<manifest identifier="bench" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Bench</title>
    <item identifier="lesson" identifierref="r1"><title>Lesson</title></item>
  </organization></organizations>
  <resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco"
    href="index.html"><file href="index.html"/></resource></resources>
</manifest>"""
MINIMAL_TABLE = {
    "sqlite": "CREATE TABLE bench_minimal_scos (attempt_id INTEGER NOT NULL, "
              "item VARCHAR(200) NOT NULL, vals JSON NOT NULL, seq INTEGER NOT NULL, "
              "PRIMARY KEY (attempt_id, item))",
    "postgresql": "CREATE TABLE bench_minimal_scos (attempt_id INTEGER NOT NULL, "
                  "item VARCHAR(200) NOT NULL, vals JSON NOT NULL, seq INTEGER NOT NULL, "
                  "PRIMARY KEY (attempt_id, item))",
}
UPSERT = text(
    "INSERT INTO bench_minimal_scos (attempt_id, item, vals, seq) "
    "VALUES (:attempt_id, :item, :vals, :seq) "
    "ON CONFLICT (attempt_id, item) DO UPDATE SET vals = excluded.vals, seq = excluded.seq "
    "WHERE excluded.seq > bench_minimal_scos.seq")


def portal_site(url: str, tmp: Path):
    """The portal on a fresh schema, a learner signed in on a launched SCO: (app, client,
    commit path, token, seq)."""
    app = people.fresh_portal(test_config(tmp, SQLALCHEMY_DATABASE_URI=url))
    package = tmp / "bench-course.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST)
        archive.writestr("index.html", "<!doctype html><title>Lesson</title>")
    with app.app_context():
        course = importing.import_package(package, actor=None).course
        learner = new_user(LEARNER, "Bench Learner", AGENT, PASSWORD)
        registration_id = registrations.register(course, learner).id
        db.session.commit()
    app.test_client_class = IsolatedClient  # a fresh app context per request, as live
    client = app.test_client()
    if client.post("/login", data={"email": LEARNER, "password": PASSWORD}).status_code != 302:
        raise SystemExit("learner login failed")
    launched = client.post(f"/me/courses/{registration_id}/launch")
    found = re.search(r"/attempts/(\d+)$", launched.headers.get("Location", ""))
    if launched.status_code != 302 or not found:
        raise SystemExit(f"launching answered {launched.status_code}")
    attempt_id = int(found.group(1))
    state = client.get(f"/me/courses/attempts/{attempt_id}/scos/lesson/state").get_json()
    page = client.get(f"/me/courses/attempts/{attempt_id}").get_data(as_text=True)
    token = re.search(r'data-token="([^"]+)"', page).group(1)
    return (app, client, f"/me/courses/attempts/{attempt_id}/scos/lesson/commit", token,
            state["seq"])


def minimal_app(url: str) -> tuple[Flask, object]:
    """The same durable write with nothing around it: one upsert in its own transaction."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(MINIMAL_TABLE[engine.dialect.name]))
    app = Flask("bench_minimal")
    held: dict = {}

    @app.post("/attempts/<int:attempt_id>/scos/<item>/commit")
    def commit(attempt_id: int, item: str):
        body = json.loads(request.get_data(as_text=True))
        if not isinstance(body.get("seq"), int) or not isinstance(body.get("changes"), list):
            return jsonify(ok=False), 400
        held.update(dict(body["changes"]))  # the values so far, as ours keeps them
        with engine.begin() as conn:
            written = conn.execute(UPSERT, {"attempt_id": attempt_id, "item": item,
                                            "vals": json.dumps(held),
                                            "seq": body["seq"]}).rowcount
        return jsonify(ok=True, stale=written == 0)

    app.test_client_class = IsolatedClient
    return app, engine


def committer(client, path: str, token: str, seq: int, label: str):
    """One real commit per call, as a lesson's page turn sends it."""
    def commit() -> None:
        nonlocal seq
        seq += 1
        page = seq % 40
        response = client.post(path, json={"token": token, "seq": seq, "terminate": False,
                                           "changes": [
                                               ["cmi.core.lesson_location", f"page-{page}"],
                                               ["cmi.suspend_data", f"visited={page};" * 20],
                                               ["cmi.core.lesson_status", "incomplete"]]})
        body = response.get_json(silent=True) or {}
        if response.status_code != 200 or not body.get("ok") or body.get("stale"):
            raise SystemExit(f"{label}: commit {seq} answered {response.status_code} {body}")

    return commit


def measure(kind: str, url: str, tmp: Path, args) -> tuple[Endpoint, Endpoint]:
    app, client, path, token, seq = portal_site(url, tmp)
    with app.app_context():
        portal_engine = db.engine
    mini, mini_engine = minimal_app(url)
    ours = Endpoint("ours", committer(client, path, token, seq, "ours"), portal_engine)
    minimal = Endpoint("minimal", committer(mini.test_client(), "/attempts/1/scos/lesson/commit",
                                            token, 0, "minimal"), mini_engine)
    try:
        race(kind, ours, minimal, args, {"commit": "a page turn's commit"}, "commit", COUNTED)
    finally:
        portal_engine.dispose()  # so that the server database can be dropped
        mini_engine.dispose()
    return ours, minimal


def main() -> None:
    run("commit", __doc__.splitlines()[0],
        "ours: the player's commit; minimal: one raw upsert of the values", measure, "commit",
        300, 20, TARGET_RATIO)


if __name__ == "__main__":
    main()
