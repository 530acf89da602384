"""SPEC §6: anything that fails verification is a 401 and changes nothing."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from feecollect.bank.signing import TOLERANCE_SECONDS, signed_headers
from feecollect.devtools.bank_client import BankClient, payment_body
from tests.conftest import bearer, row_counts
from tests.helpers import case_body

# Well past the edge: the header is whole seconds and the request is sent a moment after `now`, so
# one second over the tolerance can land back inside it on a slow host.
OUTSIDE_TOLERANCE = TOLERANCE_SECONDS + 30

PAY = "/api/v1/bank/payments"


@pytest.fixture
def notice(client, tokens) -> dict:  # type: ignore[type-arg]
    client.post("/api/v1/cases", json=case_body("B-1"), headers=bearer(tokens["clerk"]))
    return client.post("/api/v1/cases/B-1/notices", headers=bearer(tokens["clerk"])).json()


def body_for(notice: dict) -> bytes:  # type: ignore[type-arg]
    return payment_body("TXN-1", notice["payment_code"], notice["amount"], datetime.now(UTC))


def test_a_correctly_signed_callback_is_accepted(client, bank, notice):
    response = bank.pay("TXN-1", notice["payment_code"], notice["amount"], datetime.now(UTC))
    assert response.status_code == 200 and response.json()["result"] == "accepted"


@pytest.mark.parametrize(
    "forgery",
    [
        "bad_signature",
        "stale_timestamp",
        "future_timestamp",
        "unknown_key",
        "body_altered",
        "missing_header",
        "signed_other_path",
        "signed_with_other_secret",
    ],
)
def test_forged_requests_are_refused_with_401_and_write_nothing(client, bank_key, notice, forgery):
    key, secret = bank_key
    body = body_for(notice)
    now = time.time()
    headers = signed_headers(key, secret, "POST", PAY, body)
    if forgery == "bad_signature":
        headers["X-Signature"] = "0" * 64
    elif forgery == "stale_timestamp":
        headers = signed_headers(key, secret, "POST", PAY, body, now=now - OUTSIDE_TOLERANCE)
    elif forgery == "future_timestamp":
        headers = signed_headers(key, secret, "POST", PAY, body, now=now + OUTSIDE_TOLERANCE)
    elif forgery == "unknown_key":
        headers = signed_headers("ccb_0000000000000000", secret, "POST", PAY, body)
    elif forgery == "body_altered":
        body = body.replace(notice["amount"].encode(), b"1.00")
    elif forgery == "missing_header":
        del headers["X-Nonce"]
    elif forgery == "signed_other_path":
        headers = signed_headers(key, secret, "POST", "/api/v1/bank/refunds", body)
    elif forgery == "signed_with_other_secret":
        headers = signed_headers(key, secret + "x", "POST", PAY, body)
    before = row_counts(client)
    response = client.post(PAY, content=body, headers=headers | {"Content-Type": "application/json"})
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "unauthorized"
    assert row_counts(client) == before


def test_a_replayed_nonce_is_refused_and_writes_nothing(client, bank_key, notice):
    key, secret = bank_key
    body = body_for(notice)
    headers = signed_headers(key, secret, "POST", PAY, body) | {"Content-Type": "application/json"}
    assert client.post(PAY, content=body, headers=headers).json()["result"] == "accepted"
    before = row_counts(client)
    replay = client.post(PAY, content=body, headers=headers)
    assert replay.status_code == 401 and "X-Nonce was already used" in replay.json()["detail"]
    assert row_counts(client) == before


def test_the_hourly_purge_forgets_only_nonces_no_replay_could_use(client, bank_key, notice):
    from datetime import timedelta

    from feecollect.bank.models import BankNonce
    from feecollect.bank.service import NONCE_KEPT
    from feecollect.db.engine import unit_of_work
    from feecollect.tasks import celery_app, purge_stale_nonces

    assert celery_app.conf.beat_schedule["purge-stale-nonces"]["schedule"] == 3600.0
    key, secret = bank_key
    body = body_for(notice)
    headers = signed_headers(key, secret, "POST", PAY, body) | {"Content-Type": "application/json"}
    assert client.post(PAY, content=body, headers=headers).json()["result"] == "accepted"
    with unit_of_work(client.app.state.sessionmaker) as session:
        session.add(BankNonce(key_id=key, nonce="old", seen_at=datetime.now(UTC) - NONCE_KEPT - timedelta(1)))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FEECOLLECT_DATABASE_URL", client.app.state.settings.database_url)
        from feecollect.settings import get_settings

        get_settings.cache_clear()
        try:
            assert purge_stale_nonces.delay().get() == 1, "only the nonce older than any replay window"
        finally:
            get_settings.cache_clear()
    replay = client.post(PAY, content=body, headers=headers)
    assert replay.status_code == 401 and "X-Nonce was already used" in replay.json()["detail"]


def test_rotation_keeps_two_keys_valid_until_the_old_one_is_retired(client, bank_key, notice, cli):
    old_key, old_secret = bank_key
    rotated = cli("banks", "rotate", "CCB", "--json")
    assert rotated.exit_code == 0, rotated.output
    import json

    new = json.loads(rotated.output)
    old_client = BankClient(client, old_key, old_secret)
    new_client = BankClient(client, new["key"], new["secret"])
    assert old_client.lookup(notice["payment_code"]).status_code == 200
    assert new_client.lookup(notice["payment_code"]).status_code == 200
    third = cli("banks", "rotate", "CCB")
    assert third.exit_code == 1 and "already has 2 valid keys" in third.output
    assert cli("banks", "retire", old_key).exit_code == 0
    assert old_client.lookup(notice["payment_code"]).status_code == 401
    assert new_client.lookup(notice["payment_code"]).status_code == 200
    listed = cli("banks", "list").output
    assert (
        old_key in listed and "retired" in listed and new["secret"] not in listed and old_secret not in listed
    )


def test_secrets_are_stored_encrypted(client, bank_key):
    from sqlalchemy import text

    with client.app.state.engine.connect() as connection:
        stored = connection.execute(text("SELECT encrypted_secret FROM bank_keys")).scalar_one()
    assert bank_key[1].encode() not in bytes(stored)


def test_a_changed_service_secret_cannot_read_old_bank_secrets(client, bank_key, notice):
    client.app.state.settings = client.app.state.settings.model_copy(
        update={"secret_key": client.app.state.settings.secret_key.__class__("another-secret-entirely-1234")}
    )
    response = BankClient(client, *bank_key).lookup(notice["payment_code"])
    assert response.status_code == 401 and "cannot be read" in response.json()["detail"]


def test_banks_add_prints_key_and_secret_once(cli):
    result = cli("banks", "add", "ICBC", "--name", "中国工商银行示范市分行", "--json")
    assert result.exit_code == 0
    import json

    data = json.loads(result.output)
    assert data["key"].startswith("icbc_") and len(data["secret"]) >= 40
    assert cli("banks", "add", "ICBC", "--name", "x").exit_code == 1
    assert "must be 2–16 upper-case" in cli("banks", "add", "icbc", "--name", "x").output
