"""Refund orders: the bank's side of SPEC §6 (signed, like payments) and finance's list."""

from __future__ import annotations

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from feecollect.api.auth import FinanceReader
from feecollect.api.deps import DbSession
from feecollect.api.errors import validation_detail
from feecollect.bank.auth import Signed, SignedRequest, verify
from feecollect.db.engine import unit_of_work
from feecollect.errors import Unprocessable
from feecollect.money import format_yuan
from feecollect.payments.service import record_nonce
from feecollect.refunds import repository
from feecollect.refunds.models import REFUND_STATUSES
from feecollect.refunds.schemas import RefundConfirmIn, RefundConfirmOut, RefundOrderListOut, RefundOrderOut
from feecollect.refunds.service import RefundConfirmation, confirm

bank_router = APIRouter(prefix="/api/v1/bank", tags=["bank integration (SPEC §6)"])
router = APIRouter(prefix="/api/v1/refunds", tags=["refunds"])
StatusFilter = Annotated[str | None, Query(pattern="^(" + "|".join(REFUND_STATUSES) + ")$")]


@bank_router.get("/refunds", response_model=RefundOrderListOut, summary="Refund orders of the calling bank")
async def bank_refunds(signed: Signed, request: Request, status: StatusFilter = None) -> RefundOrderListOut:
    return await run_in_threadpool(_bank_refunds, request.app, signed, status)


def _bank_refunds(app, signed: SignedRequest, status: str | None) -> RefundOrderListOut:  # type: ignore[no-untyped-def]
    with unit_of_work(app.state.sessionmaker) as session:
        caller = verify(session, app.state.settings.secret_key.get_secret_value(), signed)
        record_nonce(session, caller)
        orders = repository.listing(session, bank_code=caller.bank_code, status=status)
        return RefundOrderListOut(items=[RefundOrderOut.of(order) for order in orders])


@bank_router.post(
    "/refunds",
    response_model=RefundConfirmOut,
    summary="A bank confirms it paid a refund: accepted once, duplicate on replay",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": RefundConfirmIn.model_json_schema(ref_template="#/components/schemas/{model}")
                }
            },
        }
    },
    responses={
        409: {"description": "same bank_txn_id, different body"},
        422: {"description": "unknown_refund, amount_mismatch or refund_not_confirmable; nothing recorded"},
    },
)
async def refund_callback(signed: Signed, request: Request) -> RefundConfirmOut:
    return await run_in_threadpool(_confirm, request.app, signed)


def _confirm(app, signed: SignedRequest) -> RefundConfirmOut:  # type: ignore[no-untyped-def]
    settings = app.state.settings
    for attempt in (1, 2):
        try:
            with unit_of_work(app.state.sessionmaker) as session:
                caller = verify(session, settings.secret_key.get_secret_value(), signed)
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
        except IntegrityError:
            # A concurrent confirmation took this transaction id first: the retry answers duplicate or
            # conflict.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _parse(body: bytes, zone: ZoneInfo) -> RefundConfirmation:
    try:
        data = RefundConfirmIn.model_validate_json(body)
    except ValidationError as exc:
        raise Unprocessable(validation_detail(exc.errors()), code="invalid_request") from None
    refunded_at = data.refunded_at if data.refunded_at.tzinfo else data.refunded_at.replace(tzinfo=zone)
    return RefundConfirmation(data.refund_id, data.bank_txn_id, data.amount, refunded_at)


@router.get("", response_model=RefundOrderListOut, summary="Refund orders, oldest first")
def list_refunds(_: FinanceReader, session: DbSession, status: StatusFilter = None) -> RefundOrderListOut:
    return RefundOrderListOut(
        items=[RefundOrderOut.of(order) for order in repository.listing(session, status=status)]
    )
