"""Commitments identified by what they measure: measures' subject, commitments' identity

A quantified target is recognised by its actor and indicator (国务院 · 国内生产总值), an
undertaking by its actor and the policy it is about, when its head clause names one; the
identity is looked up by value, so it is indexed.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("measures", sa.Column("subject", sa.Text(), nullable=True))
    op.add_column("commitments", sa.Column("identity", sa.Text(), nullable=True))
    op.create_index("ix_commitments_identity", "commitments", ["identity"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_commitments_identity", table_name="commitments")
    op.drop_column("commitments", "identity")
    op.drop_column("measures", "subject")
