"""department comments: the amendment (修改内容) the official plan states for an adopted comment

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('department_comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amendment', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('department_comment', schema=None) as batch_op:
        batch_op.drop_column('amendment')
