"""SPEC §17: Prometheus text at /metrics with the contract's names, and JSON log lines that carry the
request id (echoed, and into the tasks a request causes) and never a secret."""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import UTC, datetime

import pytest

from feecollect import logs
from feecollect.devtools.bank_client import PAYMENTS, payment_body
from tests.conftest import bearer
from tests.helpers import SPECIAL_ACCOUNT, case_body, reconcile_special_credits


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition, 0 when absent."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if wanted else "") + r" (\S+)"
    found = re.search(r"^" + pattern + "$", text, re.M)
    return float(found.group(1)) if found else 0.0


def _paid_notice(client, tokens, bank, case_no: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    clerk = bearer(tokens["clerk"])
    assert client.post("/api/v1/cases", json=case_body(case_no), headers=clerk).status_code == 201
    notice = client.post(f"/api/v1/cases/{case_no}/notices", headers=clerk).json()
    assert (
        bank.pay(f"T-{case_no}", notice["payment_code"], notice["amount"], datetime.now(UTC)).status_code
        == 200
    )
    return notice  # type: ignore[no-any-return]


def test_metrics_name_callbacks_bills_exceptions_statements_and_requests(
    client, tokens, bank, cli, tmp_path, settings
):
    before = client.get("/metrics")
    assert before.status_code == 200 and before.headers["content-type"].startswith("text/plain")
    accepted, lag = (
        _sample(before.text, "feecollect_callbacks_total", code="00000"),
        _sample(before.text, "feecollect_bill_issue_lag_seconds_count"),
    )
    notice = _paid_notice(client, tokens, bank, "M-1")
    refused = bank.pay("T-M-2", "43032126000000099999", "1.00", datetime.now(UTC))
    assert refused.status_code != 200

    day = notice["issued_at"][:10]
    reconcile_special_credits(cli, tmp_path, day, [("09:00:00", "10.00", "无名氏", "货款")])

    after = client.get("/metrics").text
    assert _sample(after, "feecollect_callbacks_total", code="00000") == accepted + 1
    assert _sample(after, "feecollect_callbacks_total", code=refused.json()["code"]) >= 1
    assert _sample(after, "feecollect_callback_seconds_count") >= 2
    assert 'feecollect_callback_seconds_bucket{le="0.1"}' in after
    assert _sample(after, "feecollect_bill_issue_lag_seconds_count") == lag + 1, "the eager bill was timed"
    assert _sample(after, "feecollect_open_exceptions", **{"class": "unidentified_credit"}) == 1
    midnight = datetime.fromisoformat(day).replace(tzinfo=settings.zone).timestamp()
    assert _sample(after, "feecollect_statement_last_day", account=SPECIAL_ACCOUNT) == midnight
    assert (
        _sample(
            after,
            "feecollect_http_request_seconds_count",
            method="POST",
            route="/api/v1/cases/{case_no}/notices",
            status="201",
        )
        >= 1
    ), "requests are labelled by route template, not by path"


def test_metrics_want_the_token_when_one_is_set(settings):
    from fastapi.testclient import TestClient
    from pydantic import SecretStr

    from feecollect.api.app import create_app

    app = create_app(settings.model_copy(update={"metrics_token": SecretStr("scrape-secret-0123")}))
    with TestClient(app) as scraper:
        assert scraper.get("/metrics").status_code == 401
        assert scraper.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert (
            scraper.get("/metrics", headers={"Authorization": "Bearer scrape-secret-0123"}).status_code == 200
        )


@pytest.fixture
def json_log(client):  # type: ignore[no-untyped-def]
    """The service's log as JSON lines, read back from its own handler."""
    logs.configure("json")
    (handler,) = [h for h in logging.getLogger().handlers if h.get_name() == "feecollect"]
    written = io.StringIO()
    previous = handler.setStream(written)  # type: ignore[attr-defined]
    yield written
    handler.setStream(previous)  # type: ignore[attr-defined]
    logs.configure("text")


def test_json_lines_carry_the_request_id_into_tasks_and_no_secret(
    client, tokens, bank, bank_key, passwords, settings, json_log
):
    from tests.web.conftest import sign_in

    sign_in(client, "finance", passwords["finance"])
    traced = client.post(
        "/api/v1/cases", json=case_body("L-1"), headers=bearer(tokens["clerk"]) | {"X-Request-ID": "req-L1"}
    )
    assert traced.headers["x-request-id"] == "req-L1"
    made_up = client.get("/api/v1/health")
    assert re.fullmatch(r"[0-9a-f]{32}", made_up.headers["x-request-id"])
    hostile = client.get("/api/v1/health", headers={"X-Request-ID": "x" * 200 + "\n{}"})
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["x-request-id"]), "an odd id is replaced, not logged"

    notice = client.post("/api/v1/cases/L-1/notices", headers=bearer(tokens["clerk"])).json()
    body = payment_body("T-L-1", notice["payment_code"], notice["amount"], datetime.now(UTC))
    # The reference bank client's signed request, with a request id of the bank's choosing.
    paid = bank._send("POST", PAYMENTS, body, headers={"X-Request-ID": "bank-req-7"})
    assert paid.status_code == 200, paid.text
    logging.getLogger("feecollect.tests").info("careless %s", f"Authorization: Bearer {tokens['auditor']}")
    logs.get_logger("feecollect.tests").info("careless", password=passwords["clerk"], detail="ok")

    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert lines and all("request_id" in line and "timestamp" in line for line in lines)
    requests = [line for line in lines if line["event"] == "request"]
    assert {"req-L1", "bank-req-7"} <= {line["request_id"] for line in requests}
    assert all("?" not in line["path"] for line in requests)
    (callback,) = [line for line in lines if line["event"] == "payment callback"]
    assert callback["request_id"] == "bank-req-7" and callback["payment_code"] == notice["payment_code"]
    (billed,) = [line for line in lines if line["event"] == "bill issued"]
    assert billed["request_id"] == "bank-req-7", "the bill task logs under the callback's request id"
    assert billed["notice_id"] and billed["payment_code"] == notice["payment_code"]

    text = json_log.getvalue()
    secrets = [*tokens.values(), *passwords.values(), bank_key[1], settings.secret_key.get_secret_value()]
    leaked = [secret for secret in secrets if secret in text]
    assert leaked == [], "a secret reached the log"
    assert "[redacted]" in text
