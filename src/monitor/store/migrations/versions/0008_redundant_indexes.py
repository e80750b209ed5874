"""Drop the indexes that the unique constraints' own indexes already serve

measures (article_id) is the leading column of the unique (article_id, ordinal), changes
(commitment_id) of the unique (commitment_id, measure_id): a lookup by either uses the
constraint's index, and every insert kept a second one up to date for nothing (776,312
measures at 100k captures).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_measures_article_id", table_name="measures")
    op.drop_index("ix_changes_commitment_id", table_name="changes")


def downgrade() -> None:
    op.create_index("ix_changes_commitment_id", "changes", ["commitment_id"], unique=False)
    op.create_index("ix_measures_article_id", "measures", ["article_id"], unique=False)
