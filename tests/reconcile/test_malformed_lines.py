"""A statement line that does not read is refused with the file, the line and the field: never dropped
into a balance warning, never swallowed by the line above it, never turned into money going the
other way, and never taken for another line because their serial numbers begin alike."""

from __future__ import annotations

import pytest

from feecollect.reconcile.statements import StatementError, read_statements
from tests.conftest import bearer, row_counts

MT940 = """:20:STMT-1
:25:43050162360800000001
:28C:1/1
:60F:C261120CNY100,00
:61:2611201120C10,00NTRFNONREF
:86:first
{line}
:86:second
:61:2611201120C5,00NTRFNONREF
:86:third
:62F:C261120CNY135,00
"""


@pytest.mark.parametrize(
    ("line", "why"),
    [
        (":61:26112011X0C20,00NTRFNONREF", "不是交易行"),
        (":61:2613401120C20,00NTRFNONREF", "不是日期"),
        (":6l:2611201120C20,00NTRFNONREF", "不是 MT940 标签"),
    ],
)
def test_a_malformed_mt940_statement_line_is_refused_at_its_line(line: str, why: str) -> None:
    with pytest.raises(StatementError) as refused:
        read_statements("day.sta", MT940.format(line=line).encode())
    assert refused.value.line == 7
    assert why in str(refused.value)
    assert "0x" not in str(refused.value) and "(?P<" not in str(refused.value)  # no parser internals


def test_statement_lines_without_a_type_code_are_each_kept() -> None:
    """Some banks leave out the transaction type (N + 3 letters); the parser then wrote each such line
    over the one before it, and the file lost money. Every line stands, and the balances add up."""
    text = MT940.format(line=":61:2611201120C20,00//B2").replace("NTRFNONREF", "")
    (statement,) = read_statements("day.sta", text.encode())
    assert statement.columns.amount_fen == [1000, 2000, 500]
    assert statement.balance_problem() is None


def test_the_same_mt940_file_with_the_line_well_formed_reads_every_line() -> None:
    (statement,) = read_statements("day.sta", MT940.format(line=":61:2611201120C20,00NTRFNONREF").encode())
    assert statement.columns.amount_fen == [1000, 2000, 500]
    assert statement.balance_problem() is None


HEADER = "交易日期,贷方发生额,借方发生额,摘要,流水号\n"


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ('20261120,100.00,,"缴费,S1\n20261120,200.00,,转账,S2\n', 2),  # open until the end of the file
        ('20261120,100.00,,缴费,S1\n20261120,200.00,,"转账,S2\n20261120,300.00,,"缴费,S3\n', 3),
    ],
)
def test_an_unclosed_quote_in_a_csv_export_is_refused_at_its_line(body: str, line: int) -> None:
    with pytest.raises(StatementError, match="引号") as refused:
        read_statements("day.csv", (HEADER + body).encode())
    assert refused.value.line == line


def test_a_negative_amount_in_the_credit_column_is_refused_not_stored_as_a_debit() -> None:
    with pytest.raises(StatementError, match="负数") as refused:
        read_statements("day.csv", (HEADER + "20261120,100.00,,a,S1\n20261120,-300.00,,b,S2\n").encode())
    assert (refused.value.line, refused.value.field) == (3, "贷方发生额")


def test_a_negative_amount_marked_as_a_credit_is_refused() -> None:
    header = "交易日期,交易时间,交易类型,借贷,交易金额,余额,对方账号,对方户名,摘要\n"  # BOCOM's layout
    with pytest.raises(StatementError, match="负数") as refused:
        read_statements("day.csv", (header + "20261120,10:00:00,转账,贷,-300.00,,,,b\n").encode())
    assert (refused.value.line, refused.value.field) == (2, "交易金额")
    (debit,) = read_statements("day.csv", (header + "20261120,10:00:00,转账,借,-300.00,,,,b\n").encode())
    assert debit.columns.amount_fen == [-30000]


SPECIAL = "43050162360800000001"


def test_serials_that_share_their_first_67_characters_are_two_lines(client, tokens, cli) -> None:
    assert cli("accounts", "add", SPECIAL, "--kind", "special").exit_code == 0
    common = "2026112000000000000000000000000000000000000000000000000000000000000000"
    content = (HEADER + f"20261120,100.00,,a,{common}01\n20261120,200.00,,b,{common}02\n").encode()
    finance = bearer(tokens["finance"])
    uploaded = client.post(
        "/api/v1/statements",
        files={"file": ("day.csv", content, "text/csv")},
        data={"account": SPECIAL},
        headers=finance,
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["statements"][0]["new_lines"] == 2
    again = client.post(
        "/api/v1/statements",
        files={"file": ("day.csv", content, "text/csv")},
        data={"account": SPECIAL},
        headers=finance,
    )
    assert again.json()["statements"][0]["new_lines"] == 0


def test_a_refused_upload_writes_nothing(client, tokens, cli) -> None:
    assert cli("accounts", "add", SPECIAL, "--kind", "special").exit_code == 0
    before = row_counts(client)
    refused = client.post(
        "/api/v1/statements",
        files={
            "file": ("day.sta", MT940.format(line=":61:2611201120X20,00NTRFNONREF").encode(), "text/plain")
        },
        data={"account": SPECIAL},
        headers=bearer(tokens["finance"]),
    )
    assert refused.status_code == 422
    assert "day.sta 第 7 行" in refused.json()["detail"]
    assert row_counts(client) == before
