"""The invariants of SPEC §12, checked across the ledger, payments and refunds (so this module stands
above all three): (2) a notice is paid at most once and a bank transaction id is
applied at most once; (3) every transaction sums to zero and the special account holds what was paid
minus what was refunded, minus what was remitted to the treasury (never more than a department's
revenue), plus what sits in suspense, unexplained."""

from __future__ import annotations

from sqlalchemy.orm import Session

from feecollect.ledger import accounts, remittance, repository, suspense
from feecollect.payments import repository as payments
from feecollect.refunds import repository as refunds


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
    paid, refunded = payments.total_paid(session), refunds.total_confirmed(session)
    remitted = sum(repository.balances_by_prefix(session, accounts.TREASURY_PREFIX).values())
    special = repository.account_balance(session, accounts.SPECIAL)
    unexplained = suspense.held(session)
    if special != paid - refunded - remitted + unexplained:
        found.append(
            f"special account holds {special} fen, but {paid} fen were paid, {refunded} refunded, "
            f"{remitted} remitted to the treasury and {unexplained} are in suspense"
        )
    if unexplained < 0:
        found.append(f"suspense holds {unexplained} fen: more left it than came in")
    found += [
        f"{position.department} remitted {position.remitted_fen} fen of {position.revenue_fen} fen revenue"
        for position in remittance.positions(session)
        if position.held_fen < 0
    ]
    return found
