"""Conformance with SPEC §15: one request per national response code, each checked for its code, its
HTTP status and, for every refusal, that nothing was written."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from feecollect.bank import response_codes as rc
from feecollect.bank.signing import signed_headers
from feecollect.notices.payment_code import make_payment_code
from tests.conftest import bearer, row_counts
from tests.helpers import backdate_notice, case_body

SPECIAL = "43050162360800000001"
BODY = '{"bank_txn_id": "T", "payment_code": "1", "amount": "80.00", "paid_at": "2026-11-21T09:30:00Z"}'


class PaymentPath:
    """Which way the endpoint pays: on PostgreSQL, a first payment takes the single trip (one read,
    one write) and everything else the general path; every case here runs both ways."""

    def __init__(self, name: str):
        self.name, self.single_trips = name, 0


@pytest.fixture(autouse=True, params=["single_trip", "general"])
def payment_path(request, database_url, monkeypatch) -> PaymentPath:  # type: ignore[no-untyped-def]
    from feecollect.payments import endpoints, single_trip

    path = PaymentPath(request.param)
    if path.name == "single_trip":
        if not database_url.startswith("postgresql"):
            pytest.skip("the single-trip path is PostgreSQL's; SQLite runs the general one")

        def counted(*args):  # type: ignore[no-untyped-def]
            outcome = single_trip.first_payment(*args)
            path.single_trips += outcome is not None
            return outcome

        monkeypatch.setattr(endpoints, "first_payment", counted)
    else:
        monkeypatch.setattr(endpoints, "first_payment", lambda *args: None)
    return path


def business_rows(client) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Row counts without the nonce log, which records every verified request and nothing else."""
    return {k: v for k, v in row_counts(client).items() if k != "bank_nonces"}


@pytest.fixture
def issue(client, tokens):  # type: ignore[no-untyped-def]
    numbers = iter(range(1, 100))

    def issue() -> dict:  # type: ignore[type-arg]
        case_no = f"RC-{next(numbers)}"
        client.post("/api/v1/cases", json=case_body(case_no), headers=bearer(tokens["clerk"]))
        return client.post(f"/api/v1/cases/{case_no}/notices", headers=bearer(tokens["clerk"])).json()

    return issue


@pytest.fixture
def looked_up(looking_bank, issue) -> dict:  # type: ignore[type-arg]
    """An issued notice this bank looked up: the lookup's answer."""
    answer = looking_bank.lookup(issue()["payment_code"])
    assert answer.status_code == 200, answer.text
    return answer.json()


def callback(looked_up: dict, **change: object) -> dict:  # type: ignore[type-arg]
    return {
        "bank_txn_id": "TXN-RC",
        "payment_code": looked_up["payment_code"],
        "amount": looked_up["amount"],
        "paid_at": datetime.now(UTC),
        "confirm_code": looked_up["confirm_code"],
    } | change


def refused(client, send, response_code: rc.ResponseCode, error: str):  # type: ignore[no-untyped-def]
    before = business_rows(client)
    response = send()
    assert response.status_code == response_code.http_status, response.text
    assert response.json()["code"] == response_code.code, response.text
    assert response.json()["error"] == error, response.text
    assert business_rows(client) == before, "a refusal writes nothing"
    return response


