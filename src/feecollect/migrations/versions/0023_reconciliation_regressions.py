"""reconciliation_regressions: a re-run of a reconciled day whose findings changed keeps both runs and
what came and went (SPEC §16)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reconciliation_regressions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("previous_summary", sa.JSON(), nullable=False),
        sa.Column("previous_run_by", sa.String(length=64), nullable=False),
        sa.Column("previous_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("added", sa.JSON(), nullable=False),
        sa.Column("gone", sa.JSON(), nullable=False),
        sa.Column("run_by", sa.String(length=64), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_reconciliation_regressions_run_date", "reconciliation_regressions", ["run_date"])


def downgrade() -> None:
    op.drop_table("reconciliation_regressions")
