"""reconciliation

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_no", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("department_code", sa.String(length=16), nullable=True),
        sa.Column("bank_name", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_accounts")),
        sa.UniqueConstraint("account_no", name=op.f("uq_bank_accounts_account_no")),
    )
    op.create_table(
        "reconciliation_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exception_class", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("department_code", sa.String(length=16), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("first_run_date", sa.Date(), nullable=False),
        sa.Column("last_run_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_exceptions")),
        sa.UniqueConstraint("key", name=op.f("uq_reconciliation_exceptions_key")),
    )
    with op.batch_alter_table("reconciliation_exceptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reconciliation_exceptions_department_code"), ["department_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reconciliation_exceptions_exception_class"), ["exception_class"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reconciliation_exceptions_first_run_date"), ["first_run_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reconciliation_exceptions_status"), ["status"], unique=False)

    op.create_table(
        "reconciliation_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("run_by", sa.String(length=64), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_runs")),
        sa.UniqueConstraint("run_date", name=op.f("uq_reconciliation_runs_run_date")),
    )
    op.create_table(
        "reconciliation_findings",
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("exception_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exception_id"],
            ["reconciliation_exceptions.id"],
            name=op.f("fk_reconciliation_findings_exception_id_reconciliation_exceptions"),
        ),
        sa.PrimaryKeyConstraint("run_date", "exception_id", name=op.f("pk_reconciliation_findings")),
    )
    op.create_table(
        "statement_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("format", sa.String(length=40), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("new_line_count", sa.Integer(), nullable=False),
        sa.Column("first_date", sa.Date(), nullable=False),
        sa.Column("last_date", sa.Date(), nullable=False),
        sa.Column("opening_balance_fen", sa.BigInteger(), nullable=True),
        sa.Column("closing_balance_fen", sa.BigInteger(), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["bank_accounts.id"], name=op.f("fk_statement_files_account_id_bank_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_files")),
    )
    with op.batch_alter_table("statement_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_statement_files_account_id"), ["account_id"], unique=False)

    op.create_table(
        "statement_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("dedup_key", sa.String(length=80), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("booked_at", sa.String(length=8), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("counterparty_name", sa.String(length=200), nullable=False),
        sa.Column("counterparty_account", sa.String(length=64), nullable=False),
        sa.Column("remark", sa.Text(), nullable=False),
        sa.Column("serial", sa.String(length=64), nullable=False),
        sa.Column("balance_fen", sa.BigInteger(), nullable=True),
        sa.Column("payment_code", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["bank_accounts.id"], name=op.f("fk_statement_lines_account_id_bank_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["file_id"], ["statement_files.id"], name=op.f("fk_statement_lines_file_id_statement_files")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_lines")),
        sa.UniqueConstraint("account_id", "dedup_key", name=op.f("uq_statement_lines_account_id")),
    )
    with op.batch_alter_table("statement_lines", schema=None) as batch_op:
        batch_op.create_index("ix_statement_lines_day", ["booked_on", "account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_statement_lines_payment_code"), ["payment_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("statement_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_lines_payment_code"))
        batch_op.drop_index("ix_statement_lines_day")

    op.drop_table("statement_lines")
    with op.batch_alter_table("statement_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statement_files_account_id"))

    op.drop_table("statement_files")
    op.drop_table("reconciliation_findings")
    op.drop_table("reconciliation_runs")
    with op.batch_alter_table("reconciliation_exceptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reconciliation_exceptions_status"))
        batch_op.drop_index(batch_op.f("ix_reconciliation_exceptions_first_run_date"))
        batch_op.drop_index(batch_op.f("ix_reconciliation_exceptions_exception_class"))
        batch_op.drop_index(batch_op.f("ix_reconciliation_exceptions_department_code"))

    op.drop_table("reconciliation_exceptions")
    op.drop_table("bank_accounts")
