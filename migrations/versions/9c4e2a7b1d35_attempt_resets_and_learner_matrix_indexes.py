"""attempt resets, and the indexes of the learners matrix

Revision ID: 9c4e2a7b1d35
Revises: be642b594e55
Create Date: 2026-11-24 07:00:00

A trainer's reset sets a registration's attempts aside (`course_attempts.reset_at`, by whom and
why: `reset_by_id`, `reset_reason`, the reason kept here rather than in the audit log): they stay
in the history, the roll-up and the attempt policy no longer count them, and the next launch
starts a fresh attempt. The learners matrix pages learners by (name, id) along
`ix_users_name`, and reads a page of learners' registrations along
`ix_course_registrations_learner_id`.

"""
from alembic import op
import sqlalchemy as sa


revision = '9c4e2a7b1d35'
down_revision = 'be642b594e55'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('course_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reset_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reset_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reset_reason', sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_course_attempts_reset_by_id_users'), 'users',
                                    ['reset_by_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('course_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_registrations_learner_id'), ['learner_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_name', ['full_name', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_name')

    with op.batch_alter_table('course_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_registrations_learner_id'))

    with op.batch_alter_table('course_attempts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_course_attempts_reset_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('reset_reason')
        batch_op.drop_column('reset_by_id')
        batch_op.drop_column('reset_at')