def test_00000_a_lookup_gives_a_confirm_code_and_the_echoing_callback_is_accepted(
    client, tokens, looking_bank, looked_up, payment_path, cli
):
    assert looked_up["code"] == "00000"
    assert len(looked_up["confirm_code"]) == 8 and looked_up["confirm_code"].isalnum()
    expires = datetime.fromisoformat(looked_up["lookup_expires_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=50) < expires - datetime.now(UTC) <= timedelta(minutes=60)
    again = looking_bank.lookup(looked_up["payment_code"]).json()
    assert again["confirm_code"] == looked_up["confirm_code"], "looking up again keeps the code"

    body = callback(looked_up)
    accepted = looking_bank.pay(**body)
    assert accepted.status_code == 200 and accepted.json()["code"] == "00000"
    assert accepted.json()["result"] == "accepted"
    duplicate = looking_bank.pay(**body)
    assert duplicate.status_code == 200, duplicate.text
    assert duplicate.json() | {"result": "accepted"} == accepted.json()
    assert payment_path.single_trips == (1 if payment_path.name == "single_trip" else 0)
    # Whichever way it was paid: the notice, the ledger, the audit chain and the bill agree.
    shown = client.get(f"/api/v1/notices/{body['payment_code']}", headers=bearer(tokens["clerk"])).json()
    assert shown["status"] == "paid" and shown["bill"] is not None
    assert cli("ledger", "check").output.strip() == "账簿平衡：各项不变式均成立"
    assert cli("audit", "verify").exit_code == 0
    entries = client.get(f"/api/v1/audit?object_id={body['payment_code']}", headers=bearer(tokens["auditor"]))
    paid = [entry for entry in entries.json() if entry["action"] == "notice.paid"]
    assert len(paid) == 1 and paid[0]["actor"] == "bank:ICBC"
    assert paid[0]["after"]["bank_txn_id"] == "TXN-RC"


def test_a_confirm_code_is_bound_to_the_bank_that_looked_up(client, looking_bank, looked_up, bank_key):
    """Another bank's lookup gives another code; one bank's code does not pay through another."""
    from feecollect.devtools.bank_client import BankClient

    other = BankClient(client, *bank_key)
    theirs = other.lookup(looked_up["payment_code"]).json()["confirm_code"]
    assert theirs != looked_up["confirm_code"]
    refused(
        client,
        lambda: other.pay(**callback(looked_up, bank_txn_id="TXN-OTHER")),
        rc.CONFIRM_CODE_DIFFERS,
        "confirm_code_mismatch",
    )


def test_10001_a_bad_signature(client, looking_bank, looked_up):
    body = json.dumps(callback(looked_up, paid_at=datetime.now(UTC).isoformat())).encode()
    headers = signed_headers(looking_bank.key, "not-the-secret", "POST", "/api/v1/bank/payments", body)
    send = lambda: client.post("/api/v1/bank/payments", content=body, headers=headers)  # noqa: E731
    refused(client, send, rc.SIGNATURE_REFUSED, "unauthorized")
    lookup = client.get(f"/api/v1/bank/notices/{looked_up['payment_code']}")
    assert lookup.status_code == 401 and lookup.json()["code"] == "10001"


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        BODY.replace("80.00", "80.0").encode(),
        # full-width digits look like an amount to a person, never to a bank interface
        BODY.replace("80.00", "８０.００").encode(),
        BODY.replace('"T"', '"T\\u0000"').encode(),
    ],
)
def test_10002_a_malformed_message(client, looking_bank, body):
    refused(
        client,
        lambda: looking_bank._send("POST", "/api/v1/bank/payments", body),
        rc.MALFORMED,
        "invalid_request",
    )


def test_10002_a_body_over_64_kib_is_a_413(client, looking_bank):
    body = b'{"bank_txn_id": "' + b"x" * (65 * 1024) + b'"}'
    response = looking_bank._send("POST", "/api/v1/bank/payments", body)
    assert response.status_code == 413 and response.json()["code"] == "10002"


def test_11001_no_notice_with_this_code(client, looking_bank, looked_up):
    never_issued = make_payment_code("430321", 2026, 99_999)
    send = lambda: looking_bank.pay(**callback(looked_up, payment_code=never_issued))  # noqa: E731
    refused(client, send, rc.NO_SUCH_NOTICE, "unknown_payment_code")
    refused(client, lambda: looking_bank.lookup(never_issued), rc.NO_SUCH_NOTICE, "unknown_payment_code")


def test_11002_check_digits_that_fail(client, looking_bank, looked_up):
    code = looked_up["payment_code"]
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    send = lambda: looking_bank.pay(**callback(looked_up, payment_code=wrong))  # noqa: E731
    refused(client, send, rc.CHECK_DIGITS_FAIL, "unknown_payment_code")
    refused(client, lambda: looking_bank.lookup(wrong), rc.CHECK_DIGITS_FAIL, "unknown_payment_code")


