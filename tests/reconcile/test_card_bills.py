"""A credit-card bill is not an account statement: its purchases must never be stored as income."""

from __future__ import annotations

from pathlib import Path

import pytest

from feecollect.reconcile.statements import StatementError, read_statements

CITIC = Path(__file__).parent / "samples" / "cn" / "citic_credit.xls"


def test_a_card_bill_is_refused_as_such_naming_where_it_says_so():
    with pytest.raises(StatementError, match="信用卡账单") as refused:
        read_statements(CITIC.name, CITIC.read_bytes())
    assert refused.value.line == 1  # 本期账单明细, above the header


def test_an_account_statement_titled_duizhangdan_is_still_read():
    text = "单位对账单\n交易日期,贷方发生额,借方发生额,摘要\n2026-11-21,100.00,,缴款\n"
    (statement,) = read_statements("dzd.csv", text.encode())
    assert [line.amount_fen for line in statement.lines] == [10000]
