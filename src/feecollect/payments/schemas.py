from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator

AMOUNT_PATTERN = r"^\d{1,15}\.\d{2}$"


class PaymentIn(BaseModel):
    """SPEC §6. A ``paid_at`` without a time zone is taken in the centre's time zone."""

    bank_txn_id: str = Field(min_length=1, max_length=64)
    payment_code: str = Field(min_length=1, max_length=40)
    amount: str = Field(pattern=AMOUNT_PATTERN, description='yuan with exactly two decimals, e.g. "1234.50"')
    paid_at: datetime
    payer_name: str | None = Field(None, max_length=200)
    payer_account: str | None = Field(None, max_length=64)
    channel: str | None = Field(None, max_length=32)

    @field_validator("bank_txn_id", "payment_code")
    @classmethod
    def _no_surrounding_space(cls, value: str) -> str:
        if value != value.strip():
            raise ValueError("must not begin or end with spaces")
        return value


class PaymentOut(BaseModel):
    result: str
    payment_code: str
    bank_txn_id: str
    amount: str
    paid_at: datetime
    notice_status: str


class BankNoticeOut(BaseModel):
    payment_code: str
    payer_name: str
    amount: str
    currency: str = "CNY"
    status: str
    due_date: date
