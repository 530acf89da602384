"""The daily reconciliation end to end: cases, notices and callbacks through the API, a special-account
statement and a department-account statement holding every exception class twice beside clean
matches; the exact SPEC §10 summary, the evidence, and re-runs and re-imports that change nothing."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, time, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import text, update

from feecollect.notices.models import Notice
from feecollect.reconcile.matching import EXCEPTION_CLASSES
from feecollect.reconcile.report import CLASS_NAMES
from tests.conftest import bearer, row_counts
from tests.helpers import USCC_2, case_body

SPECIAL = "43050162360800000001"
DEPARTMENT = "1901000009200012345"
HEADER = (
    "账号,账户名称,交易时间,借方发生额（支取）,贷方发生额（收入）,余额,币种,对方户名,对方账号,"
    "对方开户机构,记账日期,摘要,备注,账户明细编号-交易流水号\n"
)


def special_row(serial: int, day, amount: str, name: str, remark: str, debit: bool = False) -> str:
    quoted = f'"{amount}"'  # thousands separators sit inside quotes, as banks export them
    credit, debit_cell = ("", quoted) if debit else (quoted, "")
    return (
        f"{SPECIAL},示范市财政局非税收入财政专户,{day:%Y%m%d} 10:{serial % 60:02d}:00,{debit_cell},{credit},,"
        f"人民币,{name},6217000010001234567,建行示范支行,{day:%Y%m%d},缴款,{remark},S{serial:06d}\n"
    )


@pytest.fixture
def world(client, tokens, bank, cli, settings):  # type: ignore[no-untyped-def]
    """Everything a day of the centre holds; returns the day, the notices and the statement files."""
    day = datetime.now(settings.zone).date()
    # A callback may not be dated after now (SPEC §6): at 02:00 the day's payments came in before then.
    paid_at = min(datetime.combine(day, time(9, 0), settings.zone), datetime.now(settings.zone))
    clerk = bearer(tokens["clerk"])

    def notice(case_no: str, **body) -> dict:  # type: ignore[no-untyped-def, type-arg]
        assert client.post("/api/v1/cases", json=case_body(case_no, **body), headers=clerk).status_code == 201
        return client.post(f"/api/v1/cases/{case_no}/notices", headers=clerk).json()

    n = {
        name: notice(name) for name in ("OK1", "OK2", "DP1", "DP2", "PW1", "PW2", "AM1", "AM2", "MS1", "MS2")
    }
    n["OD1"] = notice("OD1", name="示范市逾期一号公司")
    n["OD2"] = notice("OD2", name="示范市逾期二号公司")
    n["CX1"], n["CX2"] = notice("CX1"), notice("CX2")
    with client.app.state.engine.begin() as db:  # issued two days ago, so that yesterday's payments fit
        db.execute(update(Notice).values(issued_at=paid_at - timedelta(days=2)))
    for name in ("OK1", "OK2", "DP1", "DP2"):
        assert (
            bank.pay(f"T-{name}", n[name]["payment_code"], "570.00", paid_at).json()["result"] == "accepted"
        )
    for name in ("MS1", "MS2"):  # paid the day before, never on the statement
        bank.pay(f"T-{name}", n[name]["payment_code"], "570.00", paid_at - timedelta(days=1))
    for case_no in ("FO1", "FO2"):  # completed, never paid through the centre
        client.post("/api/v1/cases", json=case_body(case_no), headers=clerk)
        assert client.post(f"/api/v1/cases/{case_no}/complete", headers=clerk).status_code == 200
    client.post("/api/v1/cases", json=case_body("CO1", name="示范市体外一号公司"), headers=clerk)
    client.post(
        "/api/v1/cases", json=case_body("CO2", name="示范市体外二号公司", id_no=USCC_2), headers=clerk
    )

    with client.app.state.engine.begin() as db:
        # Notices issued weeks ago and never paid; a paid notice priced above the lowest rate and two
        # billing an item abolished in 2017 (as legacy data or a tampered row would show them).
        db.execute(
            text("UPDATE notices SET due_date = :due WHERE payment_code IN (:a, :b)"),
            {"due": day - timedelta(days=3), "a": n["OD1"]["payment_code"], "b": n["OD2"]["payment_code"]},
        )
        db.execute(
            text(
                "UPDATE notice_lines SET rate = '600.00' WHERE line_no = 1 AND notice_id = "
                "(SELECT id FROM notices WHERE payment_code = :c)"
            ),
            {"c": n["OK2"]["payment_code"]},
        )
        db.execute(
            text(
                "UPDATE notice_lines SET item_code = 'JS-QG-001' WHERE line_no = 1 AND notice_id IN "
                "(SELECT id FROM notices WHERE payment_code IN (:a, :b))"
            ),
            {"a": n["CX1"]["payment_code"], "b": n["CX2"]["payment_code"]},
        )

    rows = [
        special_row(1, day, "570.00", "示范市星河商贸有限公司", f"缴款码:{n['OK1']['payment_code']}"),
        special_row(
            2,
            day,
            "570.00",
            "示范市星河商贸有限公司",
            " ".join(n["OK2"]["payment_code"][i : i + 4] for i in range(0, 20, 4)),
        ),
        special_row(3, day, "570.00", "示范市星河商贸有限公司", n["DP1"]["payment_code"]),
        special_row(4, day, "570.00", "示范市星河商贸有限公司", n["DP1"]["payment_code"]),
        special_row(5, day, "570.00", "示范市星河商贸有限公司", n["DP2"]["payment_code"]),
        special_row(6, day, "570.00", "示范市星河商贸有限公司", n["DP2"]["payment_code"]),
        special_row(7, day, "570.00", "示范市星河商贸有限公司", n["PW1"]["payment_code"]),
        special_row(8, day, "570.00", "示范市星河商贸有限公司", n["PW2"]["payment_code"]),
        special_row(9, day, "500.00", "示范市星河商贸有限公司", n["AM1"]["payment_code"]),
        special_row(10, day, "1,570.00", "示范市星河商贸有限公司", n["AM2"]["payment_code"]),
        special_row(11, day, "570.00", "示范市逾期一号公司", "缴费"),
        special_row(12, day, "88.00", "某某", "43032126000000000366"),  # 20 digits, check digits fail
        special_row(13, day, "12.00", "", "手续费", debit=True),
    ]
    special = ("中国建设银行账户明细\n账号:," + SPECIAL + "\n" + HEADER + "".join(rows)).encode("gbk")
    department = (
        "[HISTORYDETAIL]\n凭证号,交易时间,对方单位,对方账号,转入金额,转出金额,余额,用途,摘要,附言\n"
        f"D001,{day} 11:00:00,示范市体外一号公司,6222000011112222,570.00,,,不动产登记,转账,\n"
        f"D002,{day} 11:05:00,王五,6222000011113333,600.00,,,登记费,转账,{USCC_2}\n"
        f"D003,{day} 11:10:00,示范市某单位,6222000011114444,3000.00,,,往来款,转账,\n"
    ).encode("utf-8-sig")
    assert cli("accounts", "add", SPECIAL, "--kind", "special", "--bank", "中国建设银行").exit_code == 0
    added = cli("accounts", "add", DEPARTMENT, "--kind", "department", "--department", "ZRZY")
    assert added.exit_code == 0, added.output
    return {"day": day, "notices": n, "special": special, "department": department}


def run_cli(cli, tmp_path, world, *extra):  # type: ignore[no-untyped-def]
    path = tmp_path / "special.csv"
    path.write_bytes(world["special"])
    result = cli("reconcile", "--statement", str(path), "--date", world["day"].isoformat(), "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout[result.stdout.index("{") :])


def test_every_class_twice_beside_clean_matches(client, tokens, cli, world, tmp_path):
    finance = bearer(tokens["finance"])
    uploaded = client.post(
        "/api/v1/statements",
        files={"file": ("dept.csv", world["department"], "text/csv")},
        data={"account": DEPARTMENT},
        headers=finance,
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["statements"][0] | {"warnings": []} == {
        "source": "dept.csv",
        "format": "csv:icbc-corporate",
        "account": DEPARTMENT,
        "lines": 3,
        "new_lines": 3,
        "first_date": world["day"].isoformat(),
        "last_date": world["day"].isoformat(),
        "warnings": [],
    }

    summary = run_cli(cli, tmp_path, world, "--report", str(tmp_path / "report.xlsx"))
    assert summary == {
        "date": world["day"].isoformat(),
        "matched": 6,
        "exceptions": dict.fromkeys(EXCEPTION_CLASSES, 2),
    }

    # The notices the bank never called back are paid from the statement, with their bills.
    for name in ("PW1", "PW2"):
        code = world["notices"][name]["payment_code"]
        shown = client.get(f"/api/v1/notices/{code}", headers=bearer(tokens["clerk"])).json()
        assert shown["status"] == "paid" and shown["bill"] is not None
        bill = client.get(f"/api/v1/bills/{shown['bill']['code']}/{shown['bill']['number']}", headers=finance)
        # The bank's serial of the line that proved the payment, not an id of this service.
        assert re.fullmatch(r"S\d{6}", bill.json()["content"]["MainExt"]["BankTxnId"])
    assert cli("ledger", "check").exit_code == 0

    found = client.get(f"/api/v1/reconciliations/{world['day']}/exceptions?limit=100", headers=finance).json()
    assert found["total"] == 20
    by_class: dict[str, list[dict]] = {}  # type: ignore[type-arg]
    for item in found["items"]:
        by_class.setdefault(item["class"], []).append(item)
    filtered = client.get("/api/v1/exceptions?class=amount_mismatch&limit=1&offset=1", headers=finance).json()
    assert (filtered["total"], len(filtered["items"]), filtered["items"][0]["class"]) == (
        2,
        1,
        "amount_mismatch",
    )
    mismatch = {e["evidence"]["payment_code"]: e for e in by_class["amount_mismatch"]}
    am2 = mismatch[world["notices"]["AM2"]["payment_code"]]
    assert (am2["amount"], am2["evidence"]["expected"]) == ("1570.00", "570.00")
    assert am2["links"]["statement_line"].startswith("/api/v1/statement-lines/")
    line = client.get(am2["links"]["statement_line"], headers=finance).json()
    assert (line["account"], line["amount"], line["serial"]) == (SPECIAL, "1570.00", "S000010")
    unidentified = {e["amount"]: e for e in by_class["unidentified_credit"]}
    assert unidentified["570.00"]["evidence"]["suggested_notice"] == world["notices"]["OD1"]["payment_code"]
    assert "43032126000000000366" not in json.dumps(unidentified["88.00"]["evidence"]["payment_code"] or "")
    outside = sorted(e["evidence"]["case_no"] for e in by_class["collected_outside_centre"])
    assert outside == ["CO1", "CO2"]
    assert sorted(e["evidence"]["case_no"] for e in by_class["fee_outside_centre"]) == ["FO1", "FO2"]
    over = sorted(e["amount"] for e in by_class["over_standard"])
    assert over == ["550.00", "600.00"]
    assert {e["evidence"]["item"] for e in by_class["cancelled_item"]} == {"JS-QG-001"}
    assert sorted(e["evidence"]["payment_code"] for e in by_class["missing_on_statement"]) == sorted(
        world["notices"][k]["payment_code"] for k in ("MS1", "MS2")
    )
    assert sorted(e["evidence"]["case_no"] for e in by_class["overdue_unpaid"]) == ["OD1", "OD2"]
    # The national classes of the day-end check (SPEC §15), beside the centre's own.
    national = {name: {e["national_code"] for e in items} for name, items in by_class.items()}
    assert national["amount_mismatch"] == {"15001"}
    assert national["missing_on_statement"] == {"15002"}
    assert national["paid_without_callback"] == {"15003"}
    assert national["unidentified_credit"] == {None}

    # The report: a summary sheet and one sheet per class, amounts as numbers.
    workbook = load_workbook(tmp_path / "report.xlsx")
    assert workbook.sheetnames[:2] == ["汇总", "对账单"]
    assert len(workbook.sheetnames) == 2 + len(EXCEPTION_CLASSES)
    summary_rows = {
        row[1]: row for row in workbook["汇总"].iter_rows(min_row=2, max_row=11, values_only=True)
    }
    assert summary_rows["amount_mismatch"][2] == 2 and summary_rows["amount_mismatch"][3] == 2070
    assert workbook["汇总"]["E1"].value == "国家对账代码"
    assert summary_rows["paid_without_callback"][4] == "15003" and summary_rows["over_standard"][4] is None
    assert (
        workbook["金额不符"].freeze_panes == "A2" and workbook["金额不符"]["C2"].number_format == "#,##0.00"
    )
    # Finance staff read each exception in Chinese, naming the notice, case or item it is about.
    for name in EXCEPTION_CLASSES:
        sheet = workbook[CLASS_NAMES[name]]
        said = {row[0]: row[11] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] != "合计"}
        for exception in by_class[name]:
            text = said[exception["id"]]
            assert re.search(r"[\u4e00-\u9fff]", text) and not re.search(r"[A-Za-z]{4,}", text), text
            named = [v for k in ("payment_code", "case_no", "item") if (v := exception["evidence"].get(k))]
            assert not named or any(value in text for value in named), (name, text)
    mismatch = workbook["金额不符"]["L2"].value
    assert "应缴 " in mismatch and "银行入账 " in mismatch
    # What an auditor asks of the workbook: totals, the statement's own sums and balance, the bank's
    # serial and the payer beside each exception, real date cells, columns wide enough to read.
    summary_sheet = workbook["汇总"]
    total_row = next(row for row in summary_sheet.iter_rows(values_only=True) if row[0] == "合计")
    assert total_row[2] == sum(len(v) for v in by_class.values())
    day_cell = next(row[1] for row in summary_sheet.iter_rows() if row[0].value == "对账日期")
    assert isinstance(day_cell.value, datetime) and day_cell.number_format == "yyyy-mm-dd"
    statement = list(workbook["对账单"].iter_rows(min_row=2, values_only=True))
    assert statement[-1][0] == "合计" and statement[-1][2] == sum(r[2] for r in statement[:-1])
    mismatched = next(workbook["金额不符"].iter_rows(min_row=2, values_only=True))
    assert mismatched[7] and mismatched[10], "the payer and the bank serial of the statement line"
    assert workbook["金额不符"].column_dimensions["E"].width >= 22, "a 20-digit payment code fits"
    assert workbook["金额不符"].column_dimensions["L"].width >= 40

    # Resolve one; run again with the same inputs: the same summary, ids and resolution, nothing written.
    target = by_class["duplicate_payment"][0]["id"]
    proposed = client.post(
        f"/api/v1/exceptions/{target}/resolve", json={"reason": "银行已退回重复款"}, headers=finance
    )
    assert proposed.status_code == 202 and proposed.json()["status"] == "proposed"
    checker = bearer(tokens["finance_2"])
    approved = client.post(f"/api/v1/proposals/{proposed.json()['id']}/approve", headers=checker)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    before = row_counts(client)
    assert run_cli(cli, tmp_path, world) == summary
    again = client.post("/api/v1/reconciliations", json={"date": world["day"].isoformat()}, headers=finance)
    assert again.status_code == 200 and again.json() == summary
    assert row_counts(client) == before, "a re-run and a re-import change nothing"
    ids = sorted(
        e["id"]
        for e in client.get(
            f"/api/v1/reconciliations/{world['day']}/exceptions?limit=100", headers=finance
        ).json()["items"]
    )
    assert ids == sorted(e["id"] for e in found["items"])
    kept = client.get(f"/api/v1/exceptions/{target}", headers=finance).json()
    assert (kept["status"], kept["resolution"], kept["resolved_by"]) == (
        "resolved",
        "银行已退回重复款",
        "finance",
    )
    twice = client.post(f"/api/v1/exceptions/{target}/resolve", json={"reason": "again"}, headers=finance)
    assert twice.status_code == 409
    shown = client.get(f"/api/v1/reconciliations/{world['day']}", headers=bearer(tokens["auditor"])).json()
    assert shown["matched"] == 6 and shown["open"]["duplicate_payment"] == 1


def test_a_malformed_statement_writes_nothing(client, tokens, world):
    before = row_counts(client)
    broken = world["special"].replace(b"570.00", b"57O.00", 1)
    refused = client.post(
        "/api/v1/statements",
        files=[
            ("file", ("dept.csv", world["department"], "text/csv")),
            ("file", ("special.csv", broken, "text/csv")),
        ],
        data={"account": DEPARTMENT},
        headers=bearer(tokens["finance"]),
    )
    assert refused.status_code == 422 and refused.json()["error"] == "malformed_statement"
    assert refused.json()["detail"].startswith(
        "special.csv 第 4 行（贷方发生额（收入））：「57O.00」不是金额"
    )
    assert row_counts(client) == before


def test_unknown_account_and_unknown_date_are_refused(client, tokens, world):
    finance = bearer(tokens["finance"])
    refused = client.post(
        "/api/v1/statements", files={"file": ("dept.csv", world["department"], "text/csv")}, headers=finance
    )
    assert refused.status_code == 422 and "--account" in refused.json()["detail"]
    missing = client.get("/api/v1/reconciliations/2001-01-01", headers=finance)
    assert missing.status_code == 404 and missing.json()["error"] == "no_reconciliation"


def test_a_clerk_may_not_reconcile(client, tokens, world):
    response = client.post(
        "/api/v1/reconciliations", json={"date": world["day"].isoformat()}, headers=bearer(tokens["clerk"])
    )
    assert response.status_code == 403


def test_overdue_report_per_department(client, tokens, world):
    response = client.get("/api/v1/reports/overdue-notices.xlsx", headers=bearer(tokens["auditor"]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == "汇总"
    (department_sheet,) = workbook.sheetnames[1:]
    rows = list(workbook[department_sheet].iter_rows(min_row=2, values_only=True))
    assert sorted(r[1] for r in rows) == ["OD1", "OD2"] and all(r[5] == 3 for r in rows)
    assert UTC


CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Acct><Id><Othr><Id>{account}</Id></Othr></Id></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">{opening}</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">{closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd></Bal>
<Ntry><Amt Ccy="CNY">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>{day}</Dt></BookgDt>
<AcctSvcrRef>{ref}</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><Dbtr><Nm>张三</Nm></Dbtr></RltdPties>
<RmtInf><Ustrd>缴费</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>"""


