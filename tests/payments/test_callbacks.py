"""The payment callback's responses (SPEC §6) and what each leaves in the ledger."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from feecollect import tasks
from tests.conftest import bearer, row_counts
from tests.helpers import backdate_notice, case_body, register_as_approval_system

PAID_AT = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
ISSUED_AT = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


def business_rows(client) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Row counts without the nonce log: a replay is recorded there, and nowhere else."""
    return {k: v for k, v in row_counts(client).items() if k != "bank_nonces"}


@pytest.fixture
def notice(client, tokens) -> dict:  # type: ignore[type-arg]
    client.post("/api/v1/cases", json=case_body("P-1"), headers=bearer(tokens["clerk"]))
    issued = client.post("/api/v1/cases/P-1/notices", headers=bearer(tokens["clerk"])).json()
    backdate_notice(client, issued["payment_code"], ISSUED_AT)
    return issued


def test_accepted_then_duplicate_then_conflict(client, tokens, bank, notice):
    code, amount = notice["payment_code"], notice["amount"]
    accepted = bank.pay(
        "TXN-1", code, amount, PAID_AT, payer_name="示范市星河商贸有限公司", channel="counter"
    )
    assert accepted.status_code == 200
    assert accepted.json() == {
        "result": "accepted",
        "code": "00000",
        "payment_code": code,
        "bank_txn_id": "TXN-1",
        "amount": amount,
        "paid_at": "2026-11-21T09:30:00Z",
        "notice_status": "paid",
    }
    assert client.get(f"/api/v1/notices/{code}", headers=bearer(tokens["clerk"])).json()["status"] == "paid"
    state = business_rows(client)

    duplicate = bank.pay(
        "TXN-1", code, amount, PAID_AT, payer_name="示范市星河商贸有限公司", channel="counter"
    )
    assert duplicate.status_code == 200 and duplicate.json()["result"] == "duplicate"
    assert duplicate.json()["paid_at"] == "2026-11-21T09:30:00Z"
    assert business_rows(client) == state, "a replay changes nothing"

    everything = row_counts(client)
    conflict = bank.pay("TXN-1", code, amount, PAID_AT + timedelta(seconds=1))
    assert conflict.status_code == 409 and conflict.json()["error"] == "conflict"
    assert row_counts(client) == everything

    balances = {
        a["account"]: a
        for a in client.get("/api/v1/ledger/balances", headers=bearer(tokens["finance"])).json()["accounts"]
    }
    assert balances["special"]["balance"] == amount and balances["special"]["name"] == "财政专户"
    assert (
        balances["revenue:ZRZY"]["balance"] == f"-{amount}"
        and balances["revenue:ZRZY"]["name"] == "自然资源和规划局收入"
    )
    entries = client.get(f"/api/v1/audit?object_id={code}", headers=bearer(tokens["auditor"])).json()
    assert entries[0]["action"] == "notice.paid" and entries[0]["actor"] == "bank:CCB"


def test_a_notice_with_lines_of_several_departments_credits_each(client, tokens, bank):
    body = case_body(
        "P-2",
        department="ZJJ",
        items=[{"item": "JS-PT-001", "quantity": "100"}, {"item": "JS-SB-001", "quantity": "1000"}],
    )
    register_as_approval_system(client, body)  # a clerk bills only their own department's items
    notice = client.post("/api/v1/cases/P-2/notices", headers=bearer(tokens["clerk_zjj"])).json()
    backdate_notice(client, notice["payment_code"], ISSUED_AT)
    assert bank.pay("T-2", notice["payment_code"], notice["amount"], PAID_AT).json()["result"] == "accepted"
    balances = {
        a["account"]: a["balance"]
        for a in client.get("/api/v1/ledger/balances", headers=bearer(tokens["auditor"])).json()["accounts"]
    }
    assert balances == {"special": "12700.00", "revenue:ZJJ": "-11500.00", "revenue:SLJ": "-1200.00"}


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"payment_code": "43032126000000009999"}, "unknown_payment_code"),
        ({"payment_code": "12345678901234567890"}, "unknown_payment_code"),
        ({"amount": "1.00"}, "amount_mismatch"),
        ({"paid_at": datetime(2026, 12, 10, tzinfo=UTC)}, "notice_not_payable"),  # after its due date
        ({"paid_at": ISSUED_AT - timedelta(seconds=1)}, "paid_at_out_of_window"),  # before its issue
        ({"paid_at": datetime(2000, 1, 1, tzinfo=UTC)}, "paid_at_out_of_window"),
        ({"paid_at": "11 minutes from now"}, "paid_at_out_of_window"),
        ({"paid_at": datetime(2099, 6, 1, tzinfo=UTC)}, "paid_at_out_of_window"),
    ],
)
def test_refused_callbacks_record_nothing(client, bank, notice, change, error):
    args = {"payment_code": notice["payment_code"], "amount": notice["amount"], "paid_at": PAID_AT} | change
    if change.get("payment_code") == "43032126000000009999":
        from feecollect.notices.payment_code import make_payment_code

        args["payment_code"] = make_payment_code("430321", 2026, 9999)  # valid check digits, never issued
    if change.get("paid_at") == datetime(2026, 12, 10, tzinfo=UTC):
        with client.app.state.engine.begin() as db:  # due before a paid_at that has already passed
            db.execute(text("UPDATE notices SET due_date = '2026-12-01'"))
        if datetime.now(UTC) < change["paid_at"]:
            args["paid_at"] = datetime.now(UTC)
    if change.get("paid_at") == "11 minutes from now":  # measured when the test runs
        args["paid_at"] = datetime.now(UTC) + timedelta(minutes=11)
    before = row_counts(client)
    response = bank.pay("TXN-X", **args)
    assert response.status_code == 422 and response.json()["error"] == error, response.text
    assert row_counts(client) == before


