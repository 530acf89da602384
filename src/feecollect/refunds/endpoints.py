"""Refund orders: the bank's side of SPEC §6 (signed, like payments) and finance's list."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlalchemy.orm import Session

from feecollect.api.auth import FinanceReader
from feecollect.api.deps import DbSession
from feecollect.api.errors import validation_detail
from feecollect.bank import response_codes as rc
from feecollect.bank.auth import BankCaller, Signed, handle_signed, signed_json_body
from feecollect.bank.response_codes import BankRefusal
from feecollect.money import format_yuan
from feecollect.refunds import repository
from feecollect.refunds.models import RefundStatus
from feecollect.refunds.schemas import (
    BankRefundListOut,
    RefundConfirmIn,
    RefundConfirmOut,
    RefundOrderListOut,
    RefundOrderOut,
)
from feecollect.refunds.service import RefundConfirmation, confirm

bank_router = APIRouter(prefix="/api/v1/bank", tags=["bank integration (SPEC §6)"])
router = APIRouter(prefix="/api/v1/refunds", tags=["refunds"])
StatusFilter = Annotated[str | None, Query(pattern="^(" + "|".join(RefundStatus) + ")$")]


@bank_router.get("/refunds", response_model=BankRefundListOut, summary="Refund orders of the calling bank")
async def bank_refunds(signed: Signed, request: Request, status: StatusFilter = None) -> BankRefundListOut:
    def orders(session: Session, caller: BankCaller) -> BankRefundListOut:
        found = repository.listing(session, bank_code=caller.bank_code, status=status)
        # An order waiting for its second approval is not the bank's to pay yet (SPEC §16).
        shown = [order for order in found if order.status != RefundStatus.PROPOSED]
        return BankRefundListOut(items=[RefundOrderOut.of(order) for order in shown])

    return await run_in_threadpool(handle_signed, request.app, signed, orders)


@bank_router.post(
    "/refunds",
    response_model=RefundConfirmOut,
    summary="A bank confirms it paid a refund: accepted once, duplicate on replay",
    openapi_extra=signed_json_body(RefundConfirmIn),
    responses={
        409: {"description": "same bank_txn_id, different body"},
        422: {"description": "unknown_refund, amount_mismatch or refund_not_confirmable; nothing recorded"},
    },
)
async def refund_callback(signed: Signed, request: Request) -> RefundConfirmOut:
    settings = request.app.state.settings

    def confirm_refund(session: Session, caller: BankCaller) -> RefundConfirmOut:
        outcome = confirm(session, settings, caller, _parse(signed.body, settings.zone))
        order = outcome.order
        assert order.bank_txn_id is not None and order.refunded_at is not None
        return RefundConfirmOut(
            result=outcome.result,
            refund_id=order.refund_id,
            bank_txn_id=order.bank_txn_id,
            amount=format_yuan(order.amount_fen),
            refunded_at=order.refunded_at,
            status=order.status,
        )

    return await run_in_threadpool(handle_signed, request.app, signed, confirm_refund)


def _parse(body: bytes, zone: ZoneInfo) -> RefundConfirmation:
    try:
        data = RefundConfirmIn.model_validate_json(body)
    except ValidationError as exc:
        raise BankRefusal(rc.MALFORMED, validation_detail(exc.errors()), error="invalid_request") from None
    refunded_at = data.refunded_at if data.refunded_at.tzinfo else data.refunded_at.replace(tzinfo=zone)
    return RefundConfirmation(data.refund_id, data.bank_txn_id, data.amount, refunded_at)


@router.get("", response_model=RefundOrderListOut, summary="Refund orders, oldest first")
def list_refunds(_: FinanceReader, session: DbSession, status: StatusFilter = None) -> RefundOrderListOut:
    return RefundOrderListOut(
        items=[RefundOrderOut.of(order) for order in repository.listing(session, status=status)]
    )
