"""The reference bank client: signs exactly as SPEC §6 says a bank must, and pays as a bank that must
look up does: the lookup first, then the callback echoing its confirm code. The demo, the simulator,
the benchmark and the tests drive the bank contract through it, from the outside."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import httpx

from feecollect.bank.signing import signed_headers

PAYMENTS = "/api/v1/bank/payments"
REFUNDS = "/api/v1/bank/refunds"


def lookup_path(payment_code: str) -> str:
    return f"/api/v1/bank/notices/{payment_code}"


def payment_body(
    bank_txn_id: str, payment_code: str, amount: str, paid_at: datetime, **optional: Any
) -> bytes:
    body = {
        "bank_txn_id": bank_txn_id,
        "payment_code": payment_code,
        "amount": amount,
        "paid_at": paid_at.isoformat(),
        **{k: v for k, v in optional.items() if v is not None},
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class BankClient:
    """``http`` may be any httpx client: a real one for a server, or FastAPI's TestClient for the app."""

    def __init__(self, http: httpx.Client, key: str, secret: str):
        self.http, self.key, self.secret = http, key, secret

    def _send(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        # The signature covers the path, not the query string (SPEC §6).
        signed = signed_headers(self.key, self.secret, method, path, body) | (headers or {})
        if body:
            signed["Content-Type"] = "application/json"
        return self.http.request(method, path, content=body, headers=signed, params=params)

    def lookup(self, payment_code: str) -> httpx.Response:
        return self._send("GET", lookup_path(payment_code))

    def pay(
        self, bank_txn_id: str, payment_code: str, amount: str, paid_at: datetime, **optional: Any
    ) -> httpx.Response:
        """One callback exactly as given (``confirm_code`` and ``account`` among the optional fields)."""
        return self._send(
            "POST", PAYMENTS, payment_body(bank_txn_id, payment_code, amount, paid_at, **optional)
        )

    def look_up_and_pay(self, bank_txn_id: str, payment_code: str, **optional: Any) -> httpx.Response:
        """A counter payment: the lookup, then the callback for the amount it showed, dated now and
        echoing its confirm code. A refused lookup is the answer."""
        found = self.lookup(payment_code)
        if found.status_code != 200:
            return found
        notice = found.json()
        return self.pay(
            bank_txn_id,
            payment_code,
            notice["amount"],
            datetime.now(UTC),
            confirm_code=notice["confirm_code"],
            **optional,
        )

    def refunds(self, status: str | None = "approved") -> httpx.Response:
        return self._send("GET", REFUNDS, params={"status": status} if status else None)

    def confirm_refund(
        self, refund_id: str, bank_txn_id: str, amount: str, refunded_at: datetime
    ) -> httpx.Response:
        body = {
            "refund_id": refund_id,
            "bank_txn_id": bank_txn_id,
            "amount": amount,
            "refunded_at": refunded_at.isoformat(),
        }
        return self._send("POST", REFUNDS, json.dumps(body, separators=(",", ":")).encode())


class AsyncBankClient:
    """Sends callbacks as a bank does: a request that dies on the wire (a keep-alive connection the
    server closed as it was reused, a reset) is sent again, freshly signed, since the contract makes a
    replay of the same body safe."""

    ATTEMPTS = 5

    def __init__(self, http: httpx.AsyncClient, key: str, secret: str):
        self.http, self.key, self.secret = http, key, secret

    async def lookup(self, payment_code: str) -> httpx.Response:
        return await self._send("GET", lookup_path(payment_code))

    async def pay(
        self, bank_txn_id: str, payment_code: str, amount: str, paid_at: datetime, **optional: Any
    ) -> httpx.Response:
        body = payment_body(bank_txn_id, payment_code, amount, paid_at, **optional)
        return await self._send("POST", PAYMENTS, body)

    async def _send(self, method: str, path: str, body: bytes = b"") -> httpx.Response:
        attempt = 1
        while True:
            headers = signed_headers(self.key, self.secret, method, path, body)
            if body:
                headers["Content-Type"] = "application/json"
            try:
                return await self.http.request(method, path, content=body, headers=headers)
            except httpx.TransportError:
                if attempt == self.ATTEMPTS:
                    raise
            await asyncio.sleep(0.05 * attempt)
            attempt += 1
