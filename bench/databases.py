"""A fresh database for one bench run: a SQLite file in the run's temp dir, or a new database
on the PostgreSQL server the bench was pointed at (created here, dropped at the end)."""

import os
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text


@contextmanager
def fresh_database(server_url: str | None, tmp: Path, name: str):
    """Yield the URL of a new database called `name` (made unique per process)."""
    if not server_url:
        yield f"sqlite:///{tmp / f'{name}.db'}"
        return
    url = make_url(server_url).set(drivername="postgresql+psycopg")
    database = f"{name}_{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")  # CREATE DATABASE refuses a tx
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        yield url.set(database=database).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
