"""photo holders: each station that uploaded a photo (photo_holder), filled from the photos' first uploaders

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'photo_holder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('county', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('station_code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('county', 'sha256', 'station_code'),
    )
    with op.batch_alter_table('photo_holder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photo_holder_county'), ['county'], unique=False)
    # Until now a photo knew only its first uploader: that station holds it. A later station's upload of the same
    # bytes was not recorded; it holds the photo again once it uploads it again.
    op.execute('INSERT INTO photo_holder (county, sha256, station_code, received_at) '
               'SELECT county, sha256, station_code, received_at FROM photo')


def downgrade() -> None:
    with op.batch_alter_table('photo_holder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photo_holder_county'))
    op.drop_table('photo_holder')
