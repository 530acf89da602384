"""Chinese bank CSV exports in, statement lines out: the public samples and corporate-style files."""

from __future__ import annotations

import contextlib
import random
from datetime import date, time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feecollect.reconcile.statements.csv_profiles import load_profiles, read_csv
from feecollect.reconcile.statements.types import StatementError

SAMPLES = Path(__file__).parent / "samples" / "cn"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def summary(statement) -> list[tuple]:  # type: ignore[no-untyped-def, type-arg]
    return [
        (line.booked_on, line.amount_fen, line.counterparty_name, line.remark) for line in statement.lines
    ]


def test_abc_signed_amounts_yyyymmdd_and_placeholders():
    statement = read_csv("abc_debit.csv", sample("abc_debit.csv"))
    assert statement.format == "csv:abc-personal"
    assert summary(statement) == [
        (date(2024, 1, 1), 1_000_000, "哈哈", "转存 转账"),
        (date(2024, 1, 2), -1_000, "微信支付北京一卡通", "财付通 UA01234123412341234微信支付-北京一卡通"),
        (date(2024, 1, 3), -1_234_589, "12341234123412341", "正常还款"),
        (date(2024, 1, 4), 1, "", "结息 个人活期结息"),
        (date(2024, 1, 4), 0, "", "利息税 个人活期结息"),
    ]
    first = statement.lines[0]
    assert (first.booked_at, first.serial, first.balance_fen, first.line_no) == (
        time(12, 34, 56),
        "369396693",
        1_100_000,
        2,
    )


def test_boc_title_row_and_quoted_thousands():
    statement = read_csv("boc_debit.csv", sample("boc_debit.csv"))
    assert statement.format == "csv:boc-personal" and len(statement.lines) == 17
    assert summary(statement)[:3] == [
        (date(2025, 8, 22), -7_189, "张三", "无卡支付"),
        (date(2025, 8, 22), -32_600, "支付宝-李四", "网上快捷支付 支付宝-李四"),
        (date(2025, 8, 22), 5_000, "支付宝-李四", "网上快捷退款 支付宝-李四"),
    ]
    assert (
        statement.lines[0].balance_fen == 324_028
        and statement.lines[0].counterparty_account == "6226******5669"
    )


def test_bocom_direction_column():
    statement = read_csv("bocom_debit.csv", sample("bocom_debit.csv"))
    assert [(line.booked_on, line.amount_fen, line.counterparty_name) for line in statement.lines] == [
        (date(2025, 1, 1), 123, "应付个人活期储蓄存款利息"),
        (date(2024, 2, 2), -321, "哈哈"),
        (date(2024, 3, 3), 2, "应付个人活期储蓄存款利息"),
        (date(2024, 4, 4), 1_000, "哈哈"),
        (date(2024, 5, 5), -1_000, "网上国网"),
        (date(2024, 6, 6), -10_079, "京东肯特瑞基金销售有限公司"),
    ]
    assert statement.lines[3].remark == "其他交易 银联入账(哈哈/其它)转账"


def test_icbc_sample_with_placeholder_balances_is_refused_naming_line_and_field():
    with pytest.raises(
        StatementError, match=r"^icbc_debit_v2\.csv 第 8 行（余额）：「xx,yyyy\.zz」不是金额$"
    ):
        read_csv("icbc_debit_v2.csv", sample("icbc_debit_v2.csv"))


CCB_CORPORATE = """中国建设银行账户明细
账号:,43050162360800000001
账户名称:,示范市财政局非税收入财政专户
起始日期:,20261101,终止日期:,20261130
账号,账户名称,交易时间,借方发生额（支取）,贷方发生额（收入）,余额,币种,对方户名,对方账号,对方开户机构,记账日期,摘要,备注,账户明细编号-交易流水号
43050162360800000001,示范市财政局非税收入财政专户,20261121 09:31:02,,"1,584,800.00","2,584,800.00",人民币,示范市城建置业有限公司,6217000010001234567,建行示范支行,20261121,缴款,缴款码:43032126000000000365,20261121000123
43050162360800000001,示范市财政局非税收入财政专户,20261121 10:02:13,"1,000.00",,"2,583,800.00",人民币,　,,,20261121,手续费,,20261121000124
合计,,,"1,000.00","1,584,800.00",,,,,,,,,
"""


