"""fee item versions

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 01:39:18.692004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fee_item_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("family", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("department_code", sa.String(length=16), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("effective_to", sa.Date(), nullable=True),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("source_file", sa.String(length=200), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_item_versions")),
        sa.UniqueConstraint("code", "version", name=op.f("uq_fee_item_versions_code")),
    )
    with op.batch_alter_table("fee_item_versions", schema=None) as batch_op:
        batch_op.create_index("ix_fee_item_versions_current", ["superseded_at", "code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fee_item_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_fee_item_versions_current")

    op.drop_table("fee_item_versions")
