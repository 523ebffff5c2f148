"""drop the department table: written from the profile at init, never read (the profile's departments are)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 07:10:00
"""
import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_department_county'))
    op.drop_table('department')


def downgrade() -> None:
    department = op.create_table('department',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('county', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('county', 'name')
    )
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_department_county'), ['county'], unique=False)
    # Refill it as crud.save_profile wrote it: each county's profile departments, in order.
    rows = []
    for code, profile in op.get_bind().execute(sa.text("SELECT code, profile FROM county")):
        profile = json.loads(profile) if isinstance(profile, str) else profile
        rows += [{"county": code, "name": name, "seq": i} for i, name in enumerate(profile.get("departments", []))]
    if rows:
        op.bulk_insert(department, rows)
