"""Totals rows (合计, 本页合计, 人民币合计) are checked against the lines above them, not refused and
not read as lines."""

from __future__ import annotations

import pytest

from feecollect.reconcile.statements import StatementError, read_statements

HEADER = "交易日期,贷方发生额,借方发生额,摘要\n"


def read(body: str):  # type: ignore[no-untyped-def]
    (statement,) = read_statements("t.csv", (HEADER + body).encode())
    return statement


def test_a_totals_row_that_adds_up_is_checked_and_read_as_no_line():
    statement = read("2026-11-21,100.00,,缴款\n2026-11-21,,30.00,手续费\n合计,100.00,30.00,\n")
    assert [line.amount_fen for line in statement.lines] == [10000, -3000]


def test_page_totals_and_a_file_total_each_add_up_their_own_lines():
    statement = read(
        "2026-11-21,100.00,,a\n本页合计,100.00,0.00,\n2026-11-21,50.00,,b\n本页合计,50.00,0.00,\n"
        "总计,150.00,0.00,\n"
    )
    assert [line.amount_fen for line in statement.lines] == [10000, 5000]


def test_a_totals_row_that_does_not_add_up_refuses_the_file_naming_its_line():
    with pytest.raises(StatementError, match="有明细缺失或被改动") as refused:
        read("2026-11-21,100.00,,a\n2026-11-21,20.00,,b\n人民币合计,100.00,,\n")
    assert (refused.value.line, refused.value.field) == (4, "贷方发生额")


def test_a_line_whose_remark_merely_mentions_a_total_is_a_line():
    statement = read("2026-11-21,100.00,,上月费用合计缴纳款项说明很长\n")
    assert [line.amount_fen for line in statement.lines] == [10000]
