"""The bank-facing contract (SPEC §6). Each endpoint is async and makes one hop to the thread pool for
verification, work and commit together: the hand-off, not the work, dominates a request this small."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from feecollect.api.errors import validation_detail
from feecollect.bank.auth import Signed, SignedRequest, verify
from feecollect.db.engine import unit_of_work
from feecollect.errors import NotFound, Unprocessable
from feecollect.money import format_yuan
from feecollect.notices import repository as notices
from feecollect.payments.schemas import BankNoticeOut, PaymentIn, PaymentOut
from feecollect.payments.service import PaymentRequest, apply_payment, record_nonce

router = APIRouter(prefix="/api/v1/bank", tags=["bank integration (SPEC §6)"])


@router.get(
    "/notices/{payment_code}", response_model=BankNoticeOut, summary="Look a notice up by its payment code"
)
async def lookup_notice(payment_code: str, signed: Signed, request: Request) -> BankNoticeOut:
    return await run_in_threadpool(_lookup, request.app, signed, payment_code)


def _lookup(app, signed: SignedRequest, payment_code: str) -> BankNoticeOut:  # type: ignore[no-untyped-def]
    with unit_of_work(app.state.sessionmaker) as session:
        record_nonce(session, verify(session, app.state.settings.secret_key.get_secret_value(), signed))
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
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": PaymentIn.model_json_schema(ref_template="#/components/schemas/{model}")
                }
            },
        }
    },
    responses={
        409: {"description": "same bank_txn_id, different body"},
        422: {"description": "unknown_payment_code, amount_mismatch or notice_not_payable; nothing recorded"},
    },
)
async def payment_callback(signed: Signed, request: Request) -> PaymentOut:
    return await run_in_threadpool(_payment, request.app, signed)


def _payment(app, signed: SignedRequest) -> PaymentOut:  # type: ignore[no-untyped-def]
    settings = app.state.settings
    for attempt in (1, 2):
        try:
            with unit_of_work(app.state.sessionmaker) as session:
                caller = verify(session, settings.secret_key.get_secret_value(), signed)
                body = _parse(signed.body, settings.zone)
                outcome = apply_payment(session, settings, caller, body)
            return PaymentOut(
                result=outcome.result,
                payment_code=outcome.payment_code,
                bank_txn_id=outcome.bank_txn_id,
                amount=format_yuan(outcome.amount_fen),
                paid_at=outcome.paid_at,
                notice_status=outcome.notice_status,
            )
        except IntegrityError:
            # Another request took this transaction id (or nonce) between our check and our insert:
            # the second attempt sees it and answers duplicate, conflict or replay.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


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
