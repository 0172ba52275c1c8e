"""The migrations are the only way the schema is made: one head, and models that match it."""

import json
import tempfile
from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, insert, inspect, select, text

from portal import PROJECT_ROOT, create_app
from portal.extensions import db, utcnow
from tests.browser.conftest import live_database
from tests.conftest import test_config as app_config


def test_there_is_a_single_migration_head():
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several heads, merge them: {heads}"


def test_models_and_migrations_agree(app):
    # The test database was built by `flask db upgrade`; any difference from the models is drift.
    # The test's own connection: on SQLite a second one would queue behind its write lock.
    context = MigrationContext.configure(db.session.connection(), opts={"compare_type": True})
    differences = compare_metadata(context, db.metadata)
    assert differences == [], (
        "models differ from the migrations; run `flask --app app db migrate -m '...'`:\n"
        + "\n".join(map(str, differences)))


# --- ids are never reused; the free-text reasons leave the audit history --------------------

def test_an_erased_applicants_id_is_never_given_to_the_next(app, make_user):
    from portal.audit import AuditEvent
    from portal.recruiting.privacy import erase
    from tests import helpers

    opening = helpers.open_opening(make_user(roles=("manager",)))
    helpers.apply(opening, make_user())
    erased = make_user()
    erased_id = helpers.apply(opening, erased).id  # the newest row: SQLite reused its id
    erase(erased, confirmation=erased.email)
    db.session.flush()

    newcomer = helpers.apply(opening, make_user())
    assert newcomer.id > erased_id
    history = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.target_type == "applications", AuditEvent.target_id == newcomer.id)).all()
    assert history == ["application.created"]  # nothing of the erased person's


BEFORE_IDS = "d8ee414adb4d"
ID_TABLES = ("users", "audit_events", "openings", "stored_files", "applications",
             "application_notes", "outbox_emails", "stage_changes")
WITHDRAWAL = {"from_stage": "applied", "to_stage": "withdrawn",
              "reason": "My husband is ill and I must care for him"}


@pytest.fixture
def fresh_app():
    """The app on an empty database of its own (no schema): for upgrading from old revisions."""
    with tempfile.TemporaryDirectory(prefix="portal-migrations-") as tmp, \
            live_database(Path(tmp), "migrations") as database_uri:
        app = create_app(app_config(Path(tmp), SQLALCHEMY_DATABASE_URI=database_uri))
        with app.app_context():
            try:
                yield app
            finally:
                db.engine.dispose()  # before the database is dropped


def _insert(connection, table_name: str, **values):
    table = Table(table_name, MetaData(), autoload_with=connection)
    return connection.execute(insert(table).values(**values)).inserted_primary_key[0]


def _fill_before_ids(connection) -> dict:
    """A little of everything at d8ee414adb4d, including a deleted newest application that the
    audit history still names."""
    now = utcnow()
    user = dict(password_hash="x", is_active_account=True, credentials_version=1, created_at=now)
    manager = _insert(connection, "users", email="m@example.com", full_name="M", **user)
    candidate = _insert(connection, "users", email="c@example.com", full_name="C", **user)
    erased = _insert(connection, "users", email="e@example.com", full_name="E", **user)
    for user_id, role in ((manager, "manager"), (candidate, "candidate"), (erased, "candidate")):
        _insert(connection, "user_roles", user_id=user_id, role=role, granted_at=now)
    opening = _insert(
        connection, "openings", title="Agent", summary="Answer calls", description="",
        requirements="", pay_min=15, pay_max=18, pay_currency="USD", pay_period="hour",
        hours_min=20, hours_max=40, shifts=["morning"], countries=[], time_zones=[], steps=[],
        status="open", created_by_id=manager, created_at=now, updated_at=now)
    for stage, count in (("applied", 0), ("withdrawn", 1)):
        _insert(connection, "stage_counts", opening_id=opening, stage=stage, count=count)
    answers = dict(
        opening_id=opening, phone="+1 555 000 1111", country="US", time_zone="America/Chicago",
        availability_days=["mon"], availability_shifts=["morning"], hours_per_week=30,
        languages=["en"], experience_years=1, has_computer=True, has_headset=True,
        has_wired_internet=True, privacy_consent_at=now, retention_consent_at=now,
        privacy_notice_version="2026-11", created_at=now, stage_changed_at=now)
    application = _insert(connection, "applications", candidate_id=candidate, stage="withdrawn",
                          full_name="C", email="c@example.com", **answers)
    gone = _insert(connection, "applications", candidate_id=erased, stage="applied",
                   full_name="E", email="e@example.com", **answers)
    _insert(connection, "stage_changes", application_id=application, from_stage=None,
            to_stage="applied", actor_id=candidate, reason="Applied online", created_at=now)
    _insert(connection, "stage_changes", application_id=application, from_stage="applied",
            to_stage="withdrawn", actor_id=candidate, reason=WITHDRAWAL["reason"],
            created_at=now)
    _insert(connection, "application_notes", application_id=application, author_id=manager,
            body="Call back next year", created_at=now)
    _insert(connection, "application_search_terms", term="c", application_id=application)
    _insert(connection, "step_progress", application_id=application, step_key="typing",
            status="completed", summary="52 wpm", updated_at=now)
    _insert(connection, "outbox_emails", recipient_id=candidate, application_id=application,
            to_address="c@example.com", template="application_received", subject="Thanks",
            body_text="Thanks", body_html="<p>Thanks</p>", status="sent", created_at=now)
    _insert(connection, "stored_files", backend="local", key="a/b", size=1,
            checksum_sha256="0" * 64, content_type="text/plain", original_name="cv.txt",
            owner_id=candidate, created_at=now)
    _insert(connection, "job_runs", id="job-1", func="portal.mail:deliver", queue="email",
            args={"id": 1}, status="succeeded", attempts=1, created_at=now)
    audit = dict(target_type="applications", ip_address="192.0.2.1", created_at=now)
    moved = _insert(connection, "audit_events", actor_id=candidate, action="application.moved",
                    target_id=application, detail=WITHDRAWAL, **audit)
    _insert(connection, "audit_events", actor_id=erased, action="application.created",
            target_id=gone, detail={"opening_id": opening}, **audit)
    kept = _insert(connection, "audit_events", actor_id=manager, action="opening.updated",
                   target_type="openings", target_id=opening, detail={"reason": "typo"},
                   created_at=now)  # not a move: keeps its reason
    connection.execute(text("DELETE FROM applications WHERE id = :id"), {"id": gone})
    return {"moved": moved, "kept": kept, "gone": gone, "erased": erased, "answers": answers}


