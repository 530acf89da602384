"""Golden tests per format: file in, statement lines out; and fuzzed files that only ever get the
documented refusal, never another exception."""

from __future__ import annotations

import contextlib
import io
import random
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from feecollect.reconcile.statements import StatementError, detect_format, read_statements

SAMPLES = Path(__file__).parent / "samples"


def sample(relative: str) -> bytes:
    return (SAMPLES / relative).read_bytes()


def lines(statement):  # type: ignore[no-untyped-def]
    return [(x.booked_on, x.amount_fen, x.counterparty_name, x.remark) for x in statement.lines]


def test_camt053_v8_sample():
    (statement,) = read_statements("camt053.v8.xml", sample("camt/camt053.v8.xml"))
    assert (statement.format, statement.account) == ("camt.053", "NL26VAYB8060476890")
    assert lines(statement) == [(date(2015, 1, 2), 885, "NAME NAME", "4654654654654654 MUELL/FINP/RA12345")]
    assert statement.lines[0].serial == "AAAASESS-FP-CN_98765/01" and statement.lines[0].currency == "EUR"
    # The sample's balances do not add up (18.15 + 8.85 ≠ −27.00): reported, not hidden.
    assert "与期末余额 -27.00 元不符" in (statement.balance_problem() or "")


def test_camt053_multi_statement_sample_and_camt054_refused():
    first, second = read_statements("multi.xml", sample("camt/camt053.v2.multi.statement.xml"))
    assert lines(first) == [(date(2014, 12, 31), 885, "", "Transaction Description 1 000000001")]
    assert lines(second)[0][:3] == (date(2014, 12, 31), -700, "Company Name 2")
    assert first.balance_problem() is None and second.balance_problem() is None
    with pytest.raises(StatementError, match=r"BkToCstmrDbtCdtNtfctn 不是 camt\.053"):
        read_statements("camt054.v2.xml", sample("camt/camt054.v2.xml"))


def test_mt940_samples():
    statement = read_statements("sberbank.sta", sample("mt940/sberbank_171011.sta"))[0]
    assert statement.format == "mt940" and statement.account == "1966315302010001"
    assert [x.amount_fen for x in statement.lines][:2] == [-240200, -346000]
    assert statement.opening_balance_fen == 62731130 and statement.closing_balance_fen == 61787430
    assert statement.balance_problem() is None
    citi = read_statements("citi.txt", sample("mt940/citi_mt940.txt"))[0]
    assert (citi.lines[0].booked_on, citi.lines[0].amount_fen, citi.lines[0].currency) == (
        date(2024, 3, 12),
        -21239,
        "USD",
    )
    mbank = read_statements("mt942.sta", sample("mt940/mbank_mt942.sta"))[0]
    assert [x.serial for x in mbank.lines][:2] == ["MB170119012058", "MB170119012085"]


def test_sberbank_amounts_add_up():
    statement = read_statements("sberbank.sta", sample("mt940/sberbank_171011.sta"))[0]
    assert statement.opening_balance_fen + sum(x.amount_fen for x in statement.lines) == 61787430


def test_legacy_xls_sample():
    (statement,) = read_statements("ccb.xls", sample("cn/ccb_交易明细.xls"))
    assert statement.format == "xls:ccb-personal" and len(statement.lines) == 6
    first = statement.lines[0]
    assert (first.booked_on, first.amount_fen, first.counterparty_name, first.balance_fen) == (
        date(2025, 1, 1),
        -6700,
        "中***融科技有限公司",
        217691,
    )


def test_xlsx_with_dates_and_numbers_as_cells():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["中国民生银行对公账户交易明细"])
    sheet.append(
        [
            "交易时间",
            "交易流水号",
            "借方发生额",
            "贷方发生额",
            "账户余额",
            "凭证号",
            "客户附言",
            "对方账号",
            "对方账号名称",
            "对方开户行",
        ]
    )
    sheet.append(
        [
            datetime(2026, 11, 21, 16, 20, 11),
            "M1",
            None,
            1584800.5,
            1584800.5,
            "",
            "缴款码 43032126000000000365",
            "6222",
            "示范市城建置业有限公司",
            "民生银行",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    (statement,) = read_statements("cmbc.xlsx", buffer.getvalue())
    assert statement.format == "xlsx:cmbc-corporate"
    (line,) = statement.lines
    assert (line.booked_on, line.amount_fen, line.serial, line.counterparty_name) == (
        date(2026, 11, 21),
        158_480_050,
        "M1",
        "示范市城建置业有限公司",
    )


def test_bai2_is_named_and_refused():
    assert detect_format(sample("bai2/svb_us_example.bai2")) == "bai2"
    with pytest.raises(StatementError, match="BAI2"):
        read_statements("x.bai2", sample("bai2/svb_us_example.bai2"))


CCB = (
    "账号,账户名称,交易时间,借方发生额（支取）,贷方发生额（收入）,余额,币种,对方户名,对方账号,对方开户机构,记账日期,摘要,备注,账户明细编号-交易流水号\n"
    '4305,专户,20261121 09:31:02,,"1,584,800.00","2,584,800.00",人民币,示范市城建置业有限公司,6217,建行,20261121,缴款,缴款码:43032126000000000365,S1\n'
    '4305,专户,20261121 10:02:13,"1,000.00",,"2,583,800.00",人民币,,,,20261121,手续费,,S2\n'
)


def _mutate(content: str, rng: random.Random) -> bytes:
    rows = content.splitlines()
    choice = rng.randrange(6)
    if choice == 0:  # truncated line
        index = rng.randrange(1, len(rows))
        rows[index] = rows[index][: rng.randrange(len(rows[index]))]
    elif choice == 1:  # bad date
        rows[1] = rows[1].replace(
            "20261121 09:31:02", rng.choice(["2026-13-45", "yesterday", "20261121 25:00:00"])
        )
    elif choice == 2:  # swapped columns
        cells = rows[1].split(",")
        i, j = rng.sample(range(len(cells)), 2)
        cells[i], cells[j] = cells[j], cells[i]
        rows[1] = ",".join(cells)
    elif choice == 3:  # huge number
        rows[1] = rows[1].replace('"1,584,800.00"', rng.choice(["9" * 30, "1e309", "-0.001", "NaN"]))
    text = "\n".join(rows) + "\n"
    if choice == 4:  # wrong encoding: UTF-16, or GBK bytes cut in the middle of a character
        return text.encode("utf-16") if rng.random() < 0.5 else text.encode("gbk")[:-3]
    if choice == 5:  # random bytes flipped
        data = bytearray(text.encode("gbk"))
        for _ in range(rng.randrange(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    return text.encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_fuzzed_csv_statements_raise_only_the_documented_error(seed):
    content = _mutate(CCB, random.Random(seed))
    try:
        statements = read_statements("fuzz.csv", content)
    except StatementError as exc:
        assert str(exc).startswith("fuzz.csv")
        return
    for statement in statements:
        for line in statement.lines:
            assert isinstance(line.amount_fen, int) and abs(line.amount_fen) < 10**15


@settings(max_examples=150, deadline=None)
@given(
    st.binary(max_size=400),
    st.sampled_from(
        [
            b"",
            b"<Document xmlns='camt.053'>",
            b":20:X\n:25:1\n:28C:1\n:61:",
            b"PK\x03\x04",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        ]
    ),
)
def test_fuzzed_bytes_of_every_format_raise_only_the_documented_error(noise, prefix):
    with contextlib.suppress(StatementError):
        read_statements("fuzz.bin", prefix + noise)
