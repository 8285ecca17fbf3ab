"""The feedback response's owner by name, and the reason for an eligibility decision.

A response can be owned by someone without a staff account (a commissioning lead at a
partner, say), so the owner's name is kept beside the optional staff link. A person who
decides eligibility by hand records why, for the applicant's record and for appeals.

Revision ID: 0004_owner_reason
Revises: 0003_search
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_owner_reason"
down_revision = "0003_search"
branch_labels = None
depends_on = None


NEW_COLUMNS = [
    ("application", sa.Column("eligibility_reason", sa.Text(), nullable=True)),
    ("feedback_item", sa.Column("response_owner_name", sa.String(length=200), nullable=True)),
]


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    for table, column in NEW_COLUMNS:
        # Pre-release builds put these columns in 0001: their databases already have them.
        if column.name in {c["name"] for c in inspector.get_columns(table)}:
            continue
        with op.batch_alter_table(table) as batch:
            batch.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("feedback_item") as batch:
        batch.drop_column("response_owner_name")
    with op.batch_alter_table("application") as batch:
        batch.drop_column("eligibility_reason")
