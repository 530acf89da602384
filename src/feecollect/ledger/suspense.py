"""Suspense (未明款项): money that reached the special account but that no notice explains yet. An
unidentified credit is posted into suspense when a run finds it, once; it leaves suspense when finance
matches it to a notice or when the bank has sent it back to its payer. So the ledger says at every
moment how much of the special account is not yet explained: special = paid − refunded − remitted +
suspense (``feecollect ledger check``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from feecollect.ledger import accounts, repository
from feecollect.ledger import service as ledger

INTO, OUT_OF = "suspense_in", "suspense_out"


def line_reference(line_id: int) -> str:
    return f"line-{line_id}"


def hold_unidentified(session: Session, credits: Iterable[tuple[int, int, date]]) -> int:
    """Post each (line id, fen, booked on) into suspense unless a run already did; returns how many."""
    wanted = {line_reference(line_id): (fen, day) for line_id, fen, day in credits if fen > 0}
    done = repository.references_posted(session, INTO, set(wanted))
    for reference, (fen, day) in sorted(wanted.items()):
        if reference not in done:
            ledger.post(
                session,
                kind=INTO,
                reference=reference,
                business_date=day,
                memo=f"未明款项入账 {reference}",
                postings=[(accounts.SPECIAL, fen), (accounts.SUSPENSE, -fen)],
            )
    return len(wanted.keys() - done)


def release(session: Session, line_id: int, fen: int, day: date, why: str) -> bool:
    """The line is explained (matched to a notice) or its money went back to the payer: it leaves
    suspense. False when it was never held (a line matched before any run found it)."""
    reference = line_reference(line_id)
    if repository.transaction_id(session, INTO, reference) is None:
        return False
    ledger.post(
        session,
        kind=OUT_OF,
        reference=reference,
        business_date=day,
        memo=f"未明款项转出 {reference}：{why}",
        postings=[(accounts.SUSPENSE, fen), (accounts.SPECIAL, -fen)],
    )
    return True


def is_held(session: Session, line_id: int) -> bool:
    """The line's money entered suspense and has not left it."""
    reference = line_reference(line_id)
    return (
        repository.transaction_id(session, INTO, reference) is not None
        and repository.transaction_id(session, OUT_OF, reference) is None
    )


def held(session: Session) -> int:
    """Fen in suspense now (the account carries a credit balance)."""
    return -repository.account_balance(session, accounts.SUSPENSE)
