"""payments.bank_reference: the bank's own number of a payment found on the statement (its line's serial)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payments") as payments:
        payments.add_column(sa.Column("bank_reference", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payments") as payments:
        payments.drop_column("bank_reference")