def test_balances_and_gaps_between_statements_are_reported_and_reimport_adds_nothing(client, tokens, world):
    finance = bearer(tokens["finance"])

    def upload(name: str, **values: str) -> dict:  # type: ignore[type-arg]
        body = CAMT.format(account=SPECIAL, **values).encode()
        response = client.post(
            "/api/v1/statements", files={"file": (name, body, "application/xml")}, headers=finance
        )
        assert response.status_code == 201, response.text
        return response.json()["statements"][0]

    first = upload("d1.xml", opening="100.00", closing="180.00", amount="80.00", day="2026-11-01", ref="R1")
    assert (first["format"], first["new_lines"], first["warnings"]) == ("camt.053", 1, [])
    state = row_counts(client)
    again = upload(
        "d1-again.xml", opening="100.00", closing="180.00", amount="80.00", day="2026-11-01", ref="R1"
    )
    assert again["new_lines"] == 0 and row_counts(client) == state, "re-importing changes nothing"
    second = upload("d3.xml", opening="200.00", closing="250.00", amount="50.00", day="2026-11-03", ref="R2")
    assert second["warnings"] == [
        f"d3.xml：期初余额 200.00 元，而账户 {SPECIAL} 的上一份对账单（d1.xml，截至 2026-11-01）期末余额为 "
        "180.00 元：两份对账单之间有明细缺失"
    ]
    third = upload("d4.xml", opening="250.00", closing="260.00", amount="20.00", day="2026-11-04", ref="R3")
    assert third["warnings"] == [
        "d4.xml：期初余额 250.00 元加本期发生额 20.00 元为 270.00 元，与期末余额 260.00 元不符："
        "有明细缺失或被改动"
    ]


