"""Sending an unidentified credit back to its payer (SPEC §16): when no notice explains a credit on
the special account, finance proposes a refund order for the whole line, a second finance user
approves it, and the bank that holds the account pays it back. The money stays in suspense until the
bank confirms; then it leaves suspense and the line's 未明款项 closes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from feecollect import events
from feecollect.audit.service import Actor
from feecollect.bank import repository as banks
from feecollect.errors import Conflict, NotFound
from feecollect.ledger import suspense
from feecollect.proposals.models import Proposal
from feecollect.reconcile.credit_lines import close_unidentified, special_credit
from feecollect.refunds import service as refunds


def propose_return(session: Session, maker: Actor, line_id: int, bank_code: str, reason: str) -> Proposal:
    line = special_credit(session, line_id, refused_as="not_returnable")
    # Only money held as unexplained can go back; a matched line has left suspense (or never entered).
    if not suspense.is_held(session, line_id):
        raise Conflict(f"statement line {line_id} is not in suspense", code="line_not_in_suspense")
    if banks.bank(session, bank_code) is None:
        raise NotFound(f"no bank {bank_code!r}", code="unknown_bank")
    _, proposal = refunds.create_line_order(
        session,
        maker,
        line_id=line.id,
        serial=line.serial,
        amount_fen=line.amount_fen,
        booked_on=line.booked_on,
        bank_code=bank_code,
        payee_name=line.counterparty_name,
        payee_account=line.counterparty_account,
        reason=reason,
    )
    return proposal


def after_return(session: Session, returned: events.CreditReturned) -> None:
    """The bank paid the credit back: its 未明款项 is explained."""
    close_unidentified(
        session,
        returned.actor,
        returned.statement_line_id,
        resolved_by=returned.actor.name,
        resolution=f"已退回付款人（退付单 {returned.refund_id}）",
        refund_id=returned.refund_id,
    )