def test_11003_a_notice_past_its_due_date(client, looking_bank, looked_up):
    with client.app.state.engine.begin() as db:
        db.execute(
            text("UPDATE notices SET due_date = :day"), {"day": datetime.now(UTC).date() - timedelta(days=2)}
        )
    refused(client, lambda: looking_bank.pay(**callback(looked_up)), rc.NOTICE_OVERDUE, "notice_not_payable")


def test_11003_an_expired_notice(client, cli, looking_bank, looked_up):
    cli("notices", "expire", "--date", "2099-01-01")
    refused(client, lambda: looking_bank.pay(**callback(looked_up)), rc.NOTICE_OVERDUE, "notice_not_payable")


def test_11004_a_voided_notice(client, tokens, looking_bank, looked_up):
    client.post(
        f"/api/v1/notices/{looked_up['payment_code']}/void",
        json={"reason": "作废"},
        headers=bearer(tokens["clerk"]),
    )
    refused(client, lambda: looking_bank.pay(**callback(looked_up)), rc.NOTICE_VOIDED, "notice_not_payable")


def test_12001_a_notice_another_transaction_paid(client, looking_bank, looked_up):
    assert looking_bank.pay(**callback(looked_up, bank_txn_id="TXN-FIRST")).status_code == 200
    send = lambda: looking_bank.pay(**callback(looked_up, bank_txn_id="TXN-SECOND"))  # noqa: E731
    refused(client, send, rc.ALREADY_PAID, "notice_not_payable")


def test_12001_a_late_callback_for_a_notice_paid_from_the_statement_is_a_200(
    client, tokens, cli, looking_bank, looked_up, settings, tmp_path
):
    day = datetime.now(settings.zone).date()
    statement = tmp_path / "special.csv"
    statement.write_text(
        "账号,交易时间,借方发生额,贷方发生额,余额,对方户名,对方账号,摘要,流水号\n"
        f'{SPECIAL},{day} 10:00:00,,"{looked_up["amount"]}",,示范市星河商贸有限公司,6222,'
        f"缴款码{looked_up['payment_code']},SER-1\n",
        encoding="utf-8",
    )
    assert cli("accounts", "add", SPECIAL, "--kind", "special").exit_code == 0
    assert cli("reconcile", "--statement", str(statement), "--date", day.isoformat()).exit_code == 0
    assert (
        client.get(f"/api/v1/notices/{looked_up['payment_code']}", headers=bearer(tokens["clerk"])).json()[
            "status"
        ]
        == "paid"
    )
    payments = business_rows(client)["payments"]

    body = callback(looked_up, bank_txn_id="TXN-LATE")
    late = looking_bank.pay(**body)
    assert late.status_code == 200, late.text
    assert late.json()["result"] == "duplicate" and late.json()["code"] == "12001"
    assert late.json()["notice_status"] == "paid"
    retried = looking_bank.pay(**body)
    assert retried.status_code == 200 and retried.json()["code"] == "12001", "a retry gets the same answer"
    rows = business_rows(client)
    assert rows["payments"] == payments and rows["late_callbacks"] == 1, "linked, not paid twice"
    entries = client.get(
        f"/api/v1/audit?object_id={looked_up['payment_code']}", headers=bearer(tokens["auditor"])
    ).json()
    assert "payment.late_callback" in {entry["action"] for entry in entries}

    different = looking_bank.pay(**(body | {"amount": "1.00"}))
    assert different.status_code == 409 and different.json()["code"] == "13001"


def test_12002_a_confirm_code_that_differs(client, looking_bank, looked_up):
    send = lambda: looking_bank.pay(**callback(looked_up, confirm_code="WRONG123"))  # noqa: E731
    refused(client, send, rc.CONFIRM_CODE_DIFFERS, "confirm_code_mismatch")