def test_ccb_corporate_gbk_with_metadata_rows():
    statement = read_csv(
        "ccb.csv", CCB_CORPORATE.replace('合计,,,"1,000.00","1,584,800.00",,,,,,,,,\n', "").encode("gbk")
    )
    assert statement.format == "csv:ccb-corporate"
    payment, fee = statement.lines
    assert (payment.line_no, payment.booked_on, payment.booked_at, payment.amount_fen) == (
        6,
        date(2026, 11, 21),
        time(9, 31, 2),
        158_480_000,
    )
    assert payment.remark == "缴款 缴款码:43032126000000000365" and payment.serial == "20261121000123"
    assert (fee.amount_fen, fee.counterparty_name, fee.balance_fen) == (-100_000, "", 258_380_000)


def test_a_totals_row_is_checked_against_the_lines_not_read_as_one():
    statement = read_csv("ccb.csv", CCB_CORPORATE.encode("gb18030"))
    assert [line.amount_fen for line in statement.lines] == [158_480_000, -100_000]
    altered = CCB_CORPORATE.replace('"1,584,800.00",,,,,,,,,', '"1,584,900.00",,,,,,,,,')
    with pytest.raises(StatementError, match=r"ccb\.csv 第 8 行（贷方发生额（收入））：合计行为"):
        read_csv("ccb.csv", altered.encode("gb18030"))


def test_icbc_corporate_marker_row_and_cmbc_metadata_rows():
    icbc = (
        "[HISTORYDETAIL]\n凭证号,交易时间,对方单位,对方账号,转入金额,转出金额,余额,用途,摘要,附言\n"
        "A0001,2026-11-21 14:05:00,张三,6222000011112222,80.00,,180.00,不动产登记,转账,43032126000000000268\n"
    )
    statement = read_csv("icbc.csv", icbc.encode("utf-8-sig"))
    assert statement.format == "csv:icbc-corporate"
    (line,) = statement.lines
    assert (line.amount_fen, line.serial, line.remark) == (
        8_000,
        "A0001",
        "不动产登记 转账 43032126000000000268",
    )
    cmbc = (
        "中国民生银行对公账户交易明细\n账号：0101014170000001\n查询区间：2026-11-01至2026-11-30\n"
        "交易时间,交易流水号,借方发生额,贷方发生额,账户余额,凭证号,客户附言,对方账号,对方账号名称,对方开户行\n"
        "2026/11/21 16:20:11,M778899,,20.00,20.00,,缴款码 4303 2126 0000 0000 0171,6222,示范市星河商贸有限公司,民生银行\n"
    )
    (line,) = read_csv("cmbc.csv", cmbc.encode("gbk")).lines
    assert (line.amount_fen, line.counterparty_name, line.booked_on) == (
        2_000,
        "示范市星河商贸有限公司",
        date(2026, 11, 21),
    )


