"""The findings a run makes from stored state rather than from the day's statement lines: pure
builders over the named rows of ``rows`` (the statement lines themselves are matched in ``matching``).
Each finding's key names what it is about, so that a re-run finds the same exception again."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, tzinfo
from decimal import Decimal, InvalidOperation

from feecollect.money import format_yuan
from feecollect.notices.status import NoticeStatus
from feecollect.payments.rules import STATEMENT_BANK
from feecollect.reconcile.matching import Finding
from feecollect.reconcile.rows import CompletedCase, ItemLine, OverdueNotice, PricedLine, UnreceivedPayment
from feecollect.schedules.types import Cancellation


def missing_on_statement(payments: Iterable[UnreceivedPayment], day: date) -> list[Finding]:
    """Callback payments whose money no statement line up to ``day`` shows (SPEC §10)."""
    return [
        Finding(
            "missing_on_statement",
            f"missing_on_statement:payment:{p.payment_id}",
            p.business_date,
            p.amount_fen,
            p.department,
            f"the bank called back payment {p.bank_code}:{p.bank_txn_id} of notice {p.payment_code} on "
            f"{p.business_date}, but no statement line up to {day} shows {format_yuan(p.amount_fen)} for it",
            {
                "payment": p.payment_id,
                "payment_code": p.payment_code,
                "bank": p.bank_code,
                "bank_txn_id": p.bank_txn_id,
                "amount": format_yuan(p.amount_fen),
                "paid_on": p.business_date.isoformat(),
            },
        )
        for p in payments
        if p.bank_code != STATEMENT_BANK
    ]


def overdue(notices: Iterable[OverdueNotice]) -> list[Finding]:
    return [
        Finding(
            "overdue_unpaid",
            f"overdue_unpaid:notice:{n.payment_code}",
            n.due_date,
            n.amount_fen,
            n.department,
            f"notice {n.payment_code} of case {n.origin} ({n.payer_name}) was due on {n.due_date} "
            "and is unpaid",
            {
                "payment_code": n.payment_code,
                "case_no": n.origin,
                "payer": n.payer_name,
                "due_date": n.due_date.isoformat(),
                "status": n.status,
                "amount": format_yuan(n.amount_fen),
            },
        )
        for n in notices
    ]


def fee_outside_centre(cases: Iterable[CompletedCase]) -> list[Finding]:
    """Cases completed with fees due and nothing paid through the centre: money collected elsewhere
    (中心外交费), or not at all."""
    return [
        Finding(
            "fee_outside_centre",
            f"fee_outside_centre:case:{c.case_no}",
            c.completed_on,
            c.lawful_fen,
            c.department,
            f"case {c.case_no} ({c.applicant_name}) was completed on {c.completed_on} with "
            f"{format_yuan(c.lawful_fen)} of fees, but nothing was paid through the centre",
            {
                "case_no": c.case_no,
                "applicant": c.applicant_name,
                "completed_on": c.completed_on.isoformat(),
                "lawful_amount": format_yuan(c.lawful_fen),
            },
        )
        for c in cases
        if c.lawful_fen > 0
    ]


def over_standard(lines: Iterable[PricedLine], zone: tzinfo) -> list[Finding]:
    """Collected lines charged above the lowest lawful rate their notice recorded."""
    found = []
    for line in lines:
        try:
            if Decimal(line.rate) <= Decimal(line.lawful_min):
                continue
        except InvalidOperation:
            continue
        paid_on = line.closed_at.astimezone(zone).date() if line.closed_at else date.min
        found.append(
            Finding(
                "over_standard",
                f"over_standard:notice_line:{line.line_id}",
                paid_on,
                line.amount_fen,
                line.department,
                f"notice {line.payment_code} charged {line.item_code} {line.item_name} at {line.rate}, "
                f"above the lowest lawful rate {line.lawful_min}",
                {
                    "payment_code": line.payment_code,
                    "item": line.item_code,
                    "rate": line.rate,
                    "lawful_min": line.lawful_min,
                    "quantity": line.quantity,
                    "amount": format_yuan(line.amount_fen),
                },
            )
        )
    return found


def cancelled_items(lines: Iterable[ItemLine], cancelled: Mapping[str, Cancellation]) -> list[Finding]:
    """Notice lines billing or collecting an item for a service on or after the item's cancellation."""
    found = []
    for line in lines:
        cancellation = cancelled.get(line.item_code)
        if cancellation is None or line.service_date < cancellation.on:
            continue
        verb = "collected" if line.status == NoticeStatus.PAID else "billed"
        found.append(
            Finding(
                "cancelled_item",
                f"cancelled_item:notice_line:{line.line_id}",
                line.service_date,
                line.amount_fen,
                line.department,
                f"notice {line.payment_code} {verb} {line.item_code} {line.item_name}, cancelled on "
                f"{cancellation.on} ({cancellation.basis}), for a service on {line.service_date}",
                {
                    "payment_code": line.payment_code,
                    "item": line.item_code,
                    "status": line.status,
                    "cancelled_on": cancellation.on.isoformat(),
                    "basis": cancellation.basis,
                    "amount": format_yuan(line.amount_fen),
                },
            )
        )
    return found
