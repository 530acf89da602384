from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from feecollect.ledger import repository


class UnbalancedTransaction(ValueError):
    pass


def post(
    session: Session,
    *,
    kind: str,
    reference: str,
    business_date: date,
    memo: str,
    postings: Iterable[tuple[str, int]],
) -> int:
    """Append one balanced transaction and return its id. Zero postings are left out; the rest must sum
    to zero. A second transaction with the same (kind, reference) is refused by the database."""
    lines = [(account, amount) for account, amount in postings if amount != 0]
    if not lines or sum(amount for _, amount in lines) != 0:
        raise UnbalancedTransaction(f"{kind} {reference}: postings {lines} do not balance")
    return repository.insert_transaction(
        session,
        kind=kind,
        reference=reference,
        memo=memo[:200],
        business_date=business_date,
        created_at=datetime.now(UTC),
        postings=lines,
    )


@dataclass(frozen=True)
class Balance:
    account: str
    debit_fen: int
    credit_fen: int

    @property
    def balance_fen(self) -> int:
        return self.debit_fen - self.credit_fen


def balances(session: Session) -> list[Balance]:
    return [Balance(account, debit, credit) for account, debit, credit in repository.balances(session)]
