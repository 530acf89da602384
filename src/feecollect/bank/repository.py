from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from feecollect.bank.models import Bank, BankKey, BankNonce


def bank(session: Session, code: str) -> Bank | None:
    return session.get(Bank, code)


def active_key(session: Session, key_id: str) -> BankKey | None:
    key = session.get(BankKey, key_id)
    return key if key is not None and key.retired_at is None else None


def active_key_of_bank(session: Session, key_id: str) -> tuple[BankKey, bool] | None:
    """A valid key with whether its bank must look notices up before paying them."""
    row = session.execute(
        select(BankKey, Bank.lookup_required)
        .join(Bank, Bank.code == BankKey.bank_code)
        .where(BankKey.key_id == key_id, BankKey.retired_at.is_(None))
    ).first()
    return None if row is None else (row[0], bool(row[1]))


def keys_of(session: Session, bank_code: str) -> Sequence[BankKey]:
    return session.scalars(
        select(BankKey).where(BankKey.bank_code == bank_code).order_by(BankKey.created_at)
    ).all()


def banks(session: Session) -> Sequence[Bank]:
    return session.scalars(select(Bank).order_by(Bank.code)).all()


def actor_names(session: Session) -> dict[str, str]:
    """The audit's actor name of each bank (``bank:CCB``) → the bank's name."""
    return {f"bank:{code}": name for code, name in session.execute(select(Bank.code, Bank.name))}


def add(session: Session, row: Bank | BankKey | BankNonce) -> None:
    session.add(row)
    session.flush()


def purge_nonces(session: Session, before: datetime) -> int:
    result = session.execute(delete(BankNonce).where(BankNonce.seen_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def insert_nonce(session: Session, key_id: str, nonce: str, at: datetime) -> None:
    session.execute(insert(BankNonce).values(key_id=key_id, nonce=nonce, seen_at=at))
