"""course registrations, attempts and SCO run-time data

Revision ID: 35e95cfe660c
Revises: 12dd150186c8
Create Date: 2026-11-24 04:38:45.939352

Learners' registrations to courses (`course_registrations`), their attempts on the course
version each began with (`course_attempts`), each SCO's run-time data per attempt
(`course_sco_states`) with its interactions and objectives as rows for reports, and the
courses' attempt policies (`courses.max_attempts`, `new_attempt`, `grading`; existing courses
get no limit, "never" and "highest").

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '35e95cfe660c'
down_revision = '12dd150186c8'
branch_labels = None
depends_on = None

def upgrade():
    op.create_table('course_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completion', sa.String(length=20), nullable=False),
    sa.Column('success', sa.String(length=10), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('total_seconds', sa.Float(), nullable=False),
    sa.Column('attempt_count', sa.Integer(), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_registrations_course_id_courses'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['learner_id'], ['users.id'], name=op.f('fk_course_registrations_learner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_registrations')),
    sa.UniqueConstraint('course_id', 'learner_id', name=op.f('uq_course_registrations_course_id_learner_id')),
    sqlite_autoincrement=True
    )
    op.create_table('course_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completion', sa.String(length=20), nullable=False),
    sa.Column('success', sa.String(length=10), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('total_seconds', sa.Float(), nullable=False),
    sa.Column('bookmark', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['registration_id'], ['course_registrations.id'], name=op.f('fk_course_attempts_registration_id_course_registrations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['course_versions.id'], name=op.f('fk_course_attempts_version_id_course_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_attempts')),
    sa.UniqueConstraint('registration_id', 'number', name=op.f('uq_course_attempts_registration_id_number')),
    sqlite_autoincrement=True
    )
    op.create_table('course_sco_interactions',
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=200), nullable=False),
    sa.Column('index', sa.Integer(), nullable=False),
    sa.Column('interaction_id', sa.String(length=4000), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=True),
    sa.Column('learner_response', sa.String(length=4000), nullable=True),
    sa.Column('result', sa.String(length=20), nullable=True),
    sa.Column('correct_responses', sa.JSON(), nullable=False),
    sa.Column('description', sa.String(length=4000), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['course_attempts.id'], name=op.f('fk_course_sco_interactions_attempt_id_course_attempts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('attempt_id', 'item', 'index', name=op.f('pk_course_sco_interactions')),
    sqlite_autoincrement=True
    )
    op.create_table('course_sco_objectives',
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=200), nullable=False),
    sa.Column('index', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.String(length=4000), nullable=False),
    sa.Column('completion', sa.String(length=20), nullable=True),
    sa.Column('success', sa.String(length=10), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['course_attempts.id'], name=op.f('fk_course_sco_objectives_attempt_id_course_attempts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('attempt_id', 'item', 'index', name=op.f('pk_course_sco_objectives')),
    sqlite_autoincrement=True
    )
    op.create_table('course_sco_states',
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=200), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('terminated', sa.Boolean(), nullable=False),
    sa.Column('exit', sa.String(length=20), nullable=False),
    sa.Column('completion', sa.String(length=20), nullable=False),
    sa.Column('success', sa.String(length=10), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('total_seconds', sa.Float(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['course_attempts.id'], name=op.f('fk_course_sco_states_attempt_id_course_attempts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('attempt_id', 'item', name=op.f('pk_course_sco_states')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_attempts', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('new_attempt', sa.String(length=12), nullable=False, server_default='never'))
        batch_op.add_column(sa.Column('grading', sa.String(length=16), nullable=False, server_default='highest'))

def downgrade():
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('grading')
        batch_op.drop_column('new_attempt')
        batch_op.drop_column('max_attempts')

    op.drop_table('course_sco_states')
    op.drop_table('course_sco_objectives')
    op.drop_table('course_sco_interactions')
    op.drop_table('course_attempts')
    op.drop_table('course_registrations')
