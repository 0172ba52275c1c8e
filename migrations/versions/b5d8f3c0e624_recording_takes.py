"""recording takes and their parts

Revision ID: b5d8f3c0e624
Revises: a4c7e2b9d513
Create Date: 2026-11-24 01:30:00.000000

Takes of the recording steps (`recording_takes`: one answer to one prompt, its recorder's MIME
type, its whole file once the checksum matched, what processing measured) and the parts they
arrive in (`recording_take_parts`, deleted once the take is whole).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5d8f3c0e624'
down_revision = 'a4c7e2b9d513'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recording_takes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('step_key', sa.String(length=40), nullable=False),
    sa.Column('prompt', sa.String(length=60), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('mime_type', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('parts', sa.Integer(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('upload_file_id', sa.Integer(), nullable=True),
    sa.Column('media_file_id', sa.Integer(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('loudness_lufs', sa.Float(), nullable=True),
    sa.Column('silence_ratio', sa.Float(), nullable=True),
    sa.Column('longest_silence_ms', sa.Integer(), nullable=True),
    sa.Column('peaks', sa.JSON(), nullable=True),
    sa.Column('failure', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_recording_takes_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['media_file_id'], ['stored_files.id'], name=op.f('fk_recording_takes_media_file_id_stored_files'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['upload_file_id'], ['stored_files.id'], name=op.f('fk_recording_takes_upload_file_id_stored_files'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recording_takes')),
    sa.UniqueConstraint('application_id', 'step_key', 'prompt', 'number', name=op.f('uq_recording_takes_application_id_step_key_prompt_number')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('recording_takes', schema=None) as batch_op:
        batch_op.create_index('ix_recording_takes_status', ['status', 'id'], unique=False)

    op.create_table('recording_take_parts',
    sa.Column('take_id', sa.Integer(), nullable=False),
    sa.Column('index', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['take_id'], ['recording_takes.id'], name=op.f('fk_recording_take_parts_take_id_recording_takes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('take_id', 'index', name=op.f('pk_recording_take_parts'))
    )


def downgrade():
    op.drop_table('recording_take_parts')
    with op.batch_alter_table('recording_takes', schema=None) as batch_op:
        batch_op.drop_index('ix_recording_takes_status')

    op.drop_table('recording_takes')