def test_the_daily_task_reconciles_the_given_day(client, tokens, world):
    from feecollect.tasks import reconcile_previous_day

    summary = reconcile_previous_day(world["day"].isoformat())
    assert summary["date"] == world["day"].isoformat() and set(summary["exceptions"]) == set(
        EXCEPTION_CLASSES
    )
    shown = client.get(f"/api/v1/reconciliations/{world['day']}", headers=bearer(tokens["finance"])).json()
    assert shown["exceptions"] == summary["exceptions"] and shown["run_by"] == "beat"
    from feecollect.tasks import celery_app

    entry = celery_app.conf.beat_schedule["reconcile-previous-day"]
    assert entry["task"] == "feecollect.reconcile.run_day"


@pytest.mark.parametrize("one_line_untimed", [True, False], ids=["one-line-untimed", "all-timed"])
def test_a_run_right_after_its_import_finds_what_a_later_run_finds(
    client, tokens, cli, world, tmp_path, one_line_untimed
):
    """`feecollect reconcile --statement` hands the lines it just stored to the run instead of reading
    them back. Here half the day's lines came in an earlier file and the new file repeats them and
    lists its lines out of time order (with, or without, one line lacking a time): a run started
    afresh from the database must find exactly the same."""
    finance = bearer(tokens["finance"])
    head, _, body = world["special"].decode("gbk").partition(HEADER)
    lines = body.splitlines(keepends=True)
    earlier = (head + HEADER + "".join(lines[:3])).encode("gbk")  # one of DP1's two lines among them
    uploaded = client.post(
        "/api/v1/statements",
        files={"file": ("earlier.csv", earlier, "text/csv")},
        data={"account": SPECIAL},
        headers=finance,
    )
    assert uploaded.status_code == 201 and uploaded.json()["statements"][0]["new_lines"] == 3
    reordered = list(reversed(lines))
    day = world["day"]
    if one_line_untimed:
        reordered[0] = reordered[0].replace(f"{day:%Y%m%d} 10:13:00", f"{day:%Y%m%d}")
    path = tmp_path / "later.csv"
    path.write_bytes((head + HEADER + "".join(reordered)).encode("gbk"))
    result = cli("reconcile", "--statement", str(path), "--date", day.isoformat(), "--json")
    assert result.exit_code == 0, result.output
    assert "13 笔，新增 10 笔" in result.output
    first = json.loads(result.stdout[result.stdout.index("{") :])
    assert first["matched"] == 6 and first["exceptions"]["duplicate_payment"] == 2

    def exceptions() -> list[tuple]:  # type: ignore[type-arg]
        items = client.get(f"/api/v1/reconciliations/{day}/exceptions?limit=100", headers=finance).json()
        return sorted(
            (e["id"], e["class"], json.dumps(e["evidence"], sort_keys=True)) for e in items["items"]
        )

    found, before = exceptions(), row_counts(client)
    again = client.post("/api/v1/reconciliations", json={"date": day.isoformat()}, headers=finance)
    assert again.status_code == 200 and again.json() == first
    assert exceptions() == found and row_counts(client) == before
