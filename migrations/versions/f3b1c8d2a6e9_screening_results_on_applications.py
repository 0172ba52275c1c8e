"""screening results on applications

Revision ID: f3b1c8d2a6e9
Revises: a198eb27b15b
Create Date: 2026-11-24 10:15:00.000000

A screening package's recommendation per application (`applications.screening_outcome`,
indexed with the pipeline's date order so the outcome filter seeks) and its figures per key
(`application_scores`, indexed by key and value for the pipeline's score sort). Written by
hand: adding a nullable column and indexes needs no table rebuild on SQLite.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3b1c8d2a6e9'
down_revision = 'a198eb27b15b'
branch_labels = None
depends_on = None


def upgrade():
    # No sqlite_autoincrement: the key is composite (and a foreign key), so it would not apply.
    op.create_table('application_scores',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_scores_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('application_id', 'key', name=op.f('pk_application_scores'))
    )
    with op.batch_alter_table('application_scores', schema=None) as batch_op:
        batch_op.create_index('ix_application_scores_key_value', ['key', 'value', 'application_id'], unique=False)

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('screening_outcome', sa.String(length=20), nullable=True))
        batch_op.create_index('ix_applications_outcome_created', ['screening_outcome', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_applications_opening_outcome_created', ['opening_id', 'screening_outcome', 'created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_opening_outcome_created')
        batch_op.drop_index('ix_applications_outcome_created')
        batch_op.drop_column('screening_outcome')

    with op.batch_alter_table('application_scores', schema=None) as batch_op:
        batch_op.drop_index('ix_application_scores_key_value')

    op.drop_table('application_scores')
