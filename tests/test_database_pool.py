"""Pooled connections are tested before use only after sitting idle: a connection that died
meanwhile (a database restart, a firewall's idle timeout) is replaced before a request sees an
error, and a connection used moments ago costs no extra round trip."""

import pytest
from sqlalchemy import create_engine, text

from portal import extensions
from tests.conftest import _database_url


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(_database_url(tmp_path))
    extensions.ping_after_idle(engine)
    pings = []
    real_ping = engine.dialect.do_ping

    def counted_ping(dbapi_connection):
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    engine.dialect.do_ping = counted_ping
    engine.pings = pings
    yield engine
    engine.dispose()


def select_one(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1")).scalar()


def test_a_connection_that_died_while_idle_is_replaced(engine, monkeypatch):
    with engine.connect() as conn:
        dead = conn.connection.dbapi_connection
    dead.close()  # behind the pool's back, as a server restart would
    monkeypatch.setattr(extensions, "IDLE_SECONDS_BEFORE_PING", 0.0)
    assert select_one(engine) == 1
    assert engine.pings == [dead]
    with engine.connect() as conn:
        assert conn.connection.dbapi_connection is not dead


def test_a_connection_used_moments_ago_is_not_pinged(engine):
    for _ in range(3):
        assert select_one(engine) == 1
    assert engine.pings == []