def test_12003_a_receiving_account_that_is_not_a_special_account(client, cli, looking_bank, looked_up):
    assert cli("accounts", "add", SPECIAL, "--kind", "special").exit_code == 0
    send = lambda: looking_bank.pay(**callback(looked_up, account="6222000000000001"))  # noqa: E731
    refused(client, send, rc.ACCOUNT_DIFFERS, "account_not_special")
    named = looking_bank.pay(**callback(looked_up, account="4305-0162-3608-0000-0001"))
    assert named.status_code == 200 and named.json()["code"] == "00000", "the special account, as written"


def test_12004_an_amount_that_differs(client, looking_bank, looked_up):
    refused(
        client,
        lambda: looking_bank.pay(**callback(looked_up, amount="1.00")),
        rc.AMOUNT_DIFFERS,
        "amount_mismatch",
    )


def test_12005_a_payment_for_a_notice_this_bank_never_looked_up(client, looking_bank, issue):
    notice = issue()
    body = {"bank_txn_id": "TXN-NL", "payment_code": notice["payment_code"], "amount": notice["amount"]}
    send = lambda: looking_bank.pay(**body, paid_at=datetime.now(UTC))  # noqa: E731
    refused(client, send, rc.NOT_LOOKED_UP, "lookup_required")


def test_a_bank_registered_without_lookups_pays_without_one(client, bank, issue):
    notice = issue()
    paid = bank.pay("TXN-NOLOOKUP", notice["payment_code"], notice["amount"], datetime.now(UTC))
    assert paid.status_code == 200 and paid.json()["code"] == "00000"


def test_12006_a_payment_dated_after_the_lookup_window_closed(client, looking_bank, looked_up):
    with client.app.state.engine.begin() as db:
        db.execute(
            text("UPDATE notice_lookups SET expires_at = :at"),
            {"at": datetime.now(UTC) - timedelta(minutes=1)},
        )
    send = lambda: looking_bank.pay(**callback(looked_up))  # noqa: E731
    refused(client, send, rc.DATE_OUT_OF_WINDOW, "paid_at_out_of_window")


def test_12006_a_payment_dated_long_before_the_lookup(client, looking_bank, looked_up):
    backdate_notice(client, looked_up["payment_code"], datetime.now(UTC) - timedelta(days=1))
    earlier = datetime.now(UTC) - timedelta(minutes=11)
    send = lambda: looking_bank.pay(**callback(looked_up, paid_at=earlier))  # noqa: E731
    response = refused(client, send, rc.DATE_OUT_OF_WINDOW, "paid_at_out_of_window")
    assert "lookup" in response.json()["detail"]
    nine_minutes = looking_bank.pay(**callback(looked_up, paid_at=datetime.now(UTC) - timedelta(minutes=9)))
    assert nine_minutes.status_code == 200, "clocks drift: ten minutes before the lookup is allowed"


def test_13001_the_same_transaction_id_with_another_body(client, looking_bank, looked_up):
    first = callback(looked_up)
    assert looking_bank.pay(**first).status_code == 200
    send = lambda: looking_bank.pay(**(first | {"paid_at": first["paid_at"] + timedelta(seconds=1)}))  # noqa: E731
    refused(client, send, rc.TXN_ID_CONFLICT, "conflict")


def test_every_code_of_the_table_is_sent_by_a_test_here():
    from pathlib import Path

    source = Path(__file__).read_text(encoding="utf-8")
    for answer in rc.BANK_ANSWERS:
        assert f"def test_{answer.code}_" in source, answer.code


def test_the_openapi_document_lists_the_codes(client):
    document = client.get("/openapi.json").json()
    assert set(document["components"]["schemas"]["Error"]["properties"]["code"]["enum"]) == {
        answer.code for answer in rc.BANK_ANSWERS if answer.http_status != 200
    }
    refusals = document["paths"]["/api/v1/bank/payments"]["post"]["responses"]["422"]["description"]
    assert all(
        answer.code in refusals
        for answer in rc.BANK_ANSWERS
        if answer.http_status == 422 and answer is not rc.MALFORMED
    )
