"""banks.lookup_required, notice_lookups (the confirm code a bank's lookup gave, and its window) and
late_callbacks (callbacks that arrived after the statement paid their notice)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("banks") as banks:
        banks.add_column(sa.Column("lookup_required", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table(
        "notice_lookups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("bank_code", sa.String(16), nullable=False),
        sa.Column("notice_id", sa.Integer(), sa.ForeignKey("notices.id"), nullable=False, index=True),
        sa.Column("confirm_code", sa.String(8), nullable=False),
        sa.Column("looked_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("bank_code", "notice_id"),
    )
    op.create_table(
        "late_callbacks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("payment_id", sa.Integer(), sa.ForeignKey("payments.id"), nullable=False, index=True),
        sa.Column("bank_code", sa.String(16), nullable=False),
        sa.Column("bank_txn_id", sa.String(64), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("bank_code", "bank_txn_id"),
    )


def downgrade() -> None:
    op.drop_table("late_callbacks")
    op.drop_table("notice_lookups")
    with op.batch_alter_table("banks") as banks:
        banks.drop_column("lookup_required")
