"""The bank-facing contract (SPEC §6). Each endpoint is async and makes one hop to the thread pool for
verification, work and commit together: the hand-off, not the work, dominates a request this small."""

from __future__ import annotations

from functools import partial
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlalchemy.orm import Session

from feecollect.api.errors import validation_detail
from feecollect.bank.auth import BankCaller, Signed, handle_signed, signed_json_body
from feecollect.errors import NotFound, Unprocessable
from feecollect.money import format_yuan
from feecollect.notices import repository as notices
from feecollect.payments.schemas import BankNoticeOut, PaymentIn, PaymentOut
from feecollect.payments.service import PaymentRequest, apply_payment

router = APIRouter(prefix="/api/v1/bank", tags=["bank integration (SPEC §6)"])


@router.get(
    "/notices/{payment_code}", response_model=BankNoticeOut, summary="Look a notice up by its payment code"
)
async def lookup_notice(payment_code: str, signed: Signed, request: Request) -> BankNoticeOut:
    return await run_in_threadpool(handle_signed, request.app, signed, partial(_lookup, payment_code))


def _lookup(payment_code: str, session: Session, _: BankCaller) -> BankNoticeOut:
    notice = notices.by_code(session, payment_code)
    if notice is None:
        raise NotFound(f"no notice with payment code {payment_code!r}", code="unknown_payment_code")
    return BankNoticeOut(
        payment_code=notice.payment_code,
        payer_name=notice.payer_name,
        amount=format_yuan(notice.amount_fen),
        status=notice.status,
        due_date=notice.due_date,
    )


@router.post(
    "/payments",
    response_model=PaymentOut,
    summary="A bank's payment callback: accepted once, duplicate on replay",
    openapi_extra=signed_json_body(PaymentIn),
    responses={
        409: {"description": "same bank_txn_id, different body"},
        422: {"description": "unknown_payment_code, amount_mismatch or notice_not_payable; nothing recorded"},
    },
)
async def payment_callback(signed: Signed, request: Request) -> PaymentOut:
    settings = request.app.state.settings

    def pay(session: Session, caller: BankCaller) -> PaymentOut:
        outcome = apply_payment(session, settings, caller, _parse(signed.body, settings.zone))
        return PaymentOut(
            result=outcome.result,
            payment_code=outcome.payment_code,
            bank_txn_id=outcome.bank_txn_id,
            amount=format_yuan(outcome.amount_fen),
            paid_at=outcome.paid_at,
            notice_status=outcome.notice_status,
        )

    return await run_in_threadpool(handle_signed, request.app, signed, pay)


def _parse(body: bytes, zone: ZoneInfo) -> PaymentRequest:
    try:
        data = PaymentIn.model_validate_json(body)
    except ValidationError as exc:
        raise Unprocessable(validation_detail(exc.errors()), code="invalid_request") from None
    paid_at = data.paid_at if data.paid_at.tzinfo else data.paid_at.replace(tzinfo=zone)
    return PaymentRequest(
        bank_txn_id=data.bank_txn_id,
        payment_code=data.payment_code,
        amount=data.amount,
        paid_at=paid_at,
        payer_name=data.payer_name,
        payer_account=data.payer_account,
        channel=data.channel,
    )
