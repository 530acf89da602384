"""refund_orders.approved_by/approved_at nullable: an order is proposed first and approved by a second
finance user (SPEC §16)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("refund_orders") as orders:
        orders.alter_column("approved_by", existing_type=sa.String(length=64), nullable=True)
        orders.alter_column("approved_at", existing_type=sa.DateTime(timezone=True), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("refund_orders") as orders:
        orders.alter_column("approved_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        orders.alter_column("approved_by", existing_type=sa.String(length=64), nullable=False)
