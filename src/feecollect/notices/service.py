"""Issuing, voiding and expiring notices. A notice is priced only by the quote engine, at the lowest
lawful rate: no caller can pass a rate or an amount."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from feecollect.audit.service import SYSTEM, record
from feecollect.billing.quote import Quote, QuotedLine, quote
from feecollect.cases import service as cases
from feecollect.cases.models import Case, CaseStatus
from feecollect.errors import Conflict, NotFound, Unprocessable
from feecollect.money import format_rate, format_yuan
from feecollect.notices import repository
from feecollect.notices.charges import Charge
from feecollect.notices.models import Notice, NoticeLine
from feecollect.notices.payee import Payee
from feecollect.notices.payment_code import make_payment_code
from feecollect.notices.status import NoticeStatus
from feecollect.schedules.catalogue import Catalogue
from feecollect.settings import Settings
from feecollect.users import repository as users
from feecollect.users.principal import Principal
from feecollect.wording import actor_display

MAX_REASON = 500


def notice_summary(notice: Notice) -> dict[str, object]:
    return {
        "payment_code": notice.payment_code,
        "case_no" if notice.case else "project_no": notice.origin,
        "status": notice.status,
        "amount": format_yuan(notice.amount_fen),
        "due_date": notice.due_date.isoformat(),
    }


def issue(
    session: Session, catalogue: Catalogue, settings: Settings, principal: Principal, case_no: str
) -> Notice:
    case = cases.get(session, case_no, for_update=True)  # one issuer per case at a time
    principal.require_department(case.department_code, f"case {case_no}")
    if case.status == CaseStatus.WITHDRAWN:
        raise Conflict(f"case {case_no} was withdrawn; no notice can be issued", code="case_not_open")
    live = repository.live_for_case(session, case.id)
    if live is not None:
        raise Conflict(
            f"case {case_no} already has notice {live.payment_code} ({live.status}); void an unpaid "
            "notice before issuing a corrected one",
            code="notice_exists",
        )
    priced = quote(catalogue, cases.data_of(case).quote_request())
    if priced.total_fen == 0:
        raise Unprocessable(
            f"case {case_no} owes nothing after reliefs; no notice is needed", code="nothing_due"
        )
    return new_notice(
        session,
        settings,
        principal,
        priced,
        Notice(
            case=case,
            case_id=case.id,
            department_code=case.department_code,
            payer_name=case.applicant_name,
            payer_id_type=case.applicant_id_type,
            payer_id_no=case.applicant_id_no,
            payer_flags=list(case.payer_flags),
            service_date=case.service_date,
        ),
    )


def new_notice(
    session: Session,
    settings: Settings,
    principal: Principal,
    priced: Quote,
    notice: Notice,
    *,
    explain: Callable[[QuotedLine], str] = QuotedLine.explain,
    charge: Callable[[QuotedLine], Charge] = Charge.of_quoted,
) -> Notice:
    """Number, date and price ``notice`` (its origin and payer already set) from the quote, then store
    and audit it: the one way a notice comes to exist, for a case, a project's bundle or a settlement's
    top-up (whose lines charge each difference and say how it was reached)."""
    now = datetime.now(UTC)
    today = now.astimezone(settings.zone).date()
    code = make_payment_code(
        settings.division_code,
        today.year,
        repository.next_sequence(session, settings.division_code, today.year),
    )
    ids = repository.version_ids(session, {(line.item.code, line.item.version) for line in priced.lines})
    charges = {line.number: charge(line) for line in priced.lines}
    notice.payment_code = code
    notice.amount_fen = sum(c.amount_fen for c in charges.values())
    notice.issue_date = today
    notice.due_date = today + timedelta(days=settings.notice_due_days)
    notice.status = NoticeStatus.ISSUED
    notice.issued_by = principal.name
    notice.issued_at = now
    notice.lines = [
        NoticeLine(
            line_no=line.number,
            fee_item_version_id=ids[(line.item.code, line.item.version)],
            item_code=line.item.code,
            item_version=line.item.version,
            item_name=line.item.name,
            department_code=line.item.department.code,
            department_name=line.item.department.name,
            unit=charges[line.number].unit,
            quantity=charges[line.number].quantity,
            rate=charges[line.number].rate,
            lawful_min=format_rate(line.item.rate.min) if line.item.rate else None,
            lawful_max=format_rate(line.item.rate.max) if line.item.rate else None,
            amount_fen=charges[line.number].amount_fen,
            factor=charges[line.number].factor,
            relief_fen=charges[line.number].relief_fen,
            basis=line.item.basis,
            relief_flag=charges[line.number].relief_flag,
            relief_name=charges[line.number].relief_name,
            relief_basis=line.relief.relief.basis if line.relief else None,
            explanation=explain(line),
            note=charges[line.number].note or None,
        )
        for line in priced.lines
    ]
    repository.add(session, notice)
    record(session, principal.actor, "notice.issued", "notice", code, after=notice_summary(notice))
    return notice


def withdraw_case(session: Session, principal: Principal, case_no: str, reason: str) -> Case:
    case = cases.get(session, case_no, for_update=True)
    principal.require_department(case.department_code, f"case {case_no}")
    live = repository.live_for_case(session, case.id)
    if live is not None:
        raise Conflict(
            f"case {case_no} has notice {live.payment_code} ({live.status}); void it before withdrawing",
            code="notice_exists",
        )
    return cases.change_status(session, principal.actor, case, "withdrawn", reason=reason)


def get(session: Session, payment_code: str, *, for_update: bool = False) -> Notice:
    notice = repository.by_code(session, payment_code, for_update=for_update)
    if notice is None:
        raise NotFound(f"no notice with payment code {payment_code!r}", code="unknown_payment_code")
    return notice


def void(session: Session, principal: Principal, payment_code: str, reason: str) -> Notice:
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise Unprocessable(
            f"reason: give why the notice is voided (1–{MAX_REASON} characters)", code="reason_required"
        )
    notice = get(session, payment_code, for_update=True)
    principal.require_department(notice.department_code, f"notice {payment_code}")
    if notice.status != NoticeStatus.ISSUED:
        raise Conflict(
            f"notice {payment_code} is {notice.status}; only an unpaid, unexpired notice can be voided",
            code="notice_not_voidable",
        )
    before = notice_summary(notice)
    notice.status, notice.closed_at = NoticeStatus.VOIDED, datetime.now(UTC)
    notice.void_reason, notice.voided_by = reason, principal.name
    record(
        session,
        principal.actor,
        "notice.voided",
        "notice",
        payment_code,
        before=before,
        after=notice_summary(notice) | {"reason": reason},
    )
    return notice


@dataclass(frozen=True)
class ExpiryReport:
    on: date
    expired: list[str]


def expire_overdue(session: Session, today: date) -> ExpiryReport:
    """Mark issued notices whose due date has passed (in the centre's calendar) as expired."""
    expired = []
    for notice in repository.overdue(session, today):
        notice.status, notice.closed_at = NoticeStatus.EXPIRED, datetime.now(UTC)
        record(
            session,
            SYSTEM,
            "notice.expired",
            "notice",
            notice.payment_code,
            before={"status": "issued", "due_date": notice.due_date.isoformat()},
            after={"status": "expired"},
        )
        expired.append(notice.payment_code)
    return ExpiryReport(today, expired)


def printable_pdf(
    session: Session,
    settings: Settings,
    catalogue: Catalogue,
    principal: Principal,
    payment_code: str,
    payee: Payee | None,
) -> tuple[str, bytes]:
    """(file name, A4 PDF) of the notice, for whoever may read it (the API and the pages both print
    here)."""
    from feecollect.notices.pdf import render_notice  # reportlab loads only when a notice is printed

    notice = get(session, payment_code)
    principal.require_department(notice.department_code, f"notice {payment_code}")
    pdf = render_notice(
        notice,
        centre_name=settings.centre_name,
        department_name=catalogue.department_names().get(notice.department_code, notice.department_code),
        payee=payee,
        printed_at=datetime.now(UTC).astimezone(settings.zone),
        issued_by=actor_display(notice.issued_by, users.display_names(session)),
    )
    return f"notice-{payment_code}.pdf", pdf


def issued_today(session: Session, department: str | None, today: date) -> Sequence[Notice]:
    """A window's notices of the day (the newest 200), all departments' for ``department=None``."""
    return repository.listing(
        session,
        department=department,
        status=None,
        date_from=today,
        date_to=today,
        case_id=None,
        limit=200,
        offset=0,
    )


def live_notice_of_case(session: Session, case_id: int) -> Notice | None:
    """The notice that stands for a case: issued or paid, at most one."""
    return repository.live_for_case(session, case_id)


def find(session: Session, payment_code: str) -> Notice | None:
    return repository.by_code(session, payment_code)
