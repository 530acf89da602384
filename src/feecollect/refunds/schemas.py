from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from feecollect.money import format_yuan
from feecollect.payments.schemas import AMOUNT_PATTERN, IDENTIFIER_PATTERN
from feecollect.refunds.models import RefundOrder


class RefundFeeOut(BaseModel):
    item: str
    department: str
    amount: str


class RefundOrderOut(BaseModel):
    refund_id: str
    status: str
    amount: str
    bank_code: str
    payee_name: str
    payee_account: str | None
    payment_code: str | None = Field(description="null for an unidentified credit sent back to its payer")
    original_bank_txn_id: str = Field(
        description="the bank transaction of the payment, or the serial of the returned line"
    )
    reason: str
    fees: list[RefundFeeOut]
    approved_by: str | None
    approved_at: datetime | None
    bank_txn_id: str | None
    refunded_at: datetime | None

    @classmethod
    def of(cls, order: RefundOrder) -> RefundOrderOut:
        return cls(
            refund_id=order.refund_id,
            status=order.status,
            amount=format_yuan(order.amount_fen),
            bank_code=order.bank_code,
            payee_name=order.payee_name,
            payee_account=order.payee_account,
            payment_code=order.payment.payment_code if order.payment else None,
            original_bank_txn_id=order.payment.bank_txn_id if order.payment else order.original_serial or "",
            reason=order.reason,
            fees=[
                RefundFeeOut(
                    item=str(f["item"]), department=str(f["department"]), amount=format_yuan(int(f["fen"]))
                )
                for f in order.fees
            ],
            approved_by=order.approved_by,
            approved_at=order.approved_at,
            bank_txn_id=order.bank_txn_id,
            refunded_at=order.refunded_at,
        )


class RefundOrderListOut(BaseModel):
    items: list[RefundOrderOut]


class BankRefundListOut(RefundOrderListOut):
    code: str = Field("00000", description="the national response code of SPEC §15")


class RefundConfirmIn(BaseModel):
    """SPEC §6. A ``refunded_at`` without a time zone is taken in the centre's time zone."""

    refund_id: str = Field(min_length=1, max_length=32, pattern=IDENTIFIER_PATTERN)
    bank_txn_id: str = Field(min_length=1, max_length=64, pattern=IDENTIFIER_PATTERN)
    amount: str = Field(pattern=AMOUNT_PATTERN, description='yuan with exactly two decimals, e.g. "1234.50"')
    refunded_at: datetime


class RefundConfirmOut(BaseModel):
    result: str
    code: str = Field("00000", description="the national response code of SPEC §15")
    refund_id: str
    bank_txn_id: str
    amount: str
    refunded_at: datetime
    status: str
