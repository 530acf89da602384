"""Chinese bank exports beyond the layouts of round 1: China Merchants Bank's personal export (its
source project's expected parse), and an unknown bank's export read through the usual synonyms."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from feecollect.reconcile.statements import StatementError, read_statements

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


def test_a_bank_layout_matches_only_with_its_distinguishing_columns():
    # 交易日期 and 交易金额 alone are ABC's first two columns, and any card bill's: not ABC's layout.
    text = "交易日期,入账日期,交易描述,交易金额\n2024-11-09,2024-11-09,某商户,5.90\n"
    with pytest.raises(StatementError, match="没有已知银行格式的表头"):
        read_statements("x.csv", text.encode())


def test_an_ambiguous_header_is_refused_naming_the_columns_it_could_not_place():
    text = "交易日期,贷方发生额,借方发生额,发生额,摘要\n2026-11-21,100.00,,100.00,缴款\n"
    with pytest.raises(StatementError, match=r"无法判断 .*发生额") as refused:
        read_statements("x.csv", text.encode())
    assert (refused.value.line, refused.value.field) == (1, "发生额")


def test_cmb_corporate_export_reads_with_times_counterparties_and_serials():
    """The layout of 招商银行's corporate export, GBK, with its metadata rows above the header."""
    header = (
        "交易日,交易时间,起息日,交易类型,借方金额,贷方金额,余额,摘要,流水号,流程实例号,业务名称,用途,"
        "业务参考号,业务摘要,其它摘要,收/付方分行名,收/付方名称,收/付方帐号"
    )
    rows = [
        "户名,示范市财政局非税收入专户",
        "账号,431900000010001",
        header,
        "20261121,093015,20261121,汇入,,1200.00,51200.00,缴款,K0001,,,缴款码 43032126000000000365,,,,长沙,"
        "某某建设有限公司,6222000000000001",
        "20261121,101500,20261121,汇出,50.00,,51150.00,手续费,K0002,,,,,,,,,",
    ]
    (statement,) = read_statements("cmb.csv", "\n".join(rows).encode("gb18030"))
    assert statement.format == "csv:cmb-corporate"
    first, second = statement.lines
    assert (first.booked_on.isoformat(), str(first.booked_at), first.amount_fen) == (
        "2026-11-21",
        "09:30:15",
        120000,
    )
    assert (first.counterparty_name, first.counterparty_account, first.serial) == (
        "某某建设有限公司",
        "6222000000000001",
        "K0001",
    )
    assert "43032126000000000365" in first.remark
    assert (second.amount_fen, second.balance_fen) == (-5000, 5115000)
    # The short export, without 流水号, is the same layout.
    short = "\n".join(
        [
            "交易日,交易时间,借方金额,贷方金额,余额,摘要,收/付方名称,收/付方帐号",
            "20261121,093015,,1.00,1.00,缴款,甲,1",
        ]
    )
    (read,) = read_statements("short.csv", short.encode())
    assert read.format == "csv:cmb-corporate" and read.lines[0].serial == ""
