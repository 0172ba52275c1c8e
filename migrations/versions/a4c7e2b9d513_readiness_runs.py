"""readiness runs

Revision ID: a4c7e2b9d513
Revises: f3b1c8d2a6e9
Create Date: 2026-11-24 01:10:00.000000

Every run of the desktop readiness check (`readiness_runs`): raw samples, figures, what the
browser reported, each requirement's check and the verdict. The requirements profile lives in
the opening's existing rules (`assessment_opening_rules.rules["readiness"]`), so it needs no
table.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4c7e2b9d513'
down_revision = 'f3b1c8d2a6e9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('readiness_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('verdict', sa.String(length=10), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('device', sa.JSON(), nullable=False),
    sa.Column('samples', sa.JSON(), nullable=False),
    sa.Column('user_agent', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_readiness_runs_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readiness_runs')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('readiness_runs', schema=None) as batch_op:
        batch_op.create_index('ix_readiness_runs_application', ['application_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('readiness_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_readiness_runs_application')

    op.drop_table('readiness_runs')
