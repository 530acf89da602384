"""The bank-facing contract (SPEC §6). Each endpoint is async and makes one hop to the thread pool for
verification, work and commit together: the hand-off, not the work, dominates a request this small."""

from __future__ import annotations

from functools import partial
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlalchemy.orm import Session

from feecollect import logs
from feecollect.api.errors import validation_detail
from feecollect.api.observe import BANK_ANSWER
from feecollect.bank import response_codes as rc
from feecollect.bank.auth import BankCaller, Signed, handle_signed, signed_json_body
from feecollect.bank.response_codes import BankRefusal
from feecollect.money import format_yuan
from feecollect.payments.schemas import BankNoticeOut, PaymentIn, PaymentOut
from feecollect.payments.service import Outcome, PaymentRequest, apply_payment, look_up
from feecollect.payments.single_trip import first_payment
from feecollect.reconcile.accounts import is_special_account
from feecollect.settings import Settings

log = logs.get_logger("feecollect.bank")
router = APIRouter(prefix="/api/v1/bank", tags=["bank integration (SPEC §6)"])


@router.get(
    "/notices/{payment_code}",
    response_model=BankNoticeOut,
    summary="Look a notice up by its payment code; its confirm code binds the callback to this lookup",
    responses={422: {"description": rc.described(rc.MALFORMED, rc.NO_SUCH_NOTICE, rc.CHECK_DIGITS_FAIL)}},
)
async def lookup_notice(payment_code: str, signed: Signed, request: Request) -> BankNoticeOut:
    work = partial(_lookup, request.app.state.settings, payment_code)
    return await run_in_threadpool(handle_signed, request.app, signed, work)


def _lookup(settings: Settings, payment_code: str, session: Session, caller: BankCaller) -> BankNoticeOut:
    found = look_up(session, settings, caller, payment_code)
    return BankNoticeOut(
        payment_code=found.payment_code,
        payer_name=found.payer_name,
        amount=format_yuan(found.amount_fen),
        status=found.status,
        due_date=found.due_date,
        confirm_code=found.confirm.confirm_code if found.confirm else None,
        lookup_expires_at=found.confirm.expires_at if found.confirm else None,
    )


@router.post(
    "/payments",
    response_model=PaymentOut,
    summary="A bank's payment callback: accepted once, duplicate on replay",
    openapi_extra=signed_json_body(PaymentIn),
    responses={
        200: {
            "description": "00000 accepted or duplicate; 12001 late callback, notice paid from the statement"
        },
        401: {"description": rc.described(rc.SIGNATURE_REFUSED)},
        409: {"description": rc.described(rc.TXN_ID_CONFLICT)},
        413: {"description": rc.described(rc.MALFORMED) + " (body over 64 KiB)"},
        422: {
            "description": "nothing recorded: "
            + rc.described(*(a for a in rc.BANK_ANSWERS if a.http_status == 422 and a is not rc.ACCEPTED))
        },
    },
)
async def payment_callback(signed: Signed, request: Request) -> PaymentOut:
    app = request.app
    settings = app.state.settings

    def pay(session: Session, caller: BankCaller) -> Outcome:
        payment = _parse(signed.body, settings.zone)
        named = None if payment.account is None else is_special_account(session, payment.account)
        return apply_payment(session, settings, caller, payment, account_is_special=named)

    def answer() -> PaymentOut:
        outcome = None
        if app.state.engine.dialect.name == "postgresql":
            # A body that does not parse goes the general way: its signature is checked before its shape.
            parsed = _parse_or_none(signed.body, settings.zone)
            if parsed is not None:
                outcome = first_payment(app.state.sessionmaker, settings, signed, parsed)
        if outcome is None:
            outcome = handle_signed(app, signed, pay)
        return PaymentOut(
            result=outcome.result,
            code=outcome.code,
            payment_code=outcome.payment_code,
            bank_txn_id=outcome.bank_txn_id,
            amount=format_yuan(outcome.amount_fen),
            paid_at=outcome.paid_at,
            notice_status=outcome.notice_status,
        )

    answered = await run_in_threadpool(answer)
    setattr(request.state, BANK_ANSWER, answered.code)
    log.info(
        "payment callback",
        result=answered.result,
        code=answered.code,
        payment_code=answered.payment_code,
        bank_txn_id=answered.bank_txn_id,
    )
    return answered


def _parse_or_none(body: bytes, zone: ZoneInfo) -> PaymentRequest | None:
    try:
        return _parse(body, zone)
    except BankRefusal:
        return None


def _parse(body: bytes, zone: ZoneInfo) -> PaymentRequest:
    try:
        data = PaymentIn.model_validate_json(body)
    except ValidationError as exc:
        raise BankRefusal(rc.MALFORMED, validation_detail(exc.errors()), error="invalid_request") from None
    paid_at = data.paid_at if data.paid_at.tzinfo else data.paid_at.replace(tzinfo=zone)
    return PaymentRequest(
        bank_txn_id=data.bank_txn_id,
        payment_code=data.payment_code,
        amount=data.amount,
        paid_at=paid_at,
        payer_name=data.payer_name,
        payer_account=data.payer_account,
        channel=data.channel,
        confirm_code=data.confirm_code,
        account=data.account,
    )
