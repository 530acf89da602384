"""The one-form bundle notice (SPEC §8): every fee of a project on one notice, paid once through the bank
contract, held as pre-collected money, billed, and matched by the daily reconciliation."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from tests.conftest import bearer, row_counts
from tests.helpers import project_body

SPECIAL = "43050162360800000001"


def _declare(client, clerk, project_no="P-B-1", **changes):  # type: ignore[no-untyped-def]
    created = client.post("/api/v1/projects", json=project_body(project_no, **changes), headers=clerk)
    assert created.status_code == 201, created.text
    return created.json()


def _balances(client, tokens) -> dict[str, str]:  # type: ignore[no-untyped-def]
    accounts = client.get("/api/v1/ledger/balances", headers=bearer(tokens["auditor"])).json()["accounts"]
    return {a["account"]: a["balance"] for a in accounts}


def test_a_bundle_is_paid_once_into_pre_collected_money_and_billed(client, tokens, bank, cli):
    clerk = bearer(tokens["clerk"])
    project = _declare(client, clerk)
    issued = client.post("/api/v1/projects/P-B-1/bundle", headers=clerk)
    assert issued.status_code == 201, issued.text
    notice = issued.json()
    assert (notice["project_no"], notice["case_no"], notice["status"]) == ("P-B-1", None, "issued")
    assert [line["item"] for line in notice["lines"]] == [fee["item"] for fee in project["fees"]]
    assert len({line["department"]["code"] for line in notice["lines"]}) >= 7
    assert Decimal(notice["amount"]) == sum(Decimal(line["amount"]) for line in notice["lines"])
    infrastructure = next(line for line in notice["lines"] if line["item"] == "JS-PT-001")
    assert (infrastructure["quantity"], infrastructure["rate"]) == ("12000.50", "115.00")  # the lowest rate

    again = client.post("/api/v1/projects/P-B-1/bundle", headers=clerk)
    assert again.status_code == 409 and again.json()["error"] == "notice_exists"

    paid = bank.pay("TXN-BUNDLE-1", notice["payment_code"], notice["amount"], datetime.now(UTC))
    assert paid.status_code == 200 and paid.json()["result"] == "accepted"
    assert _balances(client, tokens) == {"special": notice["amount"], "precollected": f"-{notice['amount']}"}
    assert cli("ledger", "check").exit_code == 0
    shown = client.get(f"/api/v1/notices/{notice['payment_code']}", headers=clerk).json()
    assert shown["status"] == "paid" and shown["bill"] is not None
    bill = client.get(
        f"/api/v1/bills/{shown['bill']['code']}/{shown['bill']['number']}", headers=bearer(tokens["auditor"])
    ).json()["content"]
    # One form, several departments: the centre issues it, and each line names its own department.
    assert bill["InvoicingParty"] == {"Code": "430321", "Name": "示范市政务服务中心"}
    assert [(d["ItemDepartmentCode"], d["ItemDepartment"]) for d in bill["Details"]] == [
        (line["department"]["code"], line["department"]["name"]) for line in notice["lines"]
    ]
    pdf = client.get(f"/api/v1/notices/{notice['payment_code']}.pdf", headers=clerk)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_bundle_on_the_statement_is_matched(client, tokens, bank, cli, tmp_path, settings):
    clerk = bearer(tokens["clerk"])
    _declare(client, clerk)
    notice = client.post("/api/v1/projects/P-B-1/bundle", headers=clerk).json()
    bank.pay("TXN-BUNDLE-2", notice["payment_code"], notice["amount"], datetime.now(UTC))
    day = datetime.now(settings.zone).date()
    amount = f"{Decimal(notice['amount']):,.2f}"
    statement = tmp_path / "special.csv"
    statement.write_text(
        "账号,交易时间,借方发生额,贷方发生额,余额,对方户名,对方账号,摘要,流水号\n"
        f'{SPECIAL},{day} 10:00:00,,"{amount}",,示范市星河房地产开发有限公司,6222,'
        f"缴款码{notice['payment_code']},B1\n",
        encoding="utf-8",
    )
    assert cli("accounts", "add", SPECIAL, "--kind", "special").exit_code == 0
    result = cli("reconcile", "--statement", str(statement), "--date", day.isoformat(), "--json")
    assert result.exit_code == 0, result.output
    assert '"matched": 1' in result.stdout


def test_a_bundle_needs_a_declared_project_and_a_clerk(client, tokens):
    clerk = bearer(tokens["clerk"])
    before = row_counts(client)
    missing = client.post("/api/v1/projects/P-NONE/bundle", headers=clerk)
    assert missing.status_code == 404 and missing.json()["error"] == "unknown_project"
    assert row_counts(client) == before
    _declare(client, clerk)
    for role in ("finance", "auditor"):
        assert client.post("/api/v1/projects/P-B-1/bundle", headers=bearer(tokens[role])).status_code == 403
