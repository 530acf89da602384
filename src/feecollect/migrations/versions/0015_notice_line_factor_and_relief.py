"""notice_lines.factor and relief_fen: each line's share of the quantity charged and what its relief
took off, so that round(quantity × factor × rate) − relief = amount on the printed line

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notice_lines") as lines:
        lines.add_column(sa.Column("factor", sa.String(length=24), nullable=False, server_default="1"))
        lines.add_column(sa.Column("relief_fen", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("notice_lines") as lines:
        lines.drop_column("relief_fen")
        lines.drop_column("factor")
