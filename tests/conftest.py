"""Test harness.

The schema is built once per run by the Alembic migrations (never by create_all), on SQLite by
default or on PostgreSQL when TEST_DATABASE_URL says so. Each test runs inside one outer
transaction on one connection and is rolled back at the end; every session the app opens
(requests, inline jobs) joins that transaction through SAVEPOINTs, so commits inside the code
under test behave as they do in production without leaking between tests.
"""

import contextvars
import functools
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import flask_migrate
import pytest
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, text

from portal import create_app
from portal.auth import throttle
from portal.extensions import db

pytest_plugins = ["tests.s3_server"]

DEFAULT_PASSWORD = "Correct-Horse-Battery-9"
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def _database_url(tmp_dir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir / 'test.db'}"
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def test_config(tmp_dir: Path, **overrides) -> dict:
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_dir / "instance"),
        "SECRET_KEY": "test-secret-key-that-is-long-enough",
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_dir),
        "STORAGE_BACKEND": "local",
        "STORAGE_LOCAL_ROOT": str(tmp_dir / "files"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "REDIS_URL": None,
        "SMTP_HOST": None,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config


def reset_schema(app) -> None:
    """Empty the database, then build the schema with the migrations."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        flask_migrate.upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def tmp_dir():
    with tempfile.TemporaryDirectory(prefix="portal-tests-") as path:
        yield Path(path)


@pytest.fixture(scope="session")
def _app(tmp_dir):
    app = create_app(test_config(tmp_dir))
    reset_schema(app)
    return app


class _ConnectionBoundSession(FlaskSession):
    """Flask-SQLAlchemy's session picks the engine per table; tests need the shared connection."""

    def get_bind(self, *args, **kwargs):
        return self.bind


@pytest.fixture
def app(_app):
    with _app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session({
            "bind": connection, "class_": _ConnectionBoundSession,
            "join_transaction_mode": "create_savepoint",
        })
        throttle.storage().reset()  # sign-in failures counted by earlier tests
        try:
            yield _app
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (so its own `g` and DB session), as in production,
    instead of reusing the test's: otherwise Flask-Login's cached user leaks between requests.
    Answers are read whole and closed, as a server does."""

    def open(self, *args, **kwargs):
        # Read the whole answer and close it, as a server does: work the app defers until
        # the answer is sent (jobs.enqueue(after_response=True)) then runs.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@functools.cache
def _default_password_hash() -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(DEFAULT_PASSWORD)


@pytest.fixture
def make_user(app):
    from portal.auth.models import User
    from portal.extensions import utcnow

    counter = iter(range(1, 1_000_000))

    def make(roles=("candidate",), email=None, password=DEFAULT_PASSWORD, verified=True,
             full_name=None):
        number = next(counter)
        user = User(email=email or f"user{number}-{os.getpid()}@example.com",
                    full_name=full_name or f"Test User {number}",
                    email_verified_at=utcnow() if verified else None)
        if password == DEFAULT_PASSWORD:
            user.password_hash = _default_password_hash()  # hashing is slow by design
        else:
            user.set_password(password)
        for role in roles:
            user.grant(role)
        db.session.add(user)
        db.session.flush()
        return user

    return make


@pytest.fixture
def login():
    def do_login(client, user, password=DEFAULT_PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, "login failed"
        return response

    return do_login


@dataclass
class QueryCounter:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as counter:` ... `counter.count`: SQL statements sent meanwhile
    (transaction bookkeeping such as SAVEPOINT is not a query)."""

    @contextmanager
    def counting():
        counter = QueryCounter()

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def redis_conn():
    from redis import Redis

    connection = Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except Exception as error:  # any failure to reach it means: no Redis for this run
        pytest.skip(f"Redis is not reachable at {REDIS_TEST_URL} ({error}); "
                    "set REDIS_TEST_URL to run the RQ tests")
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()
