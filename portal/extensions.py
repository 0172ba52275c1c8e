"""Extensions are created once here and bound to the app in create_app()."""

import time
from datetime import UTC, datetime

from flask import current_app, has_request_context, request
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import DateTime, MetaData, Table, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Named constraints make Alembic migrations reproducible on every database (SQLite batch mode
# needs the names to drop or alter a constraint).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


@event.listens_for(Table, "after_parent_attach")
def _never_reuse_ids(table: Table, parent) -> None:
    """SQLite: AUTOINCREMENT on every table of ours, so that a deleted row's id is never given
    to a new row (an erased person's audit history must not attach to the next applicant).
    SQLAlchemy emits it only for a single integer primary key that is not a foreign key, so
    composite keys are untouched; autogenerate writes `sqlite_autoincrement=True` into new
    tables' migrations. PostgreSQL's sequences never reuse an id anyway."""
    if parent is Base.metadata:
        table.dialect_options["sqlite"]["autoincrement"] = True


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC on every database (SQLite forgets the zone; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True
    python_type = datetime

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given; use datetime.now(UTC)")
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


# The largest id an Integer primary key holds on every database we run on (PostgreSQL INTEGER).
MAX_ROW_ID = 2**31 - 1


def utcnow() -> datetime:
    return datetime.now(UTC)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
bootstrap = Bootstrap5()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys, and let SQLAlchemy own BEGIN so SAVEPOINTs work."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


# A pooled connection idle longer than this is tested before use (see ping_after_idle).
IDLE_SECONDS_BEFORE_PING = 10.0


def ping_after_idle(engine: Engine) -> None:
    """Test a pooled connection before a request uses it, but only after it sat idle.
    pool_pre_ping would test every checkout: a round trip on every request. A connection in
    use seconds ago is alive all but always; one idle longer may have been cut (a database
    restart, a firewall's idle timeout) and is replaced before the request sees an error."""

    @event.listens_for(engine, "checkin")
    def _idle_from_now(dbapi_connection, connection_record):
        connection_record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, connection_record, connection_proxy):
        idle_since = connection_record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < IDLE_SECONDS_BEFORE_PING:
            return  # a new connection, or one just used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("the idle connection is gone; the pool opens another") \
                from error


# Requests that read: their transactions start deferred and never wait for a writer (WAL).
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def sqlite_begin_statement() -> str:
    """How a SQLite transaction starts. A deferred transaction that read and then writes gets
    "database is locked" at once if another connection wrote meanwhile (busy_timeout cannot
    help it), so writers take the write lock up front and queue for it (busy_timeout):
    every transaction outside a request (jobs, CLI) and in a POST/PUT/PATCH/DELETE request.
    A GET's transaction stays deferred, unless its view is marked @writes_on_get (it reads and
    then writes, e.g. an audit row of what was read)."""
    if has_request_context() and request.method in READ_METHODS and not _view_writes():
        return "BEGIN"
    return "BEGIN IMMEDIATE"


def writes_on_get(view):
    """Mark a GET view that writes after reading: on SQLite its transactions take the write
    lock up front, as a POST's do, so that two at once queue instead of one failing."""
    view.writes_on_get = True
    return view


def _view_writes() -> bool:
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, "writes_on_get", False)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(sqlite_begin_statement())