@pytest.mark.parametrize("state", ["voided", "expired", "paid"])
def test_a_notice_that_is_not_payable_is_refused(client, tokens, bank, notice, cli, state):
    code = notice["payment_code"]
    if state == "voided":
        client.post(f"/api/v1/notices/{code}/void", json={"reason": "作废"}, headers=bearer(tokens["clerk"]))
    elif state == "expired":
        cli("notices", "expire", "--date", "2099-01-01")
    else:
        bank.pay("TXN-FIRST", code, notice["amount"], PAID_AT)
    before = row_counts(client)
    response = bank.pay("TXN-LATE", code, notice["amount"], PAID_AT)
    assert response.status_code == 422 and response.json()["error"] == "notice_not_payable"
    assert state in response.json()["detail"]
    assert row_counts(client) == before


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"not json", "body: Invalid JSON"),
        (
            b'{"bank_txn_id": "T", "payment_code": "1", "amount": "80.0", "paid_at": "2026-11-21T09:30:00Z"}',
            "amount",
        ),
        (
            b'{"bank_txn_id": "T", "amount": "80.00", "paid_at": "2026-11-21T09:30:00Z"}',
            "payment_code: Field required",
        ),
    ],
)
def test_malformed_bodies_are_a_422_after_the_signature_is_checked(client, bank, body, fragment):
    before = row_counts(client)
    response = bank._send("POST", "/api/v1/bank/payments", body)
    assert response.status_code == 422 and response.json()["error"] == "invalid_request"
    assert fragment in response.json()["detail"]
    assert row_counts(client) == before


def test_a_paid_at_without_time_zone_is_the_centre_time(client, bank, notice):
    code, amount = notice["payment_code"], notice["amount"]
    body = {"bank_txn_id": "T-N", "payment_code": code, "amount": amount, "paid_at": "2026-11-21T09:30:00"}
    response = bank._send("POST", "/api/v1/bank/payments", json.dumps(body).encode())
    assert response.json()["paid_at"] == "2026-11-21T01:30:00Z"


def test_follow_up_tasks_are_sent_only_after_the_payment_commits(client, bank, notice, monkeypatch):
    sent: list[tuple[str, bool]] = []

    class Recorder:
        name = "test.follow_up"

        def apply_async(self, args):  # type: ignore[no-untyped-def]
            with client.app.state.engine.connect() as connection:  # a new connection sees only committed rows
                visible = connection.execute(
                    text("SELECT count(*) FROM payments WHERE id = :id"), {"id": args[0]}
                ).scalar()
            sent.append((args[0], visible == 1))

    monkeypatch.setattr(tasks, "issue_bill", Recorder())
    assert bank.pay("T-F", notice["payment_code"], "1.00", PAID_AT).status_code == 422
    assert sent == [], "a refused payment sends nothing"
    assert bank.pay("T-F", notice["payment_code"], notice["amount"], PAID_AT).status_code == 200
    assert len(sent) == 1 and sent[0][1], "the task is sent once, after the payment is committed"
    bank.pay("T-F", notice["payment_code"], notice["amount"], PAID_AT)
    assert len(sent) == 1, "a duplicate sends nothing"


def test_ledger_check_passes_and_finds_a_tampered_posting(client, bank, notice, cli):
    bank.pay("T-L", notice["payment_code"], notice["amount"], PAID_AT)
    assert cli("ledger", "check").output.strip() == "账簿平衡：各项不变式均成立"
    balance = cli("ledger", "balance", "--json")
    assert '"account": "special"' in balance.output
    with client.app.state.engine.begin() as connection:
        connection.execute(
            text("UPDATE ledger_postings SET amount_fen = amount_fen + 1 WHERE account = 'special'")
        )
    result = cli("ledger", "check")
    assert result.exit_code == 1
    assert "sums to 1 fen, not 0" in result.output and "posted to the special account" in result.output
