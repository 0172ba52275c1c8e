"""learning paths, enrolments, reminders, progress outbox, certificates

Revision ID: be642b594e55
Revises: 876e852e2fbb
Create Date: 2026-11-24 06:44:15.540435

The onboarding program: learning paths and their ordered steps (`learning_paths`,
`learning_path_steps`), the path an opening's hires join (`opening_learning_paths`), enrolments
(`learning_path_enrolments`, one row per learner and path), reminders sent once per kind and
due date (`course_reminders`), the progress outbox and its consumers' receipts
(`progress_events`, `progress_receipts`) and certificates (`certificates`). Courses gain their
catalogue fields (category, estimated minutes, certifies); registrations their due date, the
moment they were completed (filled in for those already completed from their last activity)
and an unenrolment mark.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'be642b594e55'
down_revision = '876e852e2fbb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('learning_paths',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('due_days', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_learning_paths_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_paths')),
    sqlite_autoincrement=True
    )
    op.create_table('learning_path_steps',
    sa.Column('path_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('opens_after', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_learning_path_steps_course_id_courses'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['path_id'], ['learning_paths.id'], name=op.f('fk_learning_path_steps_path_id_learning_paths'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('path_id', 'course_id', name=op.f('pk_learning_path_steps')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('learning_path_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_path_steps_course_id'), ['course_id'], unique=False)

    op.create_table('opening_learning_paths',
    sa.Column('opening_id', sa.Integer(), nullable=False),
    sa.Column('path_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['opening_id'], ['openings.id'], name=op.f('fk_opening_learning_paths_opening_id_openings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['path_id'], ['learning_paths.id'], name=op.f('fk_opening_learning_paths_path_id_learning_paths'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('opening_id', name=op.f('pk_opening_learning_paths')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('opening_learning_paths', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opening_learning_paths_path_id'), ['path_id'], unique=False)

    op.create_table('course_reminders',
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['course_registrations.id'], name=op.f('fk_course_reminders_registration_id_course_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('registration_id', 'kind', 'due_at', name=op.f('pk_course_reminders')),
    sqlite_autoincrement=True
    )
    op.create_table('learning_path_enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path_id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('enrolled_by_id', sa.Integer(), nullable=True),
    sa.Column('enrolled_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unenrolled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_learning_path_enrolments_application_id_applications'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrolled_by_id'], ['users.id'], name=op.f('fk_learning_path_enrolments_enrolled_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_learning_path_enrolments_learner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['path_id'], ['learning_paths.id'], name=op.f('fk_learning_path_enrolments_path_id_learning_paths'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learning_path_enrolments')),
    sa.UniqueConstraint('path_id', 'learner_id', name=op.f('uq_learning_path_enrolments_path_id_learner_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('learning_path_enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learning_path_enrolments_learner_id'), ['learner_id'], unique=False)

    op.create_table('progress_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('path_id', sa.Integer(), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_progress_events_course_id_courses'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_progress_events_learner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['path_id'], ['learning_paths.id'], name=op.f('fk_progress_events_path_id_learning_paths'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['registration_id'], ['course_registrations.id'], name=op.f('fk_progress_events_registration_id_course_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_progress_events')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('progress_events', schema=None) as batch_op:
        batch_op.create_index('ix_progress_events_learner_id_id', ['learner_id', 'id'], unique=False)

    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('path_id', sa.Integer(), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('enrolment_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('achievement', sa.String(length=12), nullable=False),
    sa.Column('achieved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_certificates_course_id_courses'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['learning_path_enrolments.id'], name=op.f('fk_certificates_enrolment_id_learning_path_enrolments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_certificates_learner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['path_id'], ['learning_paths.id'], name=op.f('fk_certificates_path_id_learning_paths'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['registration_id'], ['course_registrations.id'], name=op.f('fk_certificates_registration_id_course_registrations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('code', name=op.f('uq_certificates_code')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_learner_id'), ['learner_id'], unique=False)

    op.create_table('progress_receipts',
    sa.Column('consumer', sa.String(length=60), nullable=False),
    sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('handled_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['progress_events.id'], name=op.f('fk_progress_receipts_event_id_progress_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('consumer', 'event_id', name=op.f('pk_progress_receipts')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('course_registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('unenrolled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_course_registrations_due_at'), ['due_at'], unique=False)
    op.execute("UPDATE course_registrations SET completed_at = last_activity_at "
               "WHERE completion = 'completed'")

    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=60), server_default='', nullable=False))
        batch_op.add_column(sa.Column('estimated_minutes', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('certifies', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('certifies')
        batch_op.drop_column('estimated_minutes')
        batch_op.drop_column('category')

    with op.batch_alter_table('course_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_registrations_due_at'))
        batch_op.drop_column('unenrolled_at')
        batch_op.drop_column('due_at')
        batch_op.drop_column('completed_at')

    op.drop_table('progress_receipts')
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_learner_id'))

    op.drop_table('certificates')
    with op.batch_alter_table('progress_events', schema=None) as batch_op:
        batch_op.drop_index('ix_progress_events_learner_id_id')

    op.drop_table('progress_events')
    with op.batch_alter_table('learning_path_enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_path_enrolments_learner_id'))

    op.drop_table('learning_path_enrolments')
    op.drop_table('course_reminders')
    with op.batch_alter_table('opening_learning_paths', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opening_learning_paths_path_id'))

    op.drop_table('opening_learning_paths')
    with op.batch_alter_table('learning_path_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learning_path_steps_course_id'))

    op.drop_table('learning_path_steps')
    op.drop_table('learning_paths')
