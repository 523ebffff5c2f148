"""submission.status holds refused_late (12 characters): VARCHAR(10) -> VARCHAR(20)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 08:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sqlmodel.sql.sqltypes.AutoString(length=10),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=20), existing_nullable=False)


def downgrade() -> None:
    # Rows with refused_late would not fit back; shorten them first so the downgrade cannot fail.
    op.execute(sa.text("UPDATE submission SET status = 'late' WHERE status = 'refused_late'"))
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sqlmodel.sql.sqltypes.AutoString(length=20),
                              type_=sqlmodel.sql.sqltypes.AutoString(length=10), existing_nullable=False)
