"""A project's whole life (SPEC §8, issue 7): bundle → bank payment → bill → settlement with a top-up on one
project and a refund on another → split → remittance; the auditors' ledger, its workbook, the
cross-project summary and the ledger invariants agree with each other and with the money."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from decimal import Decimal

from openpyxl import load_workbook

from tests.conftest import bearer
from tests.projects.flows import allocations, balances, paid_project, revenue_by_department, settle

SPECIAL = "43050162360800000001"


def _ledger(client, tokens, project_no: str) -> dict:  # type: ignore[type-arg]
    response = client.get(f"/api/v1/projects/{project_no}/ledger", headers=bearer(tokens["auditor"]))
    assert response.status_code == 200, response.text
    return response.json()


def _reconcile_bundle(cli, tmp_path, settings, notice) -> None:  # type: ignore[no-untyped-def]
    day = datetime.now(settings.zone).date()
    statement = tmp_path / "special.csv"
    statement.write_text(
        "账号,交易时间,借方发生额,贷方发生额,余额,对方户名,对方账号,摘要,流水号\n"
        f'{SPECIAL},{day} 10:00:00,,"{Decimal(notice["amount"]):,.2f}",,示范市星河房地产开发有限公司,6222,'
        f"缴款码{notice['payment_code']},SER-1\n",
        encoding="utf-8",
    )
    assert cli("accounts", "add", SPECIAL, "--kind", "special").exit_code == 0
    result = cli("reconcile", "--statement", str(statement), "--date", day.isoformat(), "--json")
    assert result.exit_code == 0, result.output


def test_two_projects_from_bundle_to_treasury(client, tokens, bank, cli, tmp_path, settings):
    bigger = paid_project(client, tokens, bank, "P-L-1")
    smaller = paid_project(client, tokens, bank, "P-L-2")
    assert len({line["department"]["code"] for line in bigger["lines"] if Decimal(line["amount"])}) >= 7
    _reconcile_bundle(cli, tmp_path, settings, bigger)

    grown = settle(client, tokens, "P-L-1", floor_area_m2="15000.50").json()
    top_up = grown["top_up_notice"]
    assert (
        bank.pay("TXN-TOP-UP", top_up["payment_code"], top_up["amount"], datetime.now(UTC)).status_code == 200
    )
    shrunk = settle(client, tokens, "P-L-2", floor_area_m2="9000.50", road_excavation_m2="100").json()
    order = shrunk["refund_order"]
    confirmed = bank.confirm_refund(order["refund_id"], "RTXN-L-2", order["amount"], datetime.now(UTC))
    assert confirmed.status_code == 200, confirmed.text
    assert Decimal(smaller["amount"]) - Decimal(order["amount"]) == Decimal(shrunk["final_amount"])

    # Allocations equal collections per department: what each paid in, less refunds, is what was split.
    settled_total = allocations(grown)
    for department, amount in allocations(shrunk).items():
        settled_total[department] = settled_total.get(department, Decimal(0)) + amount
    assert revenue_by_department(balances(client, tokens)) == settled_total
    for project_no, settled in (("P-L-1", grown), ("P-L-2", shrunk)):
        ledger = _ledger(client, tokens, project_no)
        assert ledger["status"] == "settled" and Decimal(ledger["held"]) == 0
        assert Decimal(ledger["collected"]) - Decimal(ledger["refunded"]) == Decimal(settled["final_amount"])
        for position in ledger["departments"]:
            assert Decimal(position["collected"]) - Decimal(position["refunded"]) == Decimal(
                position["settled"]
            )
            assert Decimal(position["settled"]) == allocations(settled).get(
                position["department"], Decimal(0)
            )
            assert Decimal(position["held"]) == 0

    # The ledger of the first project tells its story with evidence, in order.
    ledger = _ledger(client, tokens, "P-L-1")
    events = [row["event"] for row in ledger["events"]]
    for earlier, later in [
        ("declared", "noticed"),
        ("noticed", "paid"),
        ("paid", "settled"),
        ("settled", "split"),
    ]:
        assert events.index(earlier) < events.index(later)
    assert {"billed", "top_up_noticed"} <= set(events)
    bundle_paid = next(r for r in ledger["events"] if r["event"] == "paid")
    kinds = {e["kind"] for e in bundle_paid["evidence"]}
    assert {"notice", "payment", "statement_line"} <= kinds
    line = next(e for e in bundle_paid["evidence"] if e["kind"] == "statement_line")
    assert client.get(line["url"], headers=bearer(tokens["auditor"])).status_code == 200
    infrastructure = [r for r in ledger["events"] if r["department"] == "ZJJ"]
    assert [r["event"] for r in infrastructure] == ["paid", "paid", "split"]
    assert infrastructure[-1]["held"] == "0.00"
    assert infrastructure[-1]["settled"] == next(
        d["settled"] for d in ledger["departments"] if d["department"] == "ZJJ"
    )
    refunded = _ledger(client, tokens, "P-L-2")
    assert {"refund_approved", "refunded", "bill_reversed", "rebilled"} <= {
        r["event"] for r in refunded["events"]
    }

    # The workbook reads back with the API's totals.
    response = client.get("/api/v1/projects/P-L-2/ledger.xlsx", headers=bearer(tokens["finance"]))
    assert response.status_code == 200
    # Named after its content, in Chinese, with a plain fallback for old clients.
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"P-L-2.xlsx\"; filename*=UTF-8''"
        "%E9%A1%B9%E7%9B%AE%E5%8F%B0%E8%B4%A6-P-L-2.xlsx"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    summary = workbook["汇总"]
    assert [c.value for c in summary[1]][:3] == ["部门代码", "部门名称", "预收金额（元）"]
    assert summary.freeze_panes == "A2" and summary.auto_filter.ref
    total = next(row for row in summary.iter_rows(min_row=2, values_only=True) if row[0] == "合计")
    assert [Decimal(str(v)) for v in total[2:6]] == [
        Decimal(refunded[key]) for key in ("collected", "refunded", "held", "settled")
    ]
    department_sheets = [name for name in workbook.sheetnames if name not in ("汇总", "全部事件")]
    assert len(department_sheets) == len(refunded["departments"]) >= 7
    zjj = workbook[next(name for name in department_sheets if name.startswith("ZJJ"))]
    last = list(zjj.iter_rows(min_row=2, values_only=True))[-1]
    assert Decimal(str(last[5])) == Decimal(
        next(d["settled"] for d in refunded["departments"] if d["department"] == "ZJJ")
    )
    assert zjj.cell(row=2, column=4).number_format == "#,##0.00"

    out = tmp_path / "ledger.xlsx"
    result = cli("projects", "ledger", "P-L-1", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames[:2] == ["汇总", "全部事件"]
    assert cli("projects", "ledger", "P-NONE", "--out", str(out)).exit_code != 0

    # Across projects, by department and month.
    today = datetime.now(settings.zone).date()
    query = {"from": today.replace(day=1).isoformat(), "to": today.isoformat()}
    across = client.get("/api/v1/ledger/projects", params=query, headers=bearer(tokens["auditor"])).json()
    assert Decimal(across["settled"]) == sum(settled_total.values())
    assert Decimal(across["collected"]) - Decimal(across["refunded"]) == Decimal(across["settled"])
    assert {row["month"] for row in across["rows"]} == {f"{today:%Y-%m}"}
    backwards = client.get(
        "/api/v1/ledger/projects",
        params={"from": query["to"], "to": "2020-01-01"},
        headers=bearer(tokens["auditor"]),
    )
    assert backwards.status_code == 422
    sheet = load_workbook(
        io.BytesIO(
            client.get(
                "/api/v1/ledger/projects.xlsx", params=query, headers=bearer(tokens["auditor"])
            ).content
        )
    ).active
    assert Decimal(str(list(sheet.iter_rows(values_only=True))[-1][5])) == Decimal(across["settled"])

    # Remittance to the treasury: shown first, asked for, then everything settled leaves the special
    # account, once.
    before_remitting = balances(client, tokens)
    trial = cli("ledger", "remit", "--date", today.isoformat(), "--dry-run")
    assert trial.exit_code == 0 and "试算（未写入）" in trial.output
    declined = cli("ledger", "remit", "--date", today.isoformat(), input="n\n")
    assert declined.exit_code != 0 and "确认？" in declined.output and "未提议划缴" in declined.output
    assert balances(client, tokens) == before_remitting, "neither the trial nor a refusal moves money"
    proposed = cli("--as", "finance", "ledger", "remit", "--date", today.isoformat(), "--yes", "--json")
    assert proposed.exit_code == 0, proposed.output
    assert balances(client, tokens) == before_remitting, "a proposal moves nothing"
    proposal = json.loads(proposed.stdout)["proposal"]
    own = cli("--as", "finance", "proposals", "approve", str(proposal))
    assert own.exit_code == 1 and balances(client, tokens) == before_remitting
    approved = cli("--as", "finance_2", "proposals", "approve", str(proposal))
    assert approved.exit_code == 0, approved.output
    assert cli("ledger", "check").exit_code == 0
    after = balances(client, tokens)
    assert after["special"] == 0
    assert {
        a.removeprefix("treasury:"): v for a, v in after.items() if a.startswith("treasury:")
    } == settled_total
    again = cli("ledger", "remit", "--date", today.isoformat(), "--yes", "--json")
    assert again.exit_code == 0 and '"to_remit": []' in again.stdout and '"proposal": null' in again.stdout
    assert balances(client, tokens) == after
    departments = client.get("/api/v1/ledger/departments", headers=bearer(tokens["auditor"])).json()[
        "departments"
    ]
    assert all(
        d["held"] == "0.00" and Decimal(d["remitted"]) == settled_total[d["department"]] for d in departments
    )
    assert cli("ledger", "remit", "--date", "not-a-date").exit_code != 0


def test_a_ledger_before_settlement_shows_the_money_held(client, tokens, bank):
    bundle = paid_project(client, tokens, bank, "P-L-3")
    ledger = _ledger(client, tokens, "P-L-3")
    assert (
        ledger["status"] == "declared" and ledger["held"] == bundle["amount"] and ledger["settled"] == "0.00"
    )
    assert client.get("/api/v1/projects/P-NONE/ledger", headers=bearer(tokens["auditor"])).status_code == 404
    assert client.get("/api/v1/projects/P-L-3/ledger", headers=bearer(tokens["clerk"])).status_code == 403
