"""SM2 bill signatures: the signed bytes, the issuer's key id, the supervision signature, and the
register of signing keys

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bills") as bills:
        bills.add_column(sa.Column("signed_content", sa.Text(), nullable=True))
        bills.add_column(sa.Column("issuer_key_id", sa.String(length=64), nullable=True))
        bills.add_column(sa.Column("supervisor_signature", sa.Text(), nullable=True))
        bills.add_column(sa.Column("supervisor_key_id", sa.String(length=64), nullable=True))
        bills.add_column(sa.Column("supervised_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "signing_keys",
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("public_key_pem", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_signing_keys")),
    )


def downgrade() -> None:
    op.drop_table("signing_keys")
    with op.batch_alter_table("bills") as bills:
        for column in (
            "supervised_at",
            "supervisor_key_id",
            "supervisor_signature",
            "issuer_key_id",
            "signed_content",
        ):
            bills.drop_column(column)
