"""Verifying a bank's signed request (SPEC §6). Any failure is a 401 and nothing is written.

The gate itself only reads the headers and body (no database, so it runs on the event loop);
:func:`verify` checks the key and signature inside the request's unit of work, and the caller records
the nonce in that same transaction: a replay is refused, and a refused request leaves nothing behind.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated

from cryptography.exceptions import InvalidTag
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from feecollect.api.auth import Gate
from feecollect.bank import repository
from feecollect.bank.secret_box import open_sealed
from feecollect.bank.signing import TOLERANCE_SECONDS, matches, signature
from feecollect.users.principal import Unauthorized

MAX_NONCE = 64


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


class BankGate(Gate):
    """The bank role of SPEC §11: a request carrying the four signature headers within the tolerance."""

    async def __call__(self, request: Request) -> SignedRequest:  # type: ignore[override]
        headers = request.headers
        key_id, timestamp = headers.get("x-bank-key"), headers.get("x-timestamp")
        nonce, given = headers.get("x-nonce"), headers.get("x-signature")
        if not (key_id and timestamp and nonce and given):
            raise Unauthorized("a bank request is signed: X-Bank-Key, X-Timestamp, X-Nonce and X-Signature")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
            raise Unauthorized(f"X-Timestamp must be Unix seconds within {TOLERANCE_SECONDS} s of now")
        if len(nonce) > MAX_NONCE:
            raise Unauthorized(f"X-Nonce is longer than {MAX_NONCE} characters")
        return SignedRequest(
            key_id, timestamp, nonce, given, request.method, request.url.path, await request.body()
        )


Signed = Annotated[SignedRequest, Depends(BankGate())]


@lru_cache(maxsize=256)
def _secret(master: str, key_id: str, sealed: bytes) -> str:
    return open_sealed(master, sealed, key_id)


def verify(session: Session, master: str, signed: SignedRequest) -> BankCaller:
    key = repository.active_key(session, signed.key_id)
    if key is None:
        raise Unauthorized("unknown or retired X-Bank-Key")
    try:
        secret = _secret(master, key.key_id, key.encrypted_secret)
    except InvalidTag:
        raise Unauthorized("this key's secret cannot be read with the service's secret key") from None
    expected = signature(secret, signed.timestamp, signed.nonce, signed.method, signed.path, signed.body)
    if not matches(expected, signed.signature):
        raise Unauthorized("X-Signature does not match the request")
    return BankCaller(key.bank_code, key.key_id, signed.nonce)
