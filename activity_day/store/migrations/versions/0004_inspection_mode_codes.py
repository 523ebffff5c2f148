"""inspection scores store the inspection mode as a code (online, onsite, observer), as the draw does

The score files keep their Chinese labels (线上, 线下, 观察员); only the stored value changes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 07:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODES = {"线上": "online", "线下": "onsite", "观察员": "observer"}


def _recode(mapping: dict[str, str]) -> None:
    for old, new in mapping.items():
        op.execute(sa.text("UPDATE inspection_score SET mode = :new WHERE mode = :old").bindparams(new=new, old=old))


def upgrade() -> None:
    _recode(CODES)


def downgrade() -> None:
    _recode({code: label for label, code in CODES.items()})
