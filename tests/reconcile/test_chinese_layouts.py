"""Chinese bank exports beyond the layouts of round 1: China Merchants Bank's personal export (its
source project's expected parse), and an unknown bank's export read through the usual synonyms."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from feecollect.reconcile.statements import read_statements

CMB = Path(__file__).parent / "samples" / "cn" / "cmb_debit.csv"


def test_cmb_personal_export_gives_what_its_source_project_expects():
    (statement,) = read_statements(CMB.name, CMB.read_bytes())
    assert statement.format == "csv:cmb-personal"
    # cmb_debit.golden.beancount: date, payee, amount of each of its five transactions.
    assert sorted((x.booked_on, x.counterparty_name, x.amount_fen) for x in statement.lines) == [
        (date(2024, 1, 1), "北京住房公积金管理中心1111111111", 123400),
        (date(2024, 1, 1), "张三 66666666666666", -100000),
        (date(2024, 1, 20), "", -100000),
        (date(2024, 1, 23), "抖音电商商家888888888", -1014),
        (date(2024, 1, 27), "国网电力有限公司99999999999999", -300),
    ]
    assert "01月01日约定提取" in statement.lines[0].remark


def test_an_unknown_banks_export_with_the_usual_headers_is_read_by_synonyms():
    text = (
        "某某银行账户交易明细\n"
        "记账日期,收入金额,支出金额,账户余额,对方账户名称,对方账户,备注,交易流水号\n"
        "2026-11-21,570.00,,1570.00,示范市星河商贸有限公司,6217000010001234567,缴款码 43032126000000000365,X1\n"
    )
    (statement,) = read_statements("x.csv", text.encode("gb18030"))
    (line,) = statement.lines
    assert statement.format == "csv:generic-corporate"
    assert (line.amount_fen, line.counterparty_name, line.counterparty_account, line.serial) == (
        57000,
        "示范市星河商贸有限公司",
        "6217000010001234567",
        "X1",
    )
    assert line.balance_fen == 157000 and "43032126000000000365" in line.remark
