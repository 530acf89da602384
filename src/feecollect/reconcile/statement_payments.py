"""The payment a statement line proves, whether the run found its code or finance matched it by hand:
dated when the bank booked it, in the centre's time zone, and named after the line (``line-N``), so a
line pays at most one notice."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

from feecollect.payments.service import NewPayment


class BookedCredit(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def booked_on(self) -> date: ...
    @property
    def booked_at(self) -> str | None: ...
    @property
    def amount_fen(self) -> int: ...
    @property
    def counterparty_name(self) -> str: ...
    @property
    def counterparty_account(self) -> str: ...


def payment_from_line(
    line: BookedCredit,
    serial: str,
    notice_id: int,
    payment_code: str,
    zone: ZoneInfo,
    *,
    bank_code: str,
    channel: str,
) -> NewPayment:
    paid_at = datetime.combine(
        line.booked_on, time.fromisoformat(line.booked_at) if line.booked_at else time(0), zone
    )
    return NewPayment(
        bank_code=bank_code,
        bank_txn_id=f"line-{line.id}",
        bank_reference=serial or None,
        notice_id=notice_id,
        payment_code=payment_code,
        amount_fen=line.amount_fen,
        paid_at=paid_at.astimezone(UTC),
        business_date=line.booked_on,
        payer_name=line.counterparty_name or None,
        payer_account=line.counterparty_account or None,
        channel=channel,
        body_hash="",
        received_at=datetime.now(UTC),
    )
