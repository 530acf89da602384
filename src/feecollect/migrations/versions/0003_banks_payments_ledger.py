"""banks payments ledger

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 02:05:30.192423
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_nonces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_nonces")),
        sa.UniqueConstraint("key_id", "nonce", name=op.f("uq_bank_nonces_key_id")),
    )
    with op.batch_alter_table("bank_nonces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_nonces_seen_at"), ["seen_at"], unique=False)

    op.create_table(
        "banks",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_banks")),
    )
    op.create_table(
        "ledger_transactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=96), nullable=False),
        sa.Column("memo", sa.String(length=200), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transactions")),
        sa.UniqueConstraint("kind", "reference", name=op.f("uq_ledger_transactions_kind")),
    )
    with op.batch_alter_table("ledger_transactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_transactions_business_date"), ["business_date"], unique=False
        )

    op.create_table(
        "bank_keys",
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("bank_code", sa.String(length=16), nullable=False),
        sa.Column("encrypted_secret", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["bank_code"], ["banks.code"], name=op.f("fk_bank_keys_bank_code_banks")),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_bank_keys")),
    )
    with op.batch_alter_table("bank_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bank_keys_bank_code"), ["bank_code"], unique=False)

    op.create_table(
        "ledger_postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=48), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ledger_transactions.id"],
            name=op.f("fk_ledger_postings_transaction_id_ledger_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_postings")),
    )
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_postings_account"), ["account"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ledger_postings_transaction_id"), ["transaction_id"], unique=False
        )

    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_code", sa.String(length=16), nullable=False),
        sa.Column("bank_txn_id", sa.String(length=64), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("payment_code", sa.String(length=20), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("payer_name", sa.String(length=200), nullable=True),
        sa.Column("payer_account", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["notice_id"], ["notices.id"], name=op.f("fk_payments_notice_id_notices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("bank_code", "bank_txn_id", name=op.f("uq_payments_bank_code")),
        sa.UniqueConstraint("notice_id", name=op.f("uq_payments_notice_id")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_business_date"), ["business_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_payment_code"), ["payment_code"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_payment_code"))
        batch_op.drop_index(batch_op.f("ix_payments_business_date"))

    op.drop_table("payments")
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_postings_transaction_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_postings_account"))

    op.drop_table("ledger_postings")
    with op.batch_alter_table("bank_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_keys_bank_code"))

    op.drop_table("bank_keys")
    with op.batch_alter_table("ledger_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_transactions_business_date"))

    op.drop_table("ledger_transactions")
    op.drop_table("banks")
    with op.batch_alter_table("bank_nonces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_nonces_seen_at"))

    op.drop_table("bank_nonces")
