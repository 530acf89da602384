"""audit chain linked at commit

Each entry now stores the SHA-256 of its content, and its chain hash is
sha256(prev_hash + ":" + seq + ":" + content_hash). On PostgreSQL a deferred constraint trigger gives out
``seq`` and links the entry while the transaction commits, under advisory lock 7310003, so no client
round trip happens while the lock is held. Existing entries are checked against the old chain first and
relinked in the new form; a broken chain stops the upgrade instead of being relinked into a valid one.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
CONTENT_FIELDS = ("recorded_at", "actor", "role", "action", "object_type", "object_id", "before", "after")

LINK_FUNCTION = """
CREATE FUNCTION audit_entries_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    previous RECORD;
    next_seq integer;
    previous_hash varchar(64);
BEGIN
    PERFORM pg_advisory_xact_lock(7310003);
    -- A new statement, so a new snapshot: it sees the entry the previous lock holder committed.
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

entries = sa.table(
    "audit_entries",
    sa.column("id", sa.Integer),
    sa.column("seq", sa.Integer),
    *(sa.column(name, sa.JSON if name in ("before", "after") else sa.String) for name in CONTENT_FIELDS),
    sa.column("content_hash", sa.String),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)


def _canonical(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _old_hash(prev_hash: str, row: Any) -> str:
    fields = {key: getattr(row, key) for key in CONTENT_FIELDS}
    return _sha(prev_hash + _canonical({"seq": row.seq, **fields}))


def _content_hash(row: Any) -> str:
    return _sha(_canonical({key: getattr(row, key) for key in CONTENT_FIELDS}))


def _relink(connection: sa.Connection, *, to_new: bool) -> None:
    old_prev = new_prev = GENESIS
    rows = connection.execute(sa.select(entries).order_by(entries.c.seq)).all()
    for expected_seq, row in enumerate(rows, start=1):
        content = _content_hash(row)
        current = _old_hash(old_prev, row) if to_new else _new_hash(old_prev, row.seq, content)
        if row.seq != expected_seq or row.prev_hash != old_prev or row.hash != current:
            raise RuntimeError(
                f"audit entry {row.seq} does not verify; restore the audit log before migrating it"
            )
        old_prev = row.hash
        new_hash = _new_hash(new_prev, row.seq, content) if to_new else _old_hash(new_prev, row)
        connection.execute(
            sa.update(entries)
            .where(entries.c.id == row.id)
            .values(content_hash=content if to_new else None, prev_hash=new_prev, hash=new_hash)
        )
        new_prev = new_hash


def _new_hash(prev_hash: str, seq: int, content: str) -> str:
    return _sha(f"{prev_hash}:{seq}:{content}")


def upgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_hash", sa.String(length=64), nullable=True))
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=True)
    _relink(op.get_bind(), to_new=True)
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.alter_column("content_hash", existing_type=sa.String(length=64), nullable=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(LINK_FUNCTION)
        op.execute(LINK_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entries_link ON audit_entries")
        op.execute("DROP FUNCTION audit_entries_link()")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.alter_column("content_hash", existing_type=sa.String(length=64), nullable=True)
    _relink(op.get_bind(), to_new=False)
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_column("content_hash")
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
