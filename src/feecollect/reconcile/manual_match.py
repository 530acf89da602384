"""Matching a statement line to a notice by hand (SPEC §16): a credit the statement does not explain
(no payment code, a wrong one) is linked by finance to the notice it pays. One finance user proposes,
a second approves; the approval pays the notice as the statement path does and closes the line's
未明款项. The line then carries the notice's code, so every later run matches it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from feecollect.audit.service import Actor
from feecollect.errors import Conflict, NotFound, Unprocessable
from feecollect.ledger import suspense
from feecollect.money import format_yuan
from feecollect.notices import repository as notices
from feecollect.notices.models import Notice
from feecollect.notices.status import NoticeStatus
from feecollect.payments import repository as payments
from feecollect.payments.rules import MANUAL_MATCH_BANK
from feecollect.payments.service import record_payment
from feecollect.proposals import service as proposals
from feecollect.proposals.models import Proposal
from feecollect.reconcile.credit_lines import close_unidentified, special_credit
from feecollect.reconcile.models import StatementLine
from feecollect.reconcile.statement_payments import payment_from_line
from feecollect.settings import Settings

MATCH = "match_line"


def propose_match(session: Session, maker: Actor, line_id: int, payment_code: str, reason: str) -> Proposal:
    line, notice = _matchable(session, line_id, payment_code)
    payload = {"payment_code": notice.payment_code, "amount": format_yuan(line.amount_fen)}
    return proposals.propose(session, maker, MATCH, str(line_id), reason, payload)


def carry_out_match(session: Session, settings: Settings, proposal: Proposal, checker: Actor) -> str:
    line, notice = _matchable(session, int(proposal.object_id), str(proposal.payload["payment_code"]))
    record_payment(
        session,
        checker,
        payment_from_line(
            line,
            line.serial,
            notice.id,
            notice.payment_code,
            settings.zone,
            bank_code=MANUAL_MATCH_BANK,
            channel="manual_match",
        ),
        memo=f"人工匹配缴款 {notice.payment_code}",
        before_status=notice.status,
        audit_after={
            "status": "paid",
            "statement_line": line.id,
            "amount": format_yuan(line.amount_fen),
            "proposal": proposal.id,
            "proposed_by": proposal.proposed_by,
        },
    )
    line.payment_code = notice.payment_code
    suspense.release(
        session, line.id, line.amount_fen, line.booked_on, f"匹配至缴款通知书 {notice.payment_code}"
    )
    close_unidentified(
        session,
        checker,
        line.id,
        resolved_by=proposal.proposed_by,
        resolution=f"人工匹配至缴款通知书 {notice.payment_code}：{proposal.reason}",
        proposal=proposal.id,
    )
    return notice.payment_code


def _matchable(session: Session, line_id: int, payment_code: str) -> tuple[StatementLine, Notice]:
    line = special_credit(session, line_id, refused_as="not_matchable")
    if payments.by_txn(session, MANUAL_MATCH_BANK, f"line-{line_id}") is not None or (
        line.payment_code and notices.by_code(session, line.payment_code) is not None
    ):
        raise Conflict(f"statement line {line_id} already pays a notice", code="line_already_matched")
    notice = notices.by_code(session, payment_code.strip(), for_update=True)
    if notice is None:
        raise NotFound(f"no notice with payment code {payment_code!r}", code="unknown_payment_code")
    if notice.status != NoticeStatus.ISSUED:
        raise Conflict(
            f"notice {notice.payment_code} is {notice.status}, not payable", code="notice_not_payable"
        )
    if notice.amount_fen != line.amount_fen:
        raise Unprocessable(
            f"notice {notice.payment_code} is for {format_yuan(notice.amount_fen)}, the line for "
            f"{format_yuan(line.amount_fen)}",
            code="amount_mismatch",
        )
    return line, notice
