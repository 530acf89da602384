"""Issuing and reversing bills. Exactly one live bill per paid notice, however often the task runs:
the database refuses a second bill of a kind per payment, and a refused bill returns its number."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from feecollect import events, logs, metrics
from feecollect.audit.service import SYSTEM, Actor, record
from feecollect.einvoices import repository, signers, signing, sm2
from feecollect.einvoices.content import bill_code, bill_content
from feecollect.einvoices.keys import private_key as legacy_key
from feecollect.einvoices.keys import public_pem
from feecollect.einvoices.models import Bill, BillStatus
from feecollect.einvoices.verification import BillVerification, supervised_bytes, verify_bill
from feecollect.einvoices.xml import signed_content
from feecollect.errors import Conflict, NotFound, Unprocessable
from feecollect.money import format_yuan
from feecollect.notices.charges import Charge
from feecollect.notices.models import Notice
from feecollect.payments.models import Payment
from feecollect.proposals import service as proposals
from feecollect.proposals.models import Proposal
from feecollect.settings import Settings
from feecollect.users.principal import Principal
from feecollect.users.service import Role

log = logs.get_logger("feecollect.bills")


def _create(
    session: Session,
    settings: Settings,
    notice: Notice,
    payment: Payment,
    kind: str,
    related: Bill | None = None,
    remark: str = "",
    charges: Mapping[int, Charge] | None = None,
) -> Bill:
    issued = datetime.now(UTC).astimezone(settings.zone)
    code = bill_code(settings, issued.year)
    number = repository.next_number(session, code)
    content = bill_content(
        settings,
        code,
        number,
        issued,
        notice,
        payment,
        -1 if kind == "reversal" else 1,
        related,
        remark,
        charges,
        repository.revenue_codes(session, [line.fee_item_version_id for line in notice.lines]),
    )
    content["Main"]["RandomNumber"] = check = signing.check_code(content)
    signed = signed_content(content, settings.bill_region)
    issuer = signers.issuer(settings)
    signers.register(session, issuer)
    bill = Bill(
        bill_code=code,
        bill_no=number,
        check_code=check,
        kind=kind,
        status=BillStatus.ISSUED,
        payment_id=payment.id,
        notice_id=notice.id,
        original_bill_id=related.id if related else None,
        content=content,
        signed_content=signed.decode(),
        signature=base64.b64encode(issuer.sign(signed)).decode(),
        algorithm=sm2.ALGORITHM,
        issuer_key_id=issuer.key_id,
        issued_at=issued,
    )
    repository.add(session, bill)
    if kind != "normal":  # a normal bill is supervised by the task that issues it
        events.publish(session, events.BillIssued(bill.id))
    return bill


def issue_for_payment(session: Session, settings: Settings, payment_id: int) -> Bill:
    """Idempotent: a payment that already has its bill gets that bill back."""
    existing = repository.for_payment(session, payment_id, "normal")
    if existing is not None:
        return existing
    payment = repository.payment(session, payment_id)
    if payment is None:
        raise NotFound(f"no payment {payment_id}", code="unknown_payment")
    notice = repository.notice(session, payment.notice_id)
    assert notice is not None
    bill = _create(session, settings, notice, payment, "normal")
    metrics.BILL_ISSUE_LAG.observe(max(0.0, (bill.issued_at - payment.received_at).total_seconds()))
    log.info(
        "bill issued",
        bill=f"{bill.bill_code}-{bill.number}",
        payment_id=payment.id,
        payment_code=notice.payment_code,
        notice_id=notice.id,
    )
    record(
        session,
        SYSTEM,
        "bill.issued",
        "bill",
        f"{bill.bill_code}-{bill.number}",
        after={
            "payment_code": notice.payment_code,
            "amount": format_yuan(payment.amount_fen),
            "check_code": bill.check_code,
        },
    )
    return bill


def issue_in_own_transaction(sessions: sessionmaker[Session], settings: Settings, payment_id: int) -> Bill:
    """For tasks: a concurrent run that created the bill first wins; this one returns that bill."""
    from feecollect.db.engine import unit_of_work

    try:
        with unit_of_work(sessions) as session:
            bill = issue_for_payment(session, settings, payment_id)
            session.expunge(bill)
            return bill
    except IntegrityError:
        with unit_of_work(sessions) as session:
            first = repository.for_payment(session, payment_id, "normal")
            if first is None:
                raise
            session.expunge(first)
            return first


def supervise(session: Session, settings: Settings, bill_id: int) -> Bill:
    """The finance bureau's supervision signature (财政监制) over the signed content followed by the
    issuer's signature; idempotent: a bill already supervised (or signed before SM2) is left as is."""
    bill = repository.bill(session, bill_id, for_update=True)
    if bill is None:
        raise NotFound(f"no bill {bill_id}", code="unknown_bill")
    if not bill.awaiting_supervision:
        return bill
    assert bill.signed_content is not None
    supervisor = signers.supervisor(settings)
    signers.register(session, supervisor)
    signed = supervised_bytes(bill.signed_content.encode(), bill.signature)
    bill.supervisor_signature = base64.b64encode(supervisor.sign(signed)).decode()
    bill.supervisor_key_id, bill.supervised_at = supervisor.key_id, datetime.now(UTC)
    record(
        session,
        SYSTEM,
        "bill.supervised",
        "bill",
        f"{bill.bill_code}-{bill.number}",
        after={"supervisor_key_id": bill.supervisor_key_id},
    )
    return bill


