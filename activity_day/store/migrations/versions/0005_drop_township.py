"""drop the township table: written from the registry at import, never read (stations carry their township)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 07:15:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('township', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_township_county'))
    op.drop_table('township')


def downgrade() -> None:
    op.create_table('township',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('station_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('county', 'name')
    )
    with op.batch_alter_table('township', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_township_county'), ['county'], unique=False)
    # Refilled as the registry import wrote it: each county's townships of active stations, with their count.
    op.execute(sa.text("INSERT INTO township (county, name, station_count) SELECT county, township, COUNT(*) "
                       "FROM station WHERE active GROUP BY county, township"))
