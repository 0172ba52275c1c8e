"""never reuse ids on SQLite (AUTOINCREMENT); no free-text reasons in the audit history

SQLite gives the id of a deleted max-id row to the next row, so an erased person's audit
history attached to the next applicant's application. Every table with a single integer
surrogate key is rebuilt with AUTOINCREMENT (SQLite only: PostgreSQL's sequences never reuse
an id), and its counter starts past every id the audit history names, so ids deleted before
this migration are not handed out again either.

The `application.moved` audit events kept the mover's reason, a person's own words (a
candidate's withdrawal reason); they lose it, on every database.

Revision ID: b7a3c9d2e4f1
Revises: d8ee414adb4d
Create Date: 2026-11-23 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7a3c9d2e4f1'
down_revision = 'd8ee414adb4d'
branch_labels = None
depends_on = None

# Every table with a single integer surrogate primary key (audit target_type = table name).
ID_TABLES = ('users', 'audit_events', 'openings', 'stored_files', 'applications',
             'application_notes', 'outbox_emails', 'stage_changes')


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        _rebuild(autoincrement=True)
        _start_counters_past_audited_ids()
    _redact_move_reasons(bind)


def downgrade():
    # The redacted reasons are gone for good: nothing to put back. On SQLite the tables are
    # rebuilt without AUTOINCREMENT, as the previous revision made them.
    if op.get_bind().dialect.name == 'sqlite':
        _rebuild(autoincrement=False)


def _rebuild(autoincrement):
    """Copy each table into a new one (same columns, constraints, indexes and rows). With
    foreign keys on, dropping the old table would cascade into the tables that refer to it:
    migrations/env.py turns them off around the migrations and checks them before commit."""
    bind = op.get_bind()
    if bind.exec_driver_sql('PRAGMA foreign_keys').scalar():
        raise RuntimeError('SQLite foreign keys must be off to rebuild tables '
                           '(run this through migrations/env.py)')
    for table in ID_TABLES:
        with op.batch_alter_table(table, recreate='always',
                                  table_kwargs={'sqlite_autoincrement': autoincrement}):
            pass


def _start_counters_past_audited_ids():
    # Copying the rows set each counter to the table's largest id; an id deleted before now
    # may be larger, and if the audit history names it, it must not come back.
    bind = op.get_bind()
    for table in ID_TABLES:
        audited = bind.execute(sa.text(
            'SELECT max(target_id) FROM audit_events WHERE target_type = :table'),
            {'table': table}).scalar()
        if audited is None:
            continue
        current = bind.execute(sa.text('SELECT seq FROM sqlite_sequence WHERE name = :table'),
                               {'table': table}).scalar()
        if current is None:
            bind.execute(sa.text('INSERT INTO sqlite_sequence (name, seq) VALUES (:table, :seq)'),
                         {'table': table, 'seq': audited})
        elif current < audited:
            bind.execute(sa.text('UPDATE sqlite_sequence SET seq = :seq WHERE name = :table'),
                         {'table': table, 'seq': audited})


def _redact_move_reasons(bind):
    if bind.dialect.name == 'sqlite':
        op.execute(sa.text(
            "UPDATE audit_events SET detail = json_remove(detail, '$.reason') "
            "WHERE action = 'application.moved' AND json_valid(detail) "
            "AND json_type(detail, '$.reason') IS NOT NULL"))
    else:
        op.execute(sa.text(
            "UPDATE audit_events SET detail = (detail::jsonb - 'reason')::json "
            "WHERE action = 'application.moved' AND json_typeof(detail) = 'object' "
            "AND detail::jsonb ? 'reason'"))
