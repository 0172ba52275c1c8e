"""recording rubrics and reviews

Revision ID: d2f6b8e1c947
Revises: c7e1a9d4f835
Create Date: 2026-11-24 02:10:00.000000

Versioned scoring rubrics (`recording_rubrics`) and each reviewer's scores of an
application's recording step under one rubric version (`recording_reviews`).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd2f6b8e1c947'
down_revision = 'c7e1a9d4f835'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recording_rubrics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recording_rubrics')),
    sa.UniqueConstraint('key', 'version', name=op.f('uq_recording_rubrics_key_version')),
    sqlite_autoincrement=True
    )
    op.create_table('recording_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('step_key', sa.String(length=40), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('recommendation', sa.String(length=20), nullable=True),
    sa.Column('note', sa.String(length=2000), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_recording_reviews_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_recording_reviews_reviewer_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rubric_id'], ['recording_rubrics.id'], name=op.f('fk_recording_reviews_rubric_id_recording_rubrics'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recording_reviews')),
    sa.UniqueConstraint('application_id', 'step_key', 'reviewer_id', name=op.f('uq_recording_reviews_application_id_step_key_reviewer_id')),
    sqlite_autoincrement=True
    )


def downgrade():
    op.drop_table('recording_reviews')
    op.drop_table('recording_rubrics')
