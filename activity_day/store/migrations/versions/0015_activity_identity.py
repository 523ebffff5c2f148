"""planned activities get a stable identity (uid), and check-ins refer to it instead of the row position

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 14:00:00
"""
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('planned_activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
    with op.batch_alter_table('evidence_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activity_uid', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
    bind = op.get_bind()
    activity = sa.table('planned_activity', sa.column('id', sa.Integer()), sa.column('county', sa.String()),
                        sa.column('month', sa.String()), sa.column('station_code', sa.String()),
                        sa.column('seq', sa.Integer()), sa.column('uid', sa.String()))
    record = sa.table('evidence_record', sa.column('id', sa.Integer()), sa.column('county', sa.String()),
                      sa.column('month', sa.String()), sa.column('station_code', sa.String()),
                      sa.column('activity_seq', sa.Integer()), sa.column('activity_uid', sa.String()))
    # Every activity planned so far is its own; a record belongs to the activity at its position today (the only
    # thing known), and a record whose position is gone keeps an identity no activity has.
    uids = {}
    for row_id, county, month, station, seq in bind.execute(sa.select(
            activity.c.id, activity.c.county, activity.c.month, activity.c.station_code, activity.c.seq)).all():
        uids[(county, month, station, seq)] = uid = uuid.uuid4().hex
        bind.execute(activity.update().where(activity.c.id == row_id).values(uid=uid))
    for row_id, county, month, station, seq in bind.execute(sa.select(
            record.c.id, record.c.county, record.c.month, record.c.station_code, record.c.activity_seq)).all():
        bind.execute(record.update().where(record.c.id == row_id).values(
            activity_uid=uids.get((county, month, station, seq)) or uuid.uuid4().hex))
    with op.batch_alter_table('planned_activity', schema=None) as batch_op:
        batch_op.alter_column('uid', existing_type=sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False)
        batch_op.create_unique_constraint('uq_planned_activity_uid', ['county', 'month', 'station_code', 'uid'])
    with op.batch_alter_table('evidence_record', schema=None) as batch_op:
        batch_op.alter_column('activity_uid', existing_type=sqlmodel.sql.sqltypes.AutoString(length=32),
                              nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('evidence_record', schema=None) as batch_op:
        batch_op.drop_column('activity_uid')
    with op.batch_alter_table('planned_activity', schema=None) as batch_op:
        batch_op.drop_constraint('uq_planned_activity_uid', type_='unique')
        batch_op.drop_column('uid')
