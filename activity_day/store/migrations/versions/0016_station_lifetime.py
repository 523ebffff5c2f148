"""a station's lifetime (joined_on, left_on), no stars without a record, the demonstration site-visit draw by
commit-reveal (demo_commitment, demo_round.site_visit_record)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 16:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.add_column(sa.Column('joined_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('left_on', sa.Date(), nullable=True))
    # Stations already out of the registry left on a day nobody recorded: the evaluation ends their months with their
    # last plan until the office says when (activity-day stations set --left).
    with op.batch_alter_table('station_evaluation', schema=None) as batch_op:
        batch_op.alter_column('stars', existing_type=sa.Integer(), nullable=True)
    evaluation = sa.table('station_evaluation', sa.column('stars', sa.Integer()), sa.column('total', sa.Float()))
    op.get_bind().execute(evaluation.update().where(evaluation.c.total.is_(None)).values(stars=None))
    with op.batch_alter_table('demo_round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('site_visit_record', sa.JSON(), nullable=True))
    op.create_table(
        'demo_commitment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('county', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('round', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
        sa.Column('department', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('commitment', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('committed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('reveal', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('revealed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('county', 'round', 'department'),
    )
    with op.batch_alter_table('demo_commitment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demo_commitment_county'), ['county'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('demo_commitment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demo_commitment_county'))
    op.drop_table('demo_commitment')
    with op.batch_alter_table('demo_round', schema=None) as batch_op:
        batch_op.drop_column('site_visit_record')
    evaluation = sa.table('station_evaluation', sa.column('stars', sa.Integer()))
    op.get_bind().execute(evaluation.update().where(evaluation.c.stars.is_(None)).values(stars=0))
    with op.batch_alter_table('station_evaluation', schema=None) as batch_op:
        batch_op.alter_column('stars', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.drop_column('left_on')
        batch_op.drop_column('joined_on')
