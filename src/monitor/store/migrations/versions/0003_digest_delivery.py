"""digests per recipient with status and the message sent; digest_items

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

import monitor.store.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("digests") as batch_op:
        batch_op.add_column(
            sa.Column("recipient", sa.String(length=320), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), nullable=False, server_default="sending")
        )
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("message", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column("resent_at", monitor.store.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_digests_recipient"), ["recipient"], unique=False)
    op.create_table(
        "digest_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["change_id"], ["changes.id"]),
        sa.ForeignKeyConstraint(["digest_id"], ["digests.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest_id", "change_id"),
    )
    with op.batch_alter_table("digest_items") as batch_op:
        batch_op.create_index(batch_op.f("ix_digest_items_digest_id"), ["digest_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_digest_items_change_id"), ["change_id"], unique=False)


def downgrade() -> None:
    op.drop_table("digest_items")
    with op.batch_alter_table("digests") as batch_op:
        batch_op.drop_index(batch_op.f("ix_digests_recipient"))
        for column in ("resent_at", "message", "error", "status", "recipient"):
            batch_op.drop_column(column)
