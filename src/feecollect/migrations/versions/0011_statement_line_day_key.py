"""statement lines: one unique index on (account, day, dedup key) instead of two indexes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

A dedup key holds its line's booking day, so the unique index on (account, day, key) refuses exactly
what the one on (account, key) refused, and it serves the reads of an account's day that the
(day, account) index served. Inserting a year's statement maintained both.
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("statement_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_statement_lines_day")
        batch_op.drop_constraint("uq_statement_lines_account_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_statement_lines_account_day_key", ["account_id", "booked_on", "dedup_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("statement_lines", schema=None) as batch_op:
        batch_op.drop_constraint("uq_statement_lines_account_day_key", type_="unique")
        batch_op.create_unique_constraint("uq_statement_lines_account_id", ["account_id", "dedup_key"])
        batch_op.create_index("ix_statement_lines_day", ["booked_on", "account_id"], unique=False)
