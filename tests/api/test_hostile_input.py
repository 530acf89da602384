"""Hostile and careless input at the API's edge: every refusal a clean 4xx in the documented shape,
nothing written, and no request costing the server more memory than its limit."""

from __future__ import annotations

import json
import socket
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from feecollect.api.limits import BANK_BODY_LIMIT, JSON_BODY_LIMIT
from feecollect.bank.signing import signed_headers
from feecollect.devtools.bank_client import payment_body
from tests.conftest import bearer, row_counts
from tests.helpers import case_body

PAY = "/api/v1/bank/payments"


@pytest.fixture
def notice(client, tokens) -> dict:  # type: ignore[type-arg]
    client.post("/api/v1/cases", json=case_body("H-1"), headers=bearer(tokens["clerk"]))
    return client.post("/api/v1/cases/H-1/notices", headers=bearer(tokens["clerk"])).json()


def _signed_post(client, bank_key, body: bytes, **header_changes: str):  # type: ignore[no-untyped-def]
    headers = signed_headers(*bank_key, "POST", PAY, body) | {"Content-Type": "application/json"}
    return client.post(PAY, content=body, headers=headers | header_changes)


# body sizes -------------------------------------------------------------------------------------------


def test_a_bank_body_over_64_kib_is_refused_with_413_and_writes_nothing(client, bank_key, notice):
    body = payment_body("T-BIG", notice["payment_code"], notice["amount"], datetime.now(UTC), payer_name="x")
    body = body[:-1] + b',"padding":"' + b"x" * BANK_BODY_LIMIT + b'"}'
    before = row_counts(client)
    response = _signed_post(client, bank_key, body)
    assert response.status_code == 413, response.text
    assert response.json()["error"] == "too_large" and "64 KiB" in response.json()["detail"]
    assert row_counts(client) == before


def test_a_streamed_bank_body_is_refused_once_it_passes_the_limit(client, bank_key):
    def chunks():  # no Content-Length: the limit must hold while the body is read
        for _ in range(64):
            yield b"x" * 8192

    headers = signed_headers(*bank_key, "POST", PAY, b"") | {"Content-Type": "application/json"}
    response = client.post(PAY, content=chunks(), headers=headers)
    assert response.status_code == 413


def test_a_json_body_over_its_limit_is_refused_with_413(client, tokens):
    body = case_body("H-2") | {"padding": "x" * JSON_BODY_LIMIT}
    response = client.post("/api/v1/cases", json=body, headers=bearer(tokens["clerk"]))
    assert response.status_code == 413 and response.json()["error"] == "too_large"


def test_a_write_without_credentials_is_refused_before_its_body(client):
    response = client.post("/api/v1/cases", content=b"{" * 10, headers={"Content-Type": "application/json"})
    assert response.status_code == 401 and response.json()["error"] == "unauthorized"


def _raw_request(url: str, head: bytes, body: bytes) -> bytes:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as connection:
        connection.sendall(head + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


def test_a_server_answers_a_declared_200_mb_bank_body_at_once_without_reading_it(live_server):
    head = (
        b"POST " + PAY.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"X-Bank-Key: k\r\nX-Timestamp: 1\r\nX-Nonce: n\r\nX-Signature: s\r\n"
        b"Content-Length: 200000000\r\n\r\n"
    )
    answer = _raw_request(live_server, head, b"{" * 1000)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_server_stops_reading_a_streamed_bank_body_at_the_limit(live_server):
    # A current timestamp passes the header checks, so the gate reads the body: it stops at the limit.
    head = (
        b"POST " + PAY.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"X-Bank-Key: k\r\nX-Timestamp: %d\r\nX-Nonce: n\r\nX-Signature: s\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" % int(time.time())
    )
    chunk = b"%x\r\n%s\r\n" % (16384, b"x" * 16384)
    answer = _raw_request(live_server, head, chunk * 8)  # 128 KiB, twice the limit
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


# control characters, NUL and out-of-range integers ---------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/schedules/%00",
        "/api/v1/schedules?department=%00",
        "/api/v1/schedules/XZ%01BDC",
    ],
)
def test_nul_and_control_characters_in_the_url_are_refused_with_422(client, path):
    response = client.get(path)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid_request"


def test_nul_in_a_json_field_is_refused_and_nothing_is_stored(client, tokens):
    before = row_counts(client)
    body = case_body("H-3", name="示范市\u0000星河商贸有限公司")
    response = client.post("/api/v1/cases", json=body, headers=bearer(tokens["clerk"]))
    assert response.status_code == 422 and "control character" in response.json()["detail"]
    assert row_counts(client) == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/exceptions/99999999999999999999",
        "/api/v1/exceptions/9223372036854775808",
        "/api/v1/statement-lines/99999999999999999999",
        "/api/v1/exceptions?offset=99999999999999999999",
        "/api/v1/cases?offset=9223372036854775808",
        "/api/v1/audit?offset=9223372036854775808",
    ],
)
def test_integers_past_64_bits_are_refused_with_422(client, tokens, path):
    role = "clerk" if "/cases" in path else "auditor"
    response = client.get(path, headers=bearer(tokens[role]))
    assert response.status_code == 422, response.text


# the bank contract as written (SPEC §6) --------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "５７０.００"},  # full-width digits
        {"amount": "٥٧٠.٠٠"},  # Arabic-Indic digits
        {"bank_txn_id": "T\u0000X"},
        {"bank_txn_id": "T\u001bX"},
        {"bank_txn_id": "T 1"},
        {"payer_name": "张\u0007三"},
        {"payment_code": "４３０３２１２６００００００００４２４５"},
    ],
)
def test_a_callback_with_non_ascii_digits_or_control_characters_is_refused(client, bank_key, notice, change):
    fields = {
        "bank_txn_id": "T-ASCII",
        "payment_code": notice["payment_code"],
        "amount": notice["amount"],
        "paid_at": datetime.now(UTC).isoformat(),
    } | change
    body = json.dumps(fields, ensure_ascii=True).encode()
    before = row_counts(client)
    response = _signed_post(client, bank_key, body)
    assert response.status_code == 422, response.text
    assert response.json()["error"] in ("invalid_request", "unknown_payment_code")
    assert {k: v for k, v in row_counts(client).items() if k != "bank_nonces"} == {
        k: v for k, v in before.items() if k != "bank_nonces"
    }


def test_an_upper_case_signature_is_refused(client, bank_key, notice):
    body = payment_body("T-UP", notice["payment_code"], notice["amount"], datetime.now(UTC))
    headers = signed_headers(*bank_key, "POST", PAY, body)
    response = _signed_post(client, bank_key, body, **{"X-Signature": headers["X-Signature"].upper()})
    assert response.status_code == 401


@pytest.mark.parametrize("timestamp", ["²", "１７００００００００", "-1", "1e9", ""])
def test_a_timestamp_that_is_not_ascii_unix_seconds_is_a_401(client, bank_key, notice, timestamp):
    body = payment_body("T-TS", notice["payment_code"], notice["amount"], datetime.now(UTC))
    response = _signed_post(client, bank_key, body, **{"X-Timestamp": timestamp.encode()})
    assert response.status_code == 401, response.text