def supervise_in_own_transaction(sessions: sessionmaker[Session], settings: Settings, bill_id: int) -> Bill:
    from feecollect.db.engine import unit_of_work

    with unit_of_work(sessions) as session:
        bill = supervise(session, settings, bill_id)
        session.flush()  # before the bill leaves the session, or its new signature would not be written
        session.expunge(bill)
        return bill


def get(session: Session, code: str, number: str, *, for_update: bool = False) -> Bill:
    if not (code.isdigit() and len(code) == 8 and number.isdigit() and len(number) == 10):
        raise NotFound(f"no bill {code}/{number}: a bill code has 8 digits, a number 10", code="unknown_bill")
    bill = repository.by_number(session, code, int(number), for_update=for_update)
    if bill is None:
        raise NotFound(f"no bill {code}/{number}", code="unknown_bill")
    return bill


def live_bill_of_notice(session: Session, notice_id: int) -> Bill | None:
    """The bill that stands for the notice's payment, if it is paid and billed."""
    return repository.live_bill_of_notice(session, notice_id)


def readable_by(
    session: Session, principal: Principal, code: str, number: str, *, label: str | None = None
) -> tuple[Bill, Notice]:
    """A bill and its notice, for a caller who may read the notice (a clerk: their department's);
    ``label`` names the bill in a refusal."""
    bill = get(session, code, number)
    notice = repository.notice(session, bill.notice_id)
    assert notice is not None
    principal.require_department(notice.department_code, label or f"bill {code}/{number}")
    return bill, notice


def propose_reversal(session: Session, principal: Principal, code: str, number: str, reason: str) -> Proposal:
    """A red reversal moves a payer's proof of payment: a second finance user approves it (SPEC §16)."""
    if not reason.strip():
        raise Unprocessable("reason: say why the bill is reversed", code="reason_required")
    _reversible(get(session, code, number))
    return proposals.propose(session, principal.actor, "reverse_bill", f"{code}/{number}", reason)


def carry_out_reversal(session: Session, settings: Settings, proposal: Proposal, checker: Actor) -> Bill:
    code, _, number = proposal.object_id.partition("/")
    return reverse(
        session, settings, Principal(checker.name, Role.finance, None), code, number, proposal.reason
    )


def _reversible(bill: Bill) -> None:
    if bill.kind != "normal":
        raise Conflict(
            f"bill {bill.bill_code}/{bill.number} is itself a reversal", code="bill_not_reversible"
        )
    if bill.status == "reversed":
        raise Conflict(
            f"bill {bill.bill_code}/{bill.number} was already reversed on {bill.reversed_at:%Y-%m-%d}",
            code="bill_not_reversible",
        )


