from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator

from feecollect.bank.signing import PRINTABLE_ASCII

AMOUNT_PATTERN = r"^[0-9]{1,15}\.[0-9]{2}$"  # ASCII digits (SPEC §6): \d would take full-width ones
IDENTIFIER_PATTERN = f"^{PRINTABLE_ASCII}$"


def refuse_control_characters(value: str | None) -> str | None:
    """Free text from a bank (a payer's name) may be Chinese, but never holds control characters."""
    if value is not None and any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
        raise ValueError("must not hold control characters")
    return value


class PaymentIn(BaseModel):
    """SPEC §6. A ``paid_at`` without a time zone is taken in the centre's time zone."""

    bank_txn_id: str = Field(min_length=1, max_length=64, pattern=IDENTIFIER_PATTERN)
    payment_code: str = Field(min_length=1, max_length=40, pattern=IDENTIFIER_PATTERN)
    amount: str = Field(pattern=AMOUNT_PATTERN, description='yuan with exactly two decimals, e.g. "1234.50"')
    paid_at: datetime
    payer_name: str | None = Field(None, max_length=200)
    payer_account: str | None = Field(None, max_length=64, pattern=IDENTIFIER_PATTERN)
    channel: str | None = Field(None, max_length=32, pattern=IDENTIFIER_PATTERN)
    confirm_code: str | None = Field(
        None, max_length=32, pattern=IDENTIFIER_PATTERN, description="the confirm_code of this bank's lookup"
    )
    account: str | None = Field(
        None, max_length=64, pattern=IDENTIFIER_PATTERN, description="the receiving account's number"
    )

    _plain_text = field_validator("payer_name")(refuse_control_characters)


NATIONAL_CODE = Field(
    description="the national response code of SPEC §15: 00000, or 12001 for a late callback"
)


class PaymentOut(BaseModel):
    result: str
    code: str = NATIONAL_CODE
    payment_code: str
    bank_txn_id: str
    amount: str
    paid_at: datetime
    notice_status: str


class BankNoticeOut(BaseModel):
    code: str = Field("00000", description="the national response code of SPEC §15")
    payment_code: str
    payer_name: str
    amount: str
    currency: str = "CNY"
    status: str
    due_date: date
    confirm_code: str | None = Field(
        description="缴款确认码 to echo in the payment callback; null when the notice cannot be paid"
    )
    lookup_expires_at: datetime | None = Field(
        description="the latest paid_at the callback may carry after this lookup"
    )
