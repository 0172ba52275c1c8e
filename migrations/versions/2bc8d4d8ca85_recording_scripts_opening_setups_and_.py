"""recording scripts, opening setups and reviewers

Revision ID: 2bc8d4d8ca85
Revises: d2f6b8e1c947
Create Date: 2026-11-24 04:02:44.523669

Versioned recording scripts (`recording_scripts`: interview templates and sample-call
scenarios), which script and rubric each opening's recording step uses
(`recording_opening_setups`), who reviews an opening's recordings
(`recording_opening_reviewers`), and the script version each take answered
(`recording_takes.script_id`; NULL for takes of the shipped defaults made before).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2bc8d4d8ca85'
down_revision = 'd2f6b8e1c947'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recording_scripts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('step_key', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('introduction', sa.String(length=4000), nullable=False),
    sa.Column('prompts', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_recording_scripts_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recording_scripts')),
    sa.UniqueConstraint('key', 'version', name=op.f('uq_recording_scripts_key_version')),
    sqlite_autoincrement=True
    )
    op.create_table('recording_opening_reviewers',
    sa.Column('opening_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['opening_id'], ['openings.id'], name=op.f('fk_recording_opening_reviewers_opening_id_openings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recording_opening_reviewers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('opening_id', 'user_id', name=op.f('pk_recording_opening_reviewers')),
    sqlite_autoincrement=True
    )
    op.create_table('recording_opening_setups',
    sa.Column('opening_id', sa.Integer(), nullable=False),
    sa.Column('step_key', sa.String(length=40), nullable=False),
    sa.Column('script_key', sa.String(length=60), nullable=False),
    sa.Column('rubric_key', sa.String(length=60), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['opening_id'], ['openings.id'], name=op.f('fk_recording_opening_setups_opening_id_openings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('opening_id', 'step_key', name=op.f('pk_recording_opening_setups')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('recording_takes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('script_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_recording_takes_script_id_recording_scripts'), 'recording_scripts', ['script_id'], ['id'], ondelete='RESTRICT')



def downgrade():
    with op.batch_alter_table('recording_takes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_recording_takes_script_id_recording_scripts'), type_='foreignkey')
        batch_op.drop_column('script_id')

    op.drop_table('recording_opening_setups')
    op.drop_table('recording_opening_reviewers')
    op.drop_table('recording_scripts')
