from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import insert as insert_statement
from sqlalchemy import select
from sqlalchemy.orm import Session

from feecollect.audit.models import AuditEntry


def last(session: Session) -> AuditEntry | None:
    return session.scalars(
        select(AuditEntry).where(AuditEntry.seq.is_not(None)).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()


def first_unchained(session: Session) -> int | None:
    """An entry with no place in the chain: only a write that went around the service leaves one."""
    return session.scalar(select(AuditEntry.id).where(AuditEntry.seq.is_(None)).order_by(AuditEntry.id))


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
    query = select(AuditEntry).order_by(AuditEntry.seq.desc().nulls_last()).limit(limit).offset(offset)
    if object_id is not None:
        query = query.where(AuditEntry.object_id == object_id)
    return session.scalars(query).all()


def insert(session: Session, rows: list[dict[str, Any]]) -> None:
    session.execute(insert_statement(AuditEntry), rows)
