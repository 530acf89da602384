"""Verifying a bank's signed request (SPEC §6). Any failure is a 401 and nothing is written.

The gate itself only reads the headers and body (no database, so it runs on the event loop);
:func:`verify` checks the key and signature inside the request's unit of work, and the caller records
the nonce in that same transaction: a replay is refused, and a refused request leaves nothing behind.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any, TypeVar

from cryptography.exceptions import InvalidTag
from fastapi import Depends, Request
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feecollect.api.auth import Gate
from feecollect.bank import repository
from feecollect.bank.secret_box import open_sealed
from feecollect.bank.signing import PRINTABLE_ASCII, TOLERANCE_SECONDS, matches, signature
from feecollect.db.engine import unit_of_work
from feecollect.users.principal import Unauthorized

MAX_NONCE = 64
_PRINTABLE_ASCII = re.compile(PRINTABLE_ASCII)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SignedRequest:
    key_id: str
    timestamp: str
    nonce: str
    signature: str
    method: str
    path: str
    body: bytes


@dataclass(frozen=True, slots=True)
class BankCaller:
    bank_code: str
    key_id: str
    nonce: str
    lookup_required: bool = True


class BankGate(Gate):
    """The bank role of SPEC §11: a request carrying the four signature headers within the tolerance."""

    async def __call__(self, request: Request) -> SignedRequest:  # type: ignore[override]
        headers = request.headers
        key_id, timestamp = headers.get("x-bank-key"), headers.get("x-timestamp")
        nonce, given = headers.get("x-nonce"), headers.get("x-signature")
        if not (key_id and timestamp and nonce and given):
            raise Unauthorized("a bank request is signed: X-Bank-Key, X-Timestamp, X-Nonce and X-Signature")
        if (
            not (timestamp.isascii() and timestamp.isdigit())
            or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS
        ):
            raise Unauthorized(f"X-Timestamp must be Unix seconds within {TOLERANCE_SECONDS} s of now")
        if len(nonce) > MAX_NONCE or not _PRINTABLE_ASCII.fullmatch(nonce):
            raise Unauthorized(f"X-Nonce is 1-{MAX_NONCE} printable ASCII characters")
        return SignedRequest(
            key_id, timestamp, nonce, given, request.method, request.url.path, await request.body()
        )


Signed = Annotated[SignedRequest, Depends(BankGate())]


@lru_cache(maxsize=256)
def _secret(master: str, key_id: str, sealed: bytes) -> str:
    return open_sealed(master, sealed, key_id)


def verify(session: Session, master: str, signed: SignedRequest) -> BankCaller:
    found = repository.active_key_of_bank(session, signed.key_id)
    if found is None:
        raise Unauthorized("unknown or retired X-Bank-Key")
    key, lookup_required = found
    return check_signature(master, signed, key.bank_code, key.encrypted_secret, lookup_required)


def check_signature(
    master: str, signed: SignedRequest, bank_code: str, encrypted_secret: bytes, lookup_required: bool
) -> BankCaller:
    """The request's signature against the valid key it names, read by the caller."""
    try:
        secret = _secret(master, signed.key_id, encrypted_secret)
    except InvalidTag:
        raise Unauthorized("this key's secret cannot be read with the service's secret key") from None
    expected = signature(secret, signed.timestamp, signed.nonce, signed.method, signed.path, signed.body)
    if not matches(expected, signed.signature):
        raise Unauthorized("X-Signature does not match the request")
    return BankCaller(bank_code, signed.key_id, signed.nonce, lookup_required)


def record_nonce(session: Session, caller: BankCaller) -> None:
    try:
        repository.insert_nonce(session, caller.key_id, caller.nonce, datetime.now(UTC))
    except IntegrityError:
        raise Unauthorized("X-Nonce was already used: a replayed request is refused") from None


def handle_signed(app: Any, signed: SignedRequest, work: Callable[[Session, BankCaller], T]) -> T:
    """A bank request's whole unit of work: the key and signature checked, the nonce spent, ``work``
    done and committed together; a refusal anywhere leaves nothing behind. ``work`` builds its answer
    inside the transaction. When a concurrent request took the same transaction id or nonce between our
    check and our insert, the one retry sees it and answers duplicate, conflict or replay."""
    master = app.state.settings.secret_key.get_secret_value()
    for attempt in (1, 2):
        try:
            with unit_of_work(app.state.sessionmaker) as session:
                caller = verify(session, master, signed)
                record_nonce(session, caller)
                return work(session, caller)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def signed_json_body(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI for an endpoint that reads its raw body (the signature covers the exact bytes)."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
