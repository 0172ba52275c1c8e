"""teams, announcements and tool links

Revision ID: 876e852e2fbb
Revises: 35e95cfe660c
Create Date: 2026-11-24 05:05:49.525251

Teams of agents under a supervisor (`teams`; `team_members`, keyed by the agent, so an agent is
in one team at most), announcements for the agents' landing page (`announcements`: kind, text,
audience everyone / a team / an opening's hires, pinned, first and last day shown, author,
archived) with each agent's read marks (`announcement_reads`), and the trainers' ordered tool
links (`tool_links`, for everyone or one team). New tables only; nothing existing changes.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '876e852e2fbb'
down_revision = '35e95cfe660c'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('teams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_teams_supervisor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams')),
    sa.UniqueConstraint('name', name=op.f('uq_teams_name')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_supervisor_id'), ['supervisor_id'], unique=False)

    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('audience', sa.String(length=10), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('opening_id', sa.Integer(), nullable=True),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(audience = 'everyone' AND team_id IS NULL AND opening_id IS NULL) OR (audience = 'team' AND team_id IS NOT NULL AND opening_id IS NULL) OR (audience = 'opening' AND opening_id IS NOT NULL AND team_id IS NULL)", name=op.f('ck_announcements_audience')),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_announcements_dates')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_announcements_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['opening_id'], ['openings.id'], name=op.f('fk_announcements_opening_id_openings'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_announcements_team_id_teams'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index('ix_announcements_created', ['created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcements_opening_id'), ['opening_id'], unique=False)
        batch_op.create_index('ix_announcements_starts', ['starts_on', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcements_team_id'), ['team_id'], unique=False)

    op.create_table('team_members',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_team_members_team_id_teams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_team_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_team_members')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_members_team_id'), ['team_id'], unique=False)

    op.create_table('tool_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_tool_links_team_id_teams'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tool_links')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('tool_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tool_links_team_id'), ['team_id'], unique=False)

    op.create_table('announcement_reads',
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'], name=op.f('fk_announcement_reads_announcement_id_announcements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_announcement_reads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('announcement_id', 'user_id', name=op.f('pk_announcement_reads')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('announcement_reads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_announcement_reads_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('announcement_reads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_reads_user_id'))

    op.drop_table('announcement_reads')
    with op.batch_alter_table('tool_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tool_links_team_id'))

    op.drop_table('tool_links')
    with op.batch_alter_table('team_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_members_team_id'))

    op.drop_table('team_members')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcements_team_id'))
        batch_op.drop_index('ix_announcements_starts')
        batch_op.drop_index(batch_op.f('ix_announcements_opening_id'))
        batch_op.drop_index('ix_announcements_created')

    op.drop_table('announcements')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_supervisor_id'))

    op.drop_table('teams')
