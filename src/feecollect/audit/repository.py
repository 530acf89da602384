from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy import insert as insert_statement
from sqlalchemy.orm import Session

from feecollect.audit.models import AuditCheckpoint, AuditEntry

# Held by sealers only, never by a request: two sealers (two beats, a beat and the command) take turns.
SEALER_LOCK = 7310003


def last(session: Session) -> AuditEntry | None:
    return session.scalars(
        select(AuditEntry).where(AuditEntry.seq.is_not(None)).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()


def unsealed_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).where(AuditEntry.seq.is_(None))) or 0)


def lock_sealer(session: Session) -> None:
    if session.connection().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": SEALER_LOCK})


def unsealed(session: Session, limit: int) -> list[tuple[int, str]]:
    """(id, content hash) of the entries not yet in the chain, in the order they were appended."""
    rows = session.execute(
        select(AuditEntry.id, AuditEntry.content_hash)
        .where(AuditEntry.seq.is_(None))
        .order_by(AuditEntry.id)
        .limit(limit)
    )
    return [(entry_id, content) for entry_id, content in rows]


def link(session: Session, links: list[dict[str, Any]]) -> None:
    """``links``: {"entry_id", "seq", "prev_hash", "hash"} for each entry sealed."""
    entries = AuditEntry.__table__
    session.connection().execute(
        update(entries)  # type: ignore[arg-type]
        .where(entries.c.id == bindparam("entry_id"))
        .values(seq=bindparam("seq"), prev_hash=bindparam("prev_hash"), hash=bindparam("hash")),
        links,
    )


def last_checkpoint(session: Session) -> AuditCheckpoint | None:
    return session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1)).first()


def checkpoints(session: Session) -> Sequence[AuditCheckpoint]:
    return session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq)).all()


def add_checkpoint(session: Session, checkpoint: AuditCheckpoint) -> None:
    session.add(checkpoint)
    session.flush()


def hashes_at(session: Session, seqs: list[int]) -> dict[int, str | None]:
    rows = session.execute(select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.seq.in_(seqs)))
    return {int(seq): entry_hash for seq, entry_hash in rows if seq is not None}


def in_order(session: Session, batch: int = 1000) -> Iterator[AuditEntry]:
    after: int | None = 0
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq


def page(session: Session, *, object_id: str | None, limit: int, offset: int) -> Sequence[AuditEntry]:
    # Newest first: entries the sealer has not reached yet, then the chain from its end.
    query = (
        select(AuditEntry)
        .order_by(AuditEntry.seq.desc().nulls_first(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
    return session.scalars(query).all()


def insert(session: Session, rows: list[dict[str, Any]]) -> None:
    session.execute(insert_statement(AuditEntry), rows)


def of_object(session: Session, object_type: str, object_id: str, limit: int = 200) -> Sequence[AuditEntry]:
    """One object's entries, oldest first (its history)."""
    query = select(AuditEntry).where(AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
    return session.scalars(query.order_by(AuditEntry.id).limit(limit)).all()