def reverse(
    session: Session, settings: Settings, principal: Principal, code: str, number: str, reason: str
) -> Bill:
    """A red reversal (冲红): a negative bill referencing the original, which shows as reversed. Finance
    asks for it with :func:`propose_reversal`; a refund's replacement bill reverses the original itself."""
    reason = reason.strip()
    if not reason:
        raise Unprocessable("reason: say why the bill is reversed", code="reason_required")
    original = get(session, code, number, for_update=True)
    _reversible(original)
    payment = repository.payment(session, original.payment_id)
    notice = repository.notice(session, original.notice_id)
    assert payment is not None and notice is not None
    reversal = _create(
        session, settings, notice, payment, "reversal", related=original, remark=f"冲红：{reason}"
    )
    original.status, original.reversed_at, original.reverse_reason = (
        BillStatus.REVERSED,
        datetime.now(UTC),
        reason,
    )
    record(
        session,
        principal.actor,
        "bill.reversed",
        "bill",
        f"{code}-{number}",
        before={"status": "issued"},
        after={"status": "reversed", "reason": reason, "reversal": f"{reversal.bill_code}-{reversal.number}"},
    )
    return reversal


def reissue_after_refund(
    session: Session,
    settings: Settings,
    actor: Actor,
    payment_id: int,
    kept_by_line: Mapping[int, Charge],
    reason: str,
) -> tuple[Bill, Bill]:
    """Part of a payment was refunded: the bill of the whole payment is reversed in red (冲红) and a
    replacement bill for what the payer finally paid is issued, each line charging ``kept_by_line``
    (by notice line number).
    Returns (reversal, replacement)."""
    original = issue_for_payment(session, settings, payment_id)
    payment = repository.payment(session, payment_id)
    notice = repository.notice(session, original.notice_id)
    assert payment is not None and notice is not None
    # A bill finance already reversed by hand keeps that reversal; only the replacement is missing.
    reversal = repository.for_payment(session, payment_id, "reversal")
    if reversal is None:
        reversal = _create(
            session, settings, notice, payment, "reversal", related=original, remark=f"冲红：{reason}"
        )
        original.status, original.reversed_at, original.reverse_reason = (
            BillStatus.REVERSED,
            datetime.now(UTC),
            reason,
        )
    replacement = _create(
        session,
        settings,
        notice,
        payment,
        "replacement",
        related=original,
        remark=reason,
        charges=kept_by_line,
    )
    record(
        session,
        actor,
        "bill.reissued",
        "bill",
        f"{original.bill_code}-{original.number}",
        before={"status": "issued", "amount": format_yuan(payment.amount_fen)},
        after={
            "status": "reversed",
            "reason": reason,
            "reversal": f"{reversal.bill_code}-{reversal.number}",
            "replacement": f"{replacement.bill_code}-{replacement.number}",
            "amount": replacement.content["Main"]["TotalAmount"],
        },
    )
    return reversal, replacement


def verification_of(session: Session, settings: Settings, bill: Bill) -> BillVerification:
    keys = {key.key_id: key.public_key_pem for key in repository.signing_keys(session)}
    return verify_bill(bill, settings.bill_region, keys, legacy_key(settings).public_key())


def public_keys(session: Session, settings: Settings) -> list[dict[str, Any]]:
    """Every key that has signed bills, the Ed25519 key of the bills before SM2 first."""
    registered = repository.signing_keys(session)
    first_sm2 = min((key.valid_from for key in registered if key.role == "issuer"), default=None)
    listed: list[dict[str, Any]] = [
        {
            "key_id": "ed25519",
            "role": "issuer",
            "algorithm": signing.LEGACY_ALGORITHM,
            "public_key_pem": public_pem(legacy_key(settings).public_key()),
            "valid_from": None,
            "valid_to": first_sm2.isoformat() if first_sm2 else None,
        }
    ]
    listed += [
        {
            "key_id": key.key_id,
            "role": key.role,
            "algorithm": key.algorithm,
            "public_key_pem": key.public_key_pem,
            "valid_from": key.valid_from.isoformat(),
            "valid_to": key.valid_to.isoformat() if key.valid_to else None,
        }
        for key in registered
    ]
    return listed
