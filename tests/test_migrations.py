"""The migrations are the only way the schema is made: one head, and models that match it."""

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from portal import PROJECT_ROOT
from portal.extensions import db


def test_there_is_a_single_migration_head():
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several heads, merge them: {heads}"


def test_models_and_migrations_agree(app):
    # The test database was built by `flask db upgrade`; any difference from the models is drift.
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], (
        "models differ from the migrations; run `flask --app app db migrate -m '...'`:\n"
        + "\n".join(map(str, differences)))
