"""courses, versions, files and content blobs

Revision ID: 12dd150186c8
Revises: 2bc8d4d8ca85
Create Date: 2026-11-24 04:23:09.042565

Courses imported from SCORM packages (`courses`), each package a numbered version of its course
(`course_versions`: SCORM version, the parsed manifest, launch items, notes, the package's
SHA-256 and size, who imported it and when), the files of each version by their path in the
package (`course_files`), and the contents they point at, stored once per SHA-256
(`content_blobs`: the storage key and size).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '12dd150186c8'
down_revision = '2bc8d4d8ca85'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_blobs',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_content_blobs')),
    sa.UniqueConstraint('key', name=op.f('uq_content_blobs_key')),
    sqlite_autoincrement=True
    )
    op.create_table('courses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_courses_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses')),
    sa.UniqueConstraint('key', name=op.f('uq_courses_key')),
    sqlite_autoincrement=True
    )
    op.create_table('course_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('scorm_version', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('manifest', sa.JSON(), nullable=False),
    sa.Column('launch_items', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('package_sha256', sa.String(length=64), nullable=False),
    sa.Column('total_bytes', sa.BigInteger(), nullable=False),
    sa.Column('file_count', sa.Integer(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_versions_course_id_courses'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_course_versions_imported_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_versions')),
    sa.UniqueConstraint('course_id', 'number', name=op.f('uq_course_versions_course_id_number')),
    sqlite_autoincrement=True
    )
    op.create_table('course_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('path', sa.String(length=1024), nullable=False),
    sa.Column('blob_sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['blob_sha256'], ['content_blobs.sha256'], name=op.f('fk_course_files_blob_sha256_content_blobs'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['course_versions.id'], name=op.f('fk_course_files_version_id_course_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_files')),
    sa.UniqueConstraint('version_id', 'path', name=op.f('uq_course_files_version_id_path')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('course_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_files_blob_sha256'), ['blob_sha256'], unique=False)


def downgrade():
    with op.batch_alter_table('course_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_files_blob_sha256'))

    op.drop_table('course_files')
    op.drop_table('course_versions')
    op.drop_table('courses')
    op.drop_table('content_blobs')