BOCOM_HEADER = "序号,交易日期,交易时间,交易类型,借贷,交易金额,余额,对方账号,对方户名,交易地点,摘要\n"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "1,2025-13-01,00:00:00,x,贷 Cr,1.00,1.00,1,a,b,",
            r"f\.csv 第 2 行（交易日期）：「2025-13-01」不是日期",
        ),
        (
            "1,2025-01-01,25:00:00,x,贷 Cr,1.00,1.00,1,a,b,",
            r"f\.csv 第 2 行（交易时间）：「25:00:00」不是时间",
        ),
        (
            "1,2025-01-01,00:00:00,x,贷 Cr,1.001,1.00,1,a,b,",
            r"f\.csv 第 2 行（交易金额）：「1.001」不是金额",
        ),
        ("1,2025-01-01,00:00:00,x,收,1.00,1.00,1,a,b,", r"f\.csv 第 2 行（借贷）：「收」既不是收入"),
        ("1,2025-01-01,00:00:00,x,贷 Cr,1e9,1.00,1,a,b,", r"f\.csv 第 2 行（交易金额）：「1e9」不是金额"),
        ("1,2025-01-01,00:00:00,x,贷 Cr,99999999999999999.00,1,1,a,b,", r"超出对账单金额的范围"),
        # A line wrong in several cells is refused for the first, in the order a line is read.
        ("1,2025-13-01,25:00:00,x,收,1.001,x,1,a,b,", r"f\.csv 第 2 行（交易日期）：「2025-13-01」不是日期"),
        ("1,2025-01-01,25:00:00,x,收,1.001,x,1,a,b,", r"f\.csv 第 2 行（交易时间）：「25:00:00」不是时间"),
        ("1,2025-01-01,00:00:00,x,贷,1.001,x,1,a,b,", r"f\.csv 第 2 行（交易金额）：「1.001」不是金额"),
        ("1,2025-01-01,00:00:00,x,收,1.00,x,1,a,b,", r"f\.csv 第 2 行（借贷）：「收」既不是收入"),
        ("1,2025-01-01,00:00:00,x,贷,1.00,x,1,a,b,", r"f\.csv 第 2 行（余额）：「x」不是金额"),
    ],
)
def test_a_malformed_line_refuses_the_file_naming_line_and_field(row, expected):
    with pytest.raises(StatementError, match=expected):
        read_csv("f.csv", (BOCOM_HEADER + row + "\n").encode())


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x00\x01\x02 binary", "不是 UTF-8 或 GBK"),
        ("日期,金额\n2025-01-01,1.00\n".encode(), "没有已知银行格式的表头"),
        (BOCOM_HEADER.encode(), "表头下没有交易明细"),
    ],
)
def test_files_that_are_no_known_statement_are_refused(content, expected):
    with pytest.raises(StatementError, match=expected):
        read_csv("f.csv", content)


def test_every_shipped_profile_loads():
    codes = {profile.code for profile in load_profiles()}
    assert {
        "icbc-personal",
        "icbc-corporate",
        "abc-personal",
        "boc-personal",
        "bocom-personal",
        "ccb-corporate",
        "cmbc-corporate",
    } <= codes


def mutate(content: bytes, seed: int) -> bytes:
    """A seeded mutator: truncations, byte flips, swapped and duplicated lines, other encodings."""
    rng = random.Random(seed)
    text = content.decode("utf-8")
    lines = text.splitlines(keepends=True)
    choice = rng.randrange(6)
    if choice == 0:
        return content[: rng.randrange(len(content))]
    if choice == 1:
        data = bytearray(content)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if choice == 2 and len(lines) > 2:
        i, j = rng.randrange(1, len(lines)), rng.randrange(1, len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        return "".join(lines).encode()
    if choice == 3:
        return text.encode("utf-16")
    if choice == 4:
        columns = lines[min(2, len(lines) - 1)].split(",")
        rng.shuffle(columns)
        lines[min(2, len(lines) - 1)] = ",".join(columns)
        return "".join(lines).encode()
    return text.replace("1", str(10 ** rng.randint(5, 30)), 1).encode("gb18030")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["abc_debit.csv", "boc_debit.csv", "bocom_debit.csv"]), st.integers(0, 10**9))
def test_fuzzed_files_raise_only_the_documented_error(name, seed):
    path = SAMPLES / name
    if not path.exists():
        return
    with contextlib.suppress(StatementError):  # anything else fails the test
        read_csv(name, mutate(path.read_bytes(), seed))


def test_a_file_with_lines_of_two_accounts_is_refused_naming_the_account_column():
    content = (
        "账号,交易时间,借方发生额,贷方发生额,余额,对方户名,对方账号,摘要,流水号\n"
        "43050162360800000001,2026-11-21,,1.00,,张三,,缴费,S1\n"
        "43050162360800000002,2026-11-21,,1.00,,李四,,缴费,S2\n"
    ).encode()
    with pytest.raises(StatementError) as refused:
        read_csv("two.csv", content)
    assert refused.value.field == "账号"
    assert "文件中有多个账户的明细：43050162360800000001、43050162360800000002" in str(refused.value)
