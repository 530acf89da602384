"""Recording and verifying the chain.

Services call :func:`record` while they work; the entries are written when the session commits
(a ``before_commit`` hook), so a transaction that rolls back leaves no entry behind.

Each entry carries the SHA-256 of its own content; its chain hash covers the previous entry's hash, its
sequence number and that content hash. Giving out sequence numbers would serialise every writer, so on
PostgreSQL no writer does: entries are appended with their content hash, and the sealer
(``audit.sealing``) numbers, links and checkpoints them in the order they were appended. On SQLite,
whose writers are serialised anyway, Python links them here at commit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from feecollect.audit import repository

GENESIS = "0" * 64
CONTENT_FIELDS = (
    "recorded_at",
    "actor",
    "role",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
)
_PENDING = "feecollect.audit.pending"


@dataclass(frozen=True, slots=True)
class Actor:
    name: str
    role: str


SYSTEM = Actor("system", "system")


def record(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    # Entries are written at commit; a value too long for its column must fail here, where the caller is.
    for label, value, limit in (
        ("actor", actor.name, 64),
        ("action", action, 64),
        ("object_type", object_type, 32),
        ("object_id", object_id, 64),
    ):
        if len(value) > limit:
            raise ValueError(f"audit {label} {value!r} is longer than {limit} characters")
    # Copied now: what the caller changes afterwards is not what it recorded.
    session.info.setdefault(_PENDING, []).append(
        (actor, action, object_type, object_id, _plain(before), _plain(after))
    )


def _plain(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """JSON-safe and stable: dates, decimals and enums become strings before they are hashed."""
    return None if value is None else json.loads(json.dumps(value, default=str, ensure_ascii=False))


def content_hash(entry: dict[str, Any]) -> str:
    canonical = json.dumps(
        {key: entry[key] for key in CONTENT_FIELDS}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def chain_hash(prev_hash: str, seq: int, content: str) -> str:
    """The link; the PostgreSQL trigger of migration 0006 computes exactly this."""
    return hashlib.sha256(f"{prev_hash}:{seq}:{content}".encode()).hexdigest()


def entry_row(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    recorded_at: datetime,
) -> dict[str, Any]:
    """An entry as it is written, with its content hash: for a writer that inserts it itself."""
    row = {
        "recorded_at": recorded_at.isoformat(),
        "actor": actor.name,
        "role": actor.role,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before": _plain(before),
        "after": _plain(after),
    }
    return row | {"content_hash": content_hash(row)}


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    recorded_at = datetime.now(UTC)
    rows = [
        entry_row(actor, action, object_type, object_id, before=before, after=after, recorded_at=recorded_at)
        for actor, action, object_type, object_id, before, after in pending
    ]
    if session.connection().dialect.name != "postgresql":
        previous = repository.last(session)
        seq = previous.seq if previous and previous.seq else 0
        prev_hash = previous.hash if previous and previous.hash else GENESIS
        for row in rows:
            seq += 1
            row["seq"], row["prev_hash"] = seq, prev_hash
            row["hash"] = prev_hash = chain_hash(prev_hash, seq, row["content_hash"])
    repository.insert(session, rows)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


@dataclass(frozen=True, slots=True)
class ChainReport:
    checked: int
    first_bad_seq: int | None = None
    reason: str | None = None
    pending: int = 0  # appended, not yet sealed into the chain
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def verify(session: Session) -> ChainReport:
    """The chain entry by entry (``audit.sealing.verify`` adds its checkpoints)."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    for row in repository.in_order(session):
        if row.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"entry {expected_seq} is missing (next is {row.seq})")
        if row.prev_hash != prev_hash:
            return ChainReport(checked, row.seq, f"entry {row.seq} does not link to entry {row.seq - 1}")
        content = content_hash({key: getattr(row, key) for key in CONTENT_FIELDS})
        if content != row.content_hash or chain_hash(prev_hash, row.seq, content) != row.hash:
            return ChainReport(
                checked, row.seq, f"entry {row.seq} ({row.action} {row.object_id}) was altered"
            )
        prev_hash, expected_seq, checked = row.hash, expected_seq + 1, checked + 1
    return ChainReport(checked, pending=repository.unsealed_count(session))
