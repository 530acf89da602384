"""audit entries sealed into the chain by a sealer, not linked at commit

The deferred trigger of 0006 linked every entry while its transaction committed, under one advisory
lock: every writer of the service queued there. Entries are now appended with their content hash only
and a sealer (beat, every second; `feecollect audit seal`) links them in order and writes a MAC'd
checkpoint; audit_checkpoints holds those.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

LINK_FUNCTION = """
CREATE FUNCTION audit_entries_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    previous RECORD;
    next_seq integer;
    previous_hash varchar(64);
BEGIN
    PERFORM pg_advisory_xact_lock(7310003);
    SELECT seq, hash INTO previous FROM audit_entries WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1;
    next_seq := COALESCE(previous.seq, 0) + 1;
    previous_hash := COALESCE(previous.hash, repeat('0', 64));
    UPDATE audit_entries
       SET seq = next_seq,
           prev_hash = previous_hash,
           hash = encode(sha256(convert_to(previous_hash || ':' || next_seq || ':' || NEW.content_hash,
                                           'UTF8')), 'hex')
     WHERE id = NEW.id;
    RETURN NULL;
END
$$
"""
LINK_TRIGGER = """
CREATE CONSTRAINT TRIGGER audit_entries_link AFTER INSERT ON audit_entries
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.seq IS NULL)
EXECUTE FUNCTION audit_entries_link()
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entries_link ON audit_entries")
        op.execute("DROP FUNCTION audit_entries_link()")
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False, unique=True),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("sealed_at", sa.String(32), nullable=False),
        sa.Column("mac", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    if op.get_bind().dialect.name == "postgresql":
        # Entries the sealer had not reached yet would stay outside the chain: seal before downgrading.
        op.execute(LINK_FUNCTION)
        op.execute(LINK_TRIGGER)
