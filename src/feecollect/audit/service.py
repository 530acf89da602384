"""Recording and verifying the chain.

Services call :func:`record` while they work; the entries are written when the session commits
(a ``before_commit`` hook), so the chain's lock is held only from the append to the commit and a
transaction that rolls back leaves no entry behind.
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
from feecollect.audit.models import AuditEntry
from feecollect.db.engine import AUDIT_LOCK, exclusive

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq",
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
    session.info.setdefault(_PENDING, []).append(
        {
            "actor": actor.name,
            "role": actor.role,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "before": _plain(before),
            "after": _plain(after),
        }
    )


def _plain(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """JSON-safe and stable: dates, decimals and enums become strings before they are hashed."""
    return None if value is None else json.loads(json.dumps(value, default=str, ensure_ascii=False))


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    canonical = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _hashed(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in HASHED_FIELDS}


def _hashed_fields(row: AuditEntry) -> dict[str, Any]:
    return {key: getattr(row, key) for key in HASHED_FIELDS}


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    with exclusive(session.connection(), AUDIT_LOCK):
        previous = repository.last(session)
        seq = previous.seq if previous else 0
        prev_hash = previous.hash if previous else GENESIS
        rows = []
        for item in pending:
            seq += 1
            row = {"seq": seq, "recorded_at": datetime.now(UTC).isoformat(), **item}
            row["prev_hash"], row["hash"] = prev_hash, entry_hash(prev_hash, _hashed(row))
            prev_hash = row["hash"]
            rows.append(row)
        repository.insert(session, rows)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


@dataclass(frozen=True, slots=True)
class ChainReport:
    checked: int
    first_bad_seq: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def verify(session: Session) -> ChainReport:
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    for row in repository.in_order(session):
        if row.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"entry {expected_seq} is missing (next is {row.seq})")
        if row.prev_hash != prev_hash:
            return ChainReport(checked, row.seq, f"entry {row.seq} does not link to entry {row.seq - 1}")
        if entry_hash(prev_hash, _hashed_fields(row)) != row.hash:
            return ChainReport(
                checked, row.seq, f"entry {row.seq} ({row.action} {row.object_id}) was altered"
            )
        prev_hash, expected_seq, checked = row.hash, expected_seq + 1, checked + 1
    return ChainReport(checked)
