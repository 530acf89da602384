"""The reference bank client resends a callback that died on the wire, freshly signed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from feecollect.devtools.bank_client import AsyncBankClient


def test_a_dropped_connection_is_retried_with_a_new_nonce_and_the_same_body():
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) < 3:
            raise httpx.ReadError("connection closed by the server", request=request)
        return httpx.Response(200, json={"result": "accepted"})

    async def send() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.MockTransport(answer), base_url="http://bank.test"
        ) as http:
            return await AsyncBankClient(http, "key", "secret").pay("T1", "4" * 20, "1.00", datetime.now(UTC))

    assert asyncio.run(send()).json() == {"result": "accepted"}
    assert len(seen) == 3
    assert len({r.headers["X-Nonce"] for r in seen}) == 3 and len({r.content for r in seen}) == 1


def test_it_gives_up_after_its_attempts():
    def answer(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async def send() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.MockTransport(answer), base_url="http://bank.test"
        ) as http:
            return await AsyncBankClient(http, "key", "secret").pay("T1", "4" * 20, "1.00", datetime.now(UTC))

    with pytest.raises(httpx.ConnectError):
        asyncio.run(send())
