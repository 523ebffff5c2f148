"""tokens expire: expires_at on station and scorer tokens, the end of the issuing year for those already issued

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 12:00:00
"""
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ('station_token', 'scorer_token')
BEIJING = ZoneInfo('Asia/Shanghai')


def default_expiry(issued_at: datetime) -> datetime:
    """The end of the issuing year in Beijing time (domain/tokens.py's rule, frozen here as of this revision)."""
    year = issued_at.astimezone(BEIJING).year
    return datetime(year + 1, 1, 1, tzinfo=BEIJING).astimezone(UTC)


def upgrade() -> None:
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    bind = op.get_bind()
    for name in TABLES:
        table = sa.table(name, sa.column('id', sa.Integer()),
                         sa.column('issued_at', sqlmodel.sql.sqltypes.UTCDateTime()),
                         sa.column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime()))
        for row_id, issued_at in bind.execute(sa.select(table.c.id, table.c.issued_at)).all():
            bind.execute(table.update().where(table.c.id == row_id).values(expires_at=default_expiry(issued_at)))


def downgrade() -> None:
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column('expires_at')
