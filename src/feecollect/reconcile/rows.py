"""What the findings of a run are read from, as named rows (the repositories make them, the pure
builders of ``findings`` take them)."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple


class UnreceivedPayment(NamedTuple):
    """A bank's callback payment with no special-account credit line for it yet."""

    payment_id: int
    payment_code: str
    amount_fen: int
    business_date: date
    bank_code: str
    bank_txn_id: str
    department: str


class OverdueNotice(NamedTuple):
    payment_code: str
    amount_fen: int
    due_date: date
    department: str
    payer_name: str
    origin: str  # the case number, or the project number of a bundle notice
    status: str


class CompletedCase(NamedTuple):
    """A case completed with fees due and nothing paid through the centre."""

    case_no: str
    applicant_name: str
    department: str
    lawful_fen: int
    completed_on: date


class PricedLine(NamedTuple):
    """A collected notice line whose recorded rate differs from its recorded lowest lawful rate."""

    line_id: int
    payment_code: str
    item_code: str
    item_name: str
    rate: str
    lawful_min: str
    quantity: str | None
    amount_fen: int
    department: str
    closed_at: datetime | None


class ItemLine(NamedTuple):
    """A notice line billing a given fee item."""

    line_id: int
    payment_code: str
    status: str
    service_date: date
    item_code: str
    amount_fen: int
    department: str
    item_name: str


class PayerNotice(NamedTuple):
    """An unpaid notice, by whom it is payable and for how much: where a code-less credit may belong."""

    payment_code: str
    payer_name: str
    amount_fen: int


class CreditLine(NamedTuple):
    """A special-account credit naming a payment code: the proof a payment arrived."""

    payment_code: str
    line_id: int
    booked_on: date
    serial: str
    amount_fen: int