def _snapshot(connection) -> dict:
    """Every table's rows and everything its schema says, but the primary key's form."""
    inspector = inspect(connection)
    tables = {}
    for name in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        order = ", ".join(inspector.get_pk_constraint(name)["constrained_columns"])
        tables[name] = {
            "rows": [dict(row) for row in connection.execute(
                text(f"SELECT * FROM {name} ORDER BY {order}")).mappings()],
            "foreign_keys": sorted(map(repr, inspector.get_foreign_keys(name))),
            "indexes": sorted(map(repr, inspector.get_indexes(name))),
            "unique": sorted(map(repr, inspector.get_unique_constraints(name))),
            "checks": sorted(map(repr, inspector.get_check_constraints(name))),
            "columns": [(c["name"], repr(c["type"]), c["nullable"])
                        for c in inspector.get_columns(name)],
        }
    return tables


def _table_sql(connection) -> dict[str, str]:
    return dict(connection.execute(text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all())


def _json(value):
    return json.loads(value) if isinstance(value, str) else value  # SQLite: text


def _without_move_reason(tables: dict, moved_id: int) -> dict:
    rows = tables["audit_events"]["rows"]
    return {**tables, "audit_events": {**tables["audit_events"], "rows": [
        {**row, "detail": _json(row["detail"])} for row in rows if row["id"] != moved_id]}}


def test_upgrade_keeps_the_data_never_reuses_ids_and_drops_move_reasons(fresh_app):
    flask_migrate.upgrade(revision=BEFORE_IDS)
    with db.engine.begin() as connection:
        made = _fill_before_ids(connection)
        before = _snapshot(connection)

    flask_migrate.upgrade(revision="b7a3c9d2e4f1")
    sqlite = db.engine.dialect.name == "sqlite"
    with db.engine.connect() as connection:
        after = _snapshot(connection)
        moved = next(row for row in after["audit_events"]["rows"] if row["id"] == made["moved"])
        assert _json(moved["detail"]) == {"from_stage": "applied", "to_stage": "withdrawn"}
        # Every other row, column, foreign key, index and constraint is as it was (an event
        # that is not a move keeps its "reason").
        assert _without_move_reason(after, made["moved"]) == \
            _without_move_reason(before, made["moved"])
        if sqlite:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1  # back on
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
            table_sql = _table_sql(connection)
            for name in ID_TABLES:
                assert "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT" in table_sql[name], name
            assert "AUTOINCREMENT" not in table_sql["user_roles"] + table_sql["stage_counts"]
        # The deleted newest application's id is named by the audit history: never again.
        new_id = _insert(connection, "applications", candidate_id=made["erased"], stage="applied",
                         full_name="E", email="e@example.com", **made["answers"])
        assert new_id > made["gone"]
        connection.rollback()

    flask_migrate.upgrade()  # and whatever came after, on a database holding data
    flask_migrate.downgrade(revision=BEFORE_IDS)  # valid; the reasons stay gone
    with db.engine.connect() as connection:
        downgraded = _snapshot(connection)
        if sqlite:
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
            assert "AUTOINCREMENT" not in "".join(_table_sql(connection).values())
    assert _without_move_reason(downgraded, made["moved"]) == \
        _without_move_reason(before, made["moved"])
