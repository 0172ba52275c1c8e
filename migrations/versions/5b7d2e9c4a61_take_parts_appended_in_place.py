"""take parts appended in place

Revision ID: 5b7d2e9c4a61
Revises: 9c4e2a7b1d35
Create Date: 2026-11-24 11:00:00

On a local storage folder a take's parts are written straight into the take's file as they
arrive in order (`recording_takes.assembly_key`), instead of each into an object of its own
that completion joined into a copy. A part that came ahead of its turn is still stored on its
own until the gap fills; so `recording_take_parts.key` is empty for a part already in the
take's file.

"""
from alembic import op
import sqlalchemy as sa


revision = '5b7d2e9c4a61'
down_revision = '9c4e2a7b1d35'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('recording_takes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assembly_key', sa.String(length=300), nullable=True))

    with op.batch_alter_table('recording_take_parts', schema=None) as batch_op:
        batch_op.alter_column('key', existing_type=sa.String(length=300), nullable=True)


def downgrade():
    with op.batch_alter_table('recording_take_parts', schema=None) as batch_op:
        batch_op.alter_column('key', existing_type=sa.String(length=300), nullable=False)

    with op.batch_alter_table('recording_takes', schema=None) as batch_op:
        batch_op.drop_column('assembly_key')
