"""refund_orders.statement_line_id: an unidentified credit can be sent back to its payer, so an order is
tied either to a project's payment or to the statement line that brought the money (SPEC §16)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("refund_orders") as orders:
        orders.alter_column("project_id", existing_type=sa.Integer(), nullable=True)
        orders.alter_column("payment_id", existing_type=sa.Integer(), nullable=True)
        orders.add_column(sa.Column("statement_line_id", sa.Integer(), nullable=True))
        orders.add_column(sa.Column("original_serial", sa.String(length=64), nullable=True))
        orders.create_foreign_key(
            "fk_refund_orders_statement_line_id_statement_lines",
            "statement_lines",
            ["statement_line_id"],
            ["id"],
        )
        orders.create_unique_constraint("uq_refund_orders_statement_line_id", ["statement_line_id"])


def downgrade() -> None:
    with op.batch_alter_table("refund_orders") as orders:
        orders.drop_constraint("uq_refund_orders_statement_line_id", type_="unique")
        orders.drop_constraint("fk_refund_orders_statement_line_id_statement_lines", type_="foreignkey")
        orders.drop_column("original_serial")
        orders.drop_column("statement_line_id")
        orders.alter_column("payment_id", existing_type=sa.Integer(), nullable=False)
        orders.alter_column("project_id", existing_type=sa.Integer(), nullable=False)
