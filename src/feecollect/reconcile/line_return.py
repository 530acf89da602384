"""Sending an unidentified credit back to its payer (SPEC §16): when no notice explains a credit on
the special account, finance proposes a refund order for the whole line, a second finance user
approves it, and the bank that holds the account pays it back. The money stays in suspense until the
bank confirms; then it leaves suspense and the line's 未明款项 closes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from feecollect import events
from feecollect.audit.service import Actor, record
from feecollect.bank import repository as banks
from feecollect.errors import Conflict, NotFound, Unprocessable
from feecollect.ledger import suspense
from feecollect.proposals.models import Proposal
from feecollect.reconcile import findings_repository, repository
from feecollect.reconcile.matching import line_key
from feecollect.reconcile.models import ExceptionStatus
from feecollect.refunds import service as refunds


def propose_return(session: Session, maker: Actor, line_id: int, bank_code: str, reason: str) -> Proposal:
    found = repository.line_with_origin(session, line_id)
    if found is None:
        raise NotFound(f"no statement line {line_id}", code="unknown_statement_line")
    line, account_no, _ = found
    account = repository.account_by_no(session, account_no)
    if account is None or account.kind != "special" or line.amount_fen <= 0 or line.currency != "CNY":
        raise Unprocessable(
            f"statement line {line_id} is not a credit in yuan on the special account", code="not_returnable"
        )
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
    exception = findings_repository.open_by_key(
        session, line_key("unidentified_credit", returned.statement_line_id)
    )
    if exception is None:
        return
    exception.status = ExceptionStatus.RESOLVED
    exception.resolved_by = returned.actor.name
    exception.resolved_at = datetime.now(UTC)
    exception.resolution = f"已退回付款人（退付单 {returned.refund_id}）"
    record(
        session,
        returned.actor,
        "exception.resolved",
        "reconciliation_exception",
        str(exception.id),
        before={"status": "open"},
        after={"status": "resolved", "reason": exception.resolution, "refund_id": returned.refund_id},
    )
