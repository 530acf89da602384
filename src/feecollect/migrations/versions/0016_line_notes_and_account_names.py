"""notice_lines.note: how a lump line (floor, cap, brackets) or a top-up's difference was reached, for
the printed 备注; bank_accounts.account_name: the payee name a bank counter needs on a notice

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notice_lines") as lines:
        lines.add_column(sa.Column("note", sa.Text(), nullable=True))
    with op.batch_alter_table("bank_accounts") as accounts:
        accounts.add_column(sa.Column("account_name", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bank_accounts") as accounts:
        accounts.drop_column("account_name")
    with op.batch_alter_table("notice_lines") as lines:
        lines.drop_column("note")
