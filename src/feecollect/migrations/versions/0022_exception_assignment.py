"""reconciliation_exceptions.assigned_to: the finance user working an exception (SPEC §16)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reconciliation_exceptions") as exceptions:
        exceptions.add_column(sa.Column("assigned_to", sa.String(length=64), nullable=True))
        exceptions.create_index("ix_reconciliation_exceptions_assigned_to", ["assigned_to"])


def downgrade() -> None:
    with op.batch_alter_table("reconciliation_exceptions") as exceptions:
        exceptions.drop_index("ix_reconciliation_exceptions_assigned_to")
        exceptions.drop_column("assigned_to")
