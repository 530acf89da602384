"""How a bank's retry is told from a new request reusing a transaction id: the same fields give the same
digest. Stored digests depend on this exact canonical form; do not change it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from feecollect.errors import Conflict


def body_digest(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def require_same_body(stored_digest: str | None, digest: str, bank_txn_id: str) -> None:
    """A replay (same transaction id, same body) passes; another body with the same id is a conflict."""
    if stored_digest != digest:
        raise Conflict(f"bank_txn_id {bank_txn_id} was already used with a different body", code="conflict")
