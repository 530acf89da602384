"""bills

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 02:42:29.478741
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bill_counters",
        sa.Column("bill_code", sa.String(length=8), nullable=False),
        sa.Column("last_no", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("bill_code", name=op.f("pk_bill_counters")),
    )
    op.create_table(
        "bills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bill_code", sa.String(length=8), nullable=False),
        sa.Column("bill_no", sa.BigInteger(), nullable=False),
        sa.Column("check_code", sa.String(length=6), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("original_bill_id", sa.Integer(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reverse_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["notice_id"], ["notices.id"], name=op.f("fk_bills_notice_id_notices")),
        sa.ForeignKeyConstraint(
            ["original_bill_id"], ["bills.id"], name=op.f("fk_bills_original_bill_id_bills")
        ),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"], name=op.f("fk_bills_payment_id_payments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bills")),
        sa.UniqueConstraint("bill_code", "bill_no", name=op.f("uq_bills_bill_code")),
        sa.UniqueConstraint("payment_id", "kind", name=op.f("uq_bills_payment_id")),
    )
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bills_notice_id"), ["notice_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bills_notice_id"))

    op.drop_table("bills")
    op.drop_table("bill_counters")
