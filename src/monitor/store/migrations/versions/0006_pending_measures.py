"""pending_measures: the measures tracking has still to follow, as rows of their own

Replaces the measures.tracked flag: flagging a measure rewrote its row and its index entries,
deleting its pending row only marks that row gone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_MEASURES = sa.table("measures", sa.column("id", sa.Integer()), sa.column("tracked", sa.Boolean()))
_PENDING = sa.table("pending_measures", sa.column("measure_id", sa.Integer()))


def upgrade() -> None:
    op.create_table(
        "pending_measures",
        sa.Column("measure_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("measure_id"),
    )
    op.execute(
        _PENDING.insert().from_select(
            ["measure_id"], sa.select(_MEASURES.c.id).where(_MEASURES.c.tracked.is_(sa.false()))
        )
    )
    op.drop_index("ix_measures_tracked", table_name="measures")
    with op.batch_alter_table("measures") as batch_op:  # on SQLite a copy of the table
        batch_op.drop_column("tracked")


def downgrade() -> None:
    with op.batch_alter_table("measures") as batch_op:
        batch_op.add_column(
            sa.Column("tracked", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch_op.create_index("ix_measures_tracked", ["tracked"], unique=False)
    op.execute(
        _MEASURES.update()
        .where(_MEASURES.c.id.in_(sa.select(_PENDING.c.measure_id)))
        .values(tracked=False)
    )
    op.drop_table("pending_measures")
