"""settlements and refunds

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "refund_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refund_id", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("bank_code", sa.String(length=16), nullable=False),
        sa.Column("payee_name", sa.String(length=200), nullable=False),
        sa.Column("payee_account", sa.String(length=64), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("fees", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bank_txn_id", sa.String(length=64), nullable=True),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("body_hash", sa.String(length=64), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_refund_orders_payment_id_payments")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_refund_orders_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refund_orders")),
        sa.UniqueConstraint("bank_code", "bank_txn_id", name=op.f("uq_refund_orders_bank_code")),
        sa.UniqueConstraint("refund_id", name=op.f("uq_refund_orders_refund_id")),
    )
    with op.batch_alter_table("refund_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refund_orders_bank_code"), ["bank_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_refund_orders_payment_id"), ["payment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_refund_orders_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_refund_orders_status"), ["status"], unique=False)

    op.create_table(
        "project_settlements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("actual_params", sa.JSON(), nullable=False),
        sa.Column("fees", sa.JSON(), nullable=False),
        sa.Column("collected_fen", sa.BigInteger(), nullable=False),
        sa.Column("final_fen", sa.BigInteger(), nullable=False),
        sa.Column("top_up_notice_id", sa.Integer(), nullable=True),
        sa.Column("refund_order_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("settled_by", sa.String(length=64), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("split_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_project_settlements_project_id_projects")
        ),
        sa.ForeignKeyConstraint(
            ["refund_order_id"],
            ["refund_orders.id"],
            name=op.f("fk_project_settlements_refund_order_id_refund_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["top_up_notice_id"], ["notices.id"], name=op.f("fk_project_settlements_top_up_notice_id_notices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_settlements")),
        sa.UniqueConstraint("project_id", name=op.f("uq_project_settlements_project_id")),
    )


def downgrade() -> None:
    op.drop_table("project_settlements")
    with op.batch_alter_table("refund_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refund_orders_status"))
        batch_op.drop_index(batch_op.f("ix_refund_orders_project_id"))
        batch_op.drop_index(batch_op.f("ix_refund_orders_payment_id"))
        batch_op.drop_index(batch_op.f("ix_refund_orders_bank_code"))

    op.drop_table("refund_orders")
