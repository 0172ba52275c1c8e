"""recording comments

Revision ID: c7e1a9d4f835
Revises: b5d8f3c0e624
Create Date: 2026-11-24 01:45:00.000000

Reviewers' comments pinned to a moment of a take (`recording_comments`).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7e1a9d4f835'
down_revision = 'b5d8f3c0e624'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recording_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('take_id', sa.Integer(), nullable=False),
    sa.Column('at_ms', sa.Integer(), nullable=False),
    sa.Column('body', sa.String(length=1000), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_recording_comments_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['take_id'], ['recording_takes.id'], name=op.f('fk_recording_comments_take_id_recording_takes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recording_comments')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('recording_comments', schema=None) as batch_op:
        batch_op.create_index('ix_recording_comments_take', ['take_id', 'at_ms', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('recording_comments', schema=None) as batch_op:
        batch_op.drop_index('ix_recording_comments_take')

    op.drop_table('recording_comments')
