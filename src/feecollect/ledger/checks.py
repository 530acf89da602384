"""The ledger invariants of SPEC §12: (2) a notice is paid at most once and a bank transaction id is
applied at most once; (3) every transaction sums to zero and the special account holds what was paid
minus what was refunded."""

from __future__ import annotations

from sqlalchemy.orm import Session

from feecollect.ledger import accounts, repository
from feecollect.payments import repository as payments


def problems(session: Session) -> list[str]:
    found = [
        f"ledger transaction {tid} ({kind} {ref}) sums to {total} fen, not 0"
        for tid, kind, ref, total in repository.unbalanced(session)
    ]
    found += [f"notice {code} has {n} payments" for code, n in payments.notices_paid_more_than_once(session)]
    found += [
        f"notice {code} is paid but has no payment" for code in payments.paid_notices_without_payment(session)
    ]
    found += [
        f"payment for notice {code}, which is not paid"
        for code in payments.payments_of_unpaid_notices(session)
    ]
    recorded = payments.amounts_by_reference(session)
    posted = repository.transaction_totals(session, "payment")
    for reference in sorted(recorded.keys() | posted.keys()):
        if recorded.get(reference) != posted.get(reference):
            found.append(
                f"payment {reference}: {recorded.get(reference)} fen received, "
                f"{posted.get(reference)} fen posted to the special account"
            )
    paid, refunded = payments.total_paid(session), 0  # refunds arrive with settlement (issue 7)
    special = repository.account_balance(session, accounts.SPECIAL)
    if special != paid - refunded:
        found.append(f"special account holds {special} fen, but {paid} fen were paid and {refunded} refunded")
    return found
