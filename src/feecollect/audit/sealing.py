"""Sealing the audit log: entries are appended by any writer with their content hash and nothing else;
the sealer links them into the chain in the order they were appended and writes a checkpoint whose MAC
only the service can make. No request waits for another's audit entry.

A checkpoint covers (seq, chain hash at seq, when, the previous checkpoint's MAC): whoever rewrites
the chain from some entry on, recomputing every hash after it, still leaves the checkpoints behind it
pointing at the old hashes, and cannot make new ones without the key.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.orm import Session

from feecollect.audit import repository
from feecollect.audit.models import AuditCheckpoint
from feecollect.audit.service import GENESIS, ChainReport, chain_hash
from feecollect.audit.service import verify as verify_chain

_INFO = b"feecollect audit checkpoints v1"
BATCH = 10_000


def checkpoint_key(master: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(master.encode())


def checkpoint_mac(key: bytes, seq: int, chain: str, sealed_at: str, previous_mac: str) -> str:
    message = f"{seq}:{chain}:{sealed_at}:{previous_mac}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class SealReport:
    sealed: int
    checkpoint_seq: int | None  # the checkpoint this run wrote, if the chain moved on


def seal(session: Session, key: bytes, *, batch: int = BATCH) -> SealReport:
    """Link every entry appended since the last run, then checkpoint the chain's end. Idempotent: a run
    with nothing new writes nothing."""
    repository.lock_sealer(session)
    last = repository.last(session)
    seq = last.seq if last is not None and last.seq is not None else 0
    prev_hash = last.hash if last is not None and last.hash else GENESIS
    sealed = 0
    while pending := repository.unsealed(session, batch):
        links = []
        for entry_id, content in pending:
            seq += 1
            entry_hash = chain_hash(prev_hash, seq, content)
            links.append({"entry_id": entry_id, "seq": seq, "prev_hash": prev_hash, "hash": entry_hash})
            prev_hash = entry_hash
        repository.link(session, links)
        sealed += len(links)
    previous = repository.last_checkpoint(session)
    if seq == 0 or (previous is not None and previous.seq >= seq):
        return SealReport(sealed, None)
    sealed_at = datetime.now(UTC).isoformat()
    repository.add_checkpoint(
        session,
        AuditCheckpoint(
            seq=seq,
            hash=prev_hash,
            entries=sealed,
            sealed_at=sealed_at,
            mac=checkpoint_mac(key, seq, prev_hash, sealed_at, previous.mac if previous else GENESIS),
        ),
    )
    return SealReport(sealed, seq)


@dataclass(frozen=True, slots=True)
class CheckpointReport:
    checked: int
    bad_seq: int | None = None
    reason: str | None = None


def verify_checkpoints(session: Session, key: bytes) -> CheckpointReport:
    """Every checkpoint's MAC, its link to the one before, and the chain hash it recorded."""
    found = repository.checkpoints(session)
    at = repository.hashes_at(session, [checkpoint.seq for checkpoint in found])
    previous_mac = GENESIS
    for checked, checkpoint in enumerate(found):
        expected = checkpoint_mac(key, checkpoint.seq, checkpoint.hash, checkpoint.sealed_at, previous_mac)
        if not hmac.compare_digest(expected, checkpoint.mac):
            return CheckpointReport(
                checked, checkpoint.seq, f"checkpoint at entry {checkpoint.seq} was altered or removed"
            )
        if at.get(checkpoint.seq) != checkpoint.hash:
            return CheckpointReport(
                checked,
                checkpoint.seq,
                f"the chain at entry {checkpoint.seq} differs from its checkpoint: rewritten since",
            )
        previous_mac = checkpoint.mac
    return CheckpointReport(len(found))


def verify(session: Session, key: bytes) -> ChainReport:
    """The chain entry by entry, then every checkpoint over it: what ``feecollect audit verify``,
    the API and the auditor's page report."""
    chain = verify_chain(session)
    if not chain.ok:
        return chain
    sealed = verify_checkpoints(session, key)
    return ChainReport(chain.checked, sealed.bad_seq, sealed.reason, chain.pending, sealed.checked)
