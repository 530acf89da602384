from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import case, func, insert, select
from sqlalchemy.orm import Session

from feecollect.ledger.models import LedgerPosting, LedgerTransaction


def insert_transaction(
    session: Session,
    *,
    kind: str,
    reference: str,
    memo: str,
    business_date: date,
    created_at: datetime,
    postings: list[tuple[str, int]],
) -> int:
    transaction_id = session.execute(
        insert(LedgerTransaction)
        .values(kind=kind, reference=reference, memo=memo, business_date=business_date, created_at=created_at)
        .returning(LedgerTransaction.id)
    ).scalar_one()
    session.execute(
        insert(LedgerPosting),
        [{"transaction_id": transaction_id, "account": a, "amount_fen": f} for a, f in postings],
    )
    return transaction_id


def balances(session: Session) -> list[tuple[str, int, int]]:
    """(account, debits, credits) in fen, credits as a positive number."""
    debit = func.sum(case((LedgerPosting.amount_fen > 0, LedgerPosting.amount_fen), else_=0))
    credit = func.sum(case((LedgerPosting.amount_fen < 0, -LedgerPosting.amount_fen), else_=0))
    rows = session.execute(
        select(LedgerPosting.account, debit, credit)
        .group_by(LedgerPosting.account)
        .order_by(LedgerPosting.account)
    )
    return [(account, int(d or 0), int(c or 0)) for account, d, c in rows]


def unbalanced(session: Session) -> list[tuple[int, str, str, int]]:
    total = func.coalesce(func.sum(LedgerPosting.amount_fen), 0)
    rows = session.execute(
        select(LedgerTransaction.id, LedgerTransaction.kind, LedgerTransaction.reference, total)
        .outerjoin(LedgerPosting, LedgerPosting.transaction_id == LedgerTransaction.id)
        .group_by(LedgerTransaction.id, LedgerTransaction.kind, LedgerTransaction.reference)
        .having((total != 0) | (func.count(LedgerPosting.id) == 0))
    )
    return [(i, k, r, int(t)) for i, k, r, t in rows]


def account_balance(session: Session, account: str) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(LedgerPosting.amount_fen), 0)).where(
                LedgerPosting.account == account
            )
        )
        or 0
    )


def transaction_totals(session: Session, kind: str) -> dict[str, int]:
    """The amount each transaction of a kind moved into the special account, by reference."""
    rows = session.execute(
        select(LedgerTransaction.reference, func.sum(LedgerPosting.amount_fen))
        .join(LedgerPosting, LedgerPosting.transaction_id == LedgerTransaction.id)
        .where(LedgerTransaction.kind == kind, LedgerPosting.account == "special")
        .group_by(LedgerTransaction.reference)
    )
    return {reference: int(total) for reference, total in rows}


def transaction_id(session: Session, kind: str, reference: str) -> int | None:
    query = select(LedgerTransaction.id).where(
        LedgerTransaction.kind == kind, LedgerTransaction.reference == reference
    )
    return session.scalar(query)


def references_posted(session: Session, kind: str, references: set[str]) -> set[str]:
    wanted, found = sorted(references), set[str]()
    for start in range(0, len(wanted), 1000):
        query = select(LedgerTransaction.reference).where(
            LedgerTransaction.kind == kind, LedgerTransaction.reference.in_(wanted[start : start + 1000])
        )
        found.update(session.scalars(query))
    return found


def balances_by_prefix(session: Session, prefix: str, *, through: date | None = None) -> dict[str, int]:
    """Balance of every account named ``prefix`` + something, by that something (a department code),
    counting transactions of business dates up to ``through`` when given."""
    query = (
        select(LedgerPosting.account, func.sum(LedgerPosting.amount_fen))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        .where(LedgerPosting.account.startswith(prefix, autoescape=True))
        .group_by(LedgerPosting.account)
    )
    if through is not None:
        query = query.where(LedgerTransaction.business_date <= through)
    return {account.removeprefix(prefix): int(total) for account, total in session.execute(query)}


def movements_by_month(
    session: Session, *, kind: str, prefix: str, start: date, end: date
) -> list[tuple[str, date, int]]:
    """(account suffix, business date, fen) of one kind of transaction's postings to ``prefix`` accounts."""
    query = (
        select(LedgerPosting.account, LedgerTransaction.business_date, LedgerPosting.amount_fen)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        .where(
            LedgerTransaction.kind == kind,
            LedgerPosting.account.startswith(prefix, autoescape=True),
            LedgerTransaction.business_date.between(start, end),
        )
    )
    return [(account.removeprefix(prefix), day, int(fen)) for account, day, fen in session.execute(query)]
