"""SPEC §14: `feecollect statements check` reads and validates, writing nothing; `statements import`
stores without reconciling."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import row_counts

MT940 = Path(__file__).resolve().parents[1] / "reconcile" / "samples" / "mt940"


def test_check_tells_each_statement_of_the_file_and_writes_nothing(client, cli):
    before = row_counts(client)
    result = cli("statements", "check", str(MT940 / "wolph_jejik_postfinance.sta"), "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert (found["file"], found["format"]) == ("wolph_jejik_postfinance.sta", "mt940")
    assert found["statements"] == [
        {
            "account": "123456789",
            "currency": "CHF",
            "opening": "0.00",
            "closing": "229.20",
            "first_day": "2013-12-09",
            "last_day": "2013-12-09",
            "lines": 2,
            "credits": 2,
            "credit_total": "229.20",
            "debits": 0,
            "debit_total": "0.00",
            "balanced": True,
        },
        {
            "account": "123456789",
            "currency": "CHF",
            "opening": "229.20",
            "closing": "159.60",
            "first_day": "2013-12-16",
            "last_day": "2013-12-18",
            "lines": 2,
            "credits": 1,
            "credit_total": "10.10",
            "debits": 1,
            "debit_total": "79.90",
            "balanced": False,
        },
    ]
    assert [(w["statement"], w["line"]) for w in found["warnings"]] == [(1, None)]
    assert row_counts(client) == before


def test_check_of_a_file_that_is_no_statement_exits_1_with_the_refusal_alone(tmp_path, cli):
    bad = tmp_path / "notes.csv"
    bad.write_text("日期,说明\n2026-11-21,午餐\n", encoding="utf-8")
    result = cli("statements", "check", str(bad), "--json")
    assert result.exit_code == 1
    refusal = json.loads(result.output)
    assert set(refusal) == {"error", "detail", "line", "field"}
    assert refusal["error"] == "unsupported_statement" and refusal["detail"].startswith("对账单文件无法读取")
    assert "没有已知银行格式的表头" in refusal["detail"]


def test_check_for_people_prints_chinese_and_account_overrides_the_file(cli):
    result = cli("statements", "check", str(MT940 / "rabobank-iban.sta"), "--account", "NL00TEST")
    assert result.exit_code == 0, result.output
    assert "2 份对账单" in result.output and "账户 NL00TEST" in result.output and "余额相符" in result.output


def test_import_stores_each_statement_and_runs_no_reconciliation(client, cli):
    assert cli("accounts", "add", "NL71RABO0123456789", "--kind", "special").exit_code == 0
    result = cli("statements", "import", str(MT940 / "rabobank-iban.sta"), "--json")
    assert result.exit_code == 0, result.output
    stored = json.loads(result.output)["statements"]
    assert [(s["lines"], s["new_lines"], s["first_date"]) for s in stored] == [
        (2, 2, "2013-01-01"),
        (2, 2, "2013-01-08"),
    ]
    counts = row_counts(client)
    assert counts["statement_lines"] == 4 and counts["reconciliation_runs"] == 0
    again = cli("statements", "import", str(MT940 / "rabobank-iban.sta"), "--json")
    assert [s["new_lines"] for s in json.loads(again.output)["statements"]] == [0, 0]


def test_each_kind_of_refusal_has_its_own_code_and_a_chinese_reason(cli):
    samples = Path(__file__).resolve().parents[1] / "reconcile" / "samples"
    for relative, code, reason in [
        ("cn/citic_credit.xls", "not_an_account_statement", "信用卡账单"),
        ("camt/camt054.v2.xml", "unsupported_statement", "不是 camt.053 账户对账单"),
        ("cn/icbc_debit_v2.csv", "malformed_statement", "第 8 行（余额）：「xx,yyyy.zz」不是金额"),
    ]:
        result = cli("statements", "check", str(samples / relative), "--json")
        refusal = json.loads(result.output)
        assert result.exit_code == 1 and refusal["error"] == code and reason in refusal["detail"], relative
