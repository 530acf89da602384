"""Every public sample statement is read as its source project expects, or refused for the right reason.

The files and their source projects' expected parses (``*.golden.*``) are copied under
``samples/`` with their licences (``samples/SOURCES.txt``). Where a golden is machine-readable, the
expectation is taken from it; elsewhere it is written here from the file, as checked by hand.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from feecollect.reconcile.statements import StatementError, read_statements
from feecollect.reconcile.statements.checking import report
from feecollect.reconcile.statements.types import REFUSAL_CODES

SAMPLES = Path(__file__).parent / "samples"


def checked(relative: str) -> list[dict[str, object]]:
    path = SAMPLES / relative
    return report(path.name, read_statements(path.name, path.read_bytes()))["statements"]


def statements(relative: str):  # type: ignore[no-untyped-def]
    path = SAMPLES / relative
    return read_statements(path.name, path.read_bytes())


def every_sample() -> list[str]:
    return sorted(
        str(path.relative_to(SAMPLES))
        for path in SAMPLES.rglob("*")
        if path.is_file() and ".golden." not in path.name and path.name != "SOURCES.txt"
    )


# (account, currency, opening, closing, lines, credits, credit total, debits, debit total) per statement
READ = {
    "mt940/abnamro.sta": [
        ("517852257", "EUR", "3236.28", "876.84", 8, 0, "0.00", 8, "321.44"),
        ("517852257", "EUR", "2876.84", "1849.75", 2, 0, "0.00", 2, "24.49"),
    ],
    "mt940/rabobank-iban.sta": [
        ("NL71RABO0123456789", "EUR", "1000.00", "965.00", 2, 0, "0.00", 2, "35.00"),
        ("NL71RABO0123456789", "EUR", "965.00", "930.00", 2, 0, "0.00", 2, "35.00"),
    ],
    "mt940/sberbank_171011.sta": [
        ("1966315302010001", "HUF", "627311.30", "617874.30", 3, 0, "0.00", 3, "9437.00"),
    ],
    # two of its five lines are zero-amount information lines (BAI codes 025/010)
    "mt940/citi_mt940.txt": [("123456789", "USD", "17376.67", "16233.92", 5, 0, "0.00", 3, "1142.75")],
    # an interim report (MT942): no balances
    "mt940/mbank_mt942.sta": [("PL29114010810000267002001002", "PLN", None, None, 3, 3, "0.03", 0, "0.00")],
    "mt940/php_Kontist.sta": [
        ("DE85110101002482488293", "EUR", "0.15", "395.91", 6, 4, "515.95", 2, "120.19"),
    ],
    # lines without a transaction type code (":61:2011301130CN220000,00//19239782213")
    "mt940/php_Zetb.sta": [("1014365930", "NGN", "6213.05", "2469.14", 8, 1, "220000.00", 7, "223743.91")],
    "mt940/wolph_ASNB_mt940.txt": [
        ("NL81ASNB9999999999", "EUR", "444.29", "379.29", 1, 0, "0.00", 1, "65.00"),
        ("NL81ASNB9999999999", "EUR", "379.29", "577.74", 2, 1, "1000.00", 1, "801.55"),
        ("NL81ASNB9999999999", "EUR", "577.74", "576.09", 1, 0, "0.00", 1, "1.65"),
        ("NL81ASNB9999999999", "EUR", "576.09", "404.81", 2, 1, "828.72", 1, "1000.00"),
        ("NL81ASNB9999999999", "EUR", "404.81", "501.23", 2, 1, "1000.18", 1, "903.76"),
    ],
    "mt940/wolph_jejik_postfinance.sta": [
        ("123456789", "CHF", "0.00", "229.20", 2, 2, "229.20", 0, "0.00"),
        ("123456789", "CHF", "229.20", "159.60", 2, 1, "10.10", 1, "79.90"),
    ],
    # a fragment: one line, no account, no balances
    "mt940/wolph_self-provided_sparkassen.sta": [(None, None, None, None, 1, 1, "30.00", 0, "0.00")],
    "camt/camt053.v2.minimal.xml": [
        ("NL26VAYB8060476890", "EUR", "18.15", "-27.00", 1, 1, "8.85", 0, "0.00"),
    ],
    "camt/camt053.v2.multi.statement.xml": [
        ("NL26VAYB8060476890", "EUR", "18.15", "27.00", 1, 1, "8.85", 0, "0.00"),
        ("NL26VAYB8060476890", "EUR", "27.00", "20.00", 1, 0, "0.00", 1, "7.00"),
    ],
    "camt/camt053.v8.xml": [("NL26VAYB8060476890", "EUR", "18.15", "-27.00", 1, 1, "8.85", 0, "0.00")],
    "cn/abc_debit.csv": [(None, "CNY", None, None, 5, 2, "10000.01", 2, "12355.89")],
    "cn/boc_debit.csv": [(None, "CNY", None, None, 17, 4, "9821.00", 13, "9394.30")],
    "cn/bocom_debit.csv": [(None, "CNY", None, None, 6, 3, "11.25", 3, "114.00")],
    "cn/ccb_交易明细.xls": [(None, "CNY", None, None, 6, 0, "0.00", 6, "703.26")],
    "cn/cmb_debit.csv": [(None, "CNY", None, None, 5, 1, "1234.00", 4, "2013.14")],
}
READ_FROM_GOLDEN = {
    "camt/genkgo_camt053.v2.all-balance-types.xml",
    "camt/genkgo_camt53.only-Dt-with-DtTm.xml",
    "mt940/wolph_betterplace_sepa_mt9401.sta",
}
# (error code, line, field, what the reason says)
REFUSED = {
    "bai2/svb_us_example.bai2": ("unsupported_statement", None, None, "不支持 BAI2"),
    "camt/camt054.v2.xml": ("unsupported_statement", None, None, "不是 camt.053 账户对账单"),
    "cn/citic_credit.xls": ("not_an_account_statement", 1, "本期账单明细(人民币)", "信用卡账单"),
    # The source project's examples put a placeholder where the balance stands ("xx,yyyy.zz"): a real
    # export's balance is an amount, and a balance that is not one means the file is not read right.
    "cn/icbc_debit_v1.csv": ("malformed_statement", 8, "余额", "「xx,yyyy.zz」不是金额"),
    "cn/icbc_debit_v2.csv": ("malformed_statement", 8, "余额", "「xx,yyyy.zz」不是金额"),
}
FIELDS = (
    "account",
    "currency",
    "opening",
    "closing",
    "lines",
    "credits",
    "credit_total",
    "debits",
    "debit_total",
)


def test_every_sample_has_an_expectation():
    assert set(every_sample()) == set(READ) | READ_FROM_GOLDEN | set(REFUSED)


@pytest.mark.parametrize("relative", sorted(READ))
def test_read_as_expected(relative):
    found = [tuple(statement[name] for name in FIELDS) for statement in checked(relative)]
    assert found == READ[relative]


@pytest.mark.parametrize("relative", sorted(REFUSED))
def test_refused_for_the_right_reason(relative):
    code, line, field, reason = REFUSED[relative]
    with pytest.raises(StatementError) as refused:
        statements(relative)
    assert (refused.value.code, refused.value.line, refused.value.field) == (code, line, field)
    assert reason in refused.value.reason
    assert refused.value.code in REFUSAL_CODES


# camt.053: genkgo/camt's DTO dump (records with account, typed balances and entries)


def _genkgo_fen(money: dict[str, object]) -> int:
    return int(str(money["getAmount"]))


@pytest.mark.parametrize("name", ["genkgo_camt053.v2.all-balance-types", "genkgo_camt53.only-Dt-with-DtTm"])
def test_camt_as_genkgo_reads_it(name):
    golden = json.loads((SAMPLES / "camt" / f"{name}.golden.json").read_text())
    # The dump writes a record it already wrote (inside an entry) as a marker.
    records = [
        record if isinstance(record, dict) else golden["getEntries"][0]["getRecord"]
        for record in golden["getRecords"]
    ]
    read = statements(f"camt/{name}.xml")
    assert len(read) == len(records)
    for statement, record in zip(read, records, strict=True):
        assert statement.account == record["getAccount"]["getIdentification"]
        by_type: dict[str, int] = {}
        for balance in record["getBalances"]:
            by_type.setdefault(balance["getType"], _genkgo_fen(balance["getAmount"]))
        assert statement.opening_balance_fen == by_type.get("opening")
        assert statement.closing_balance_fen == by_type.get("closing")
        currencies = {balance["getAmount"]["getCurrency"]["getCode"] for balance in record["getBalances"]}
        assert {statement.currency} == currencies
        written = [entry for entry in record["getEntries"] if isinstance(entry, dict)]
        entries = [abs(_genkgo_fen(entry["getAmount"])) for entry in written or golden["getEntries"]]
        assert [abs(line.amount_fen) for line in statement.lines] == entries


# MT940: wolph/mt940's dump of its Transactions (every transaction of the file, in order)


@dataclass(frozen=True)
class GoldenTransaction:
    amount: Decimal
    day: date | None
    applicant_name: str | None
    purpose: str | None


def _wolph_transactions(name: str) -> list[GoldenTransaction]:
    text = (SAMPLES / "mt940" / f"{name}.golden.yml").read_text()
    items = text.split("\ntransactions:\n", 1)[1].split("\n- !!python/object:mt940.models.Transaction\n")

    def field(item: str, key: str) -> str | None:
        found = re.search(rf"^    {key}: (.*)$", item, re.MULTILINE)
        value = found.group(1).strip() if found else "null"
        return None if value == "null" else value.strip("'")

    found = []
    for item in items:
        amount = re.search(
            r"^    amount: !!python/object:mt940.models.Amount\n.*\n      - '([^']+)'", item, re.M
        )
        assert amount is not None
        found.append(
            GoldenTransaction(
                Decimal(amount.group(1)), None, field(item, "applicant_name"), field(item, "purpose")
            )
        )
    return found


@pytest.mark.parametrize(
    "name", ["wolph_betterplace_sepa_mt9401", "wolph_jejik_postfinance", "wolph_self-provided_sparkassen"]
)
def test_mt940_as_wolph_reads_it(name):
    golden = _wolph_transactions(name)
    relative = next(path for path in every_sample() if path.startswith(f"mt940/{name}."))
    lines = [line for statement in statements(relative) for line in statement.lines]
    assert [Decimal(line.amount_fen) / 100 for line in lines] == [g.amount for g in golden]
    for line, expected in zip(lines, golden, strict=True):
        if expected.applicant_name:
            assert line.counterparty_name == expected.applicant_name
        if expected.purpose:
            assert " ".join(expected.purpose.split()) in " ".join(line.remark.split())


def test_betterplace_statements_each_to_their_account():
    """The file holds 26 statements (26 :20: blocks) of 20 accounts (20 distinct :25:)."""
    found = checked("mt940/wolph_betterplace_sepa_mt9401.sta")
    assert len(found) == 26
    assert len({statement["account"] for statement in found}) == 20
    assert sum(statement["lines"] for statement in found) == len(
        _wolph_transactions("wolph_betterplace_sepa_mt9401")
    )


# Chinese exports: deb-sig/double-entry-generator's beancount output (it leaves out lines its rules
# ignore, so every golden entry must be one of the lines read, with its amount and direction)

_BEANCOUNT_ENTRY = re.compile(
    r"^(?P<day>\d{4}-\d{2}-\d{2}) \* .*?\n(?:\t[a-zA-Z]+: .*\n)*"
    r"(?P<postings>(?:\t\S+ -?[\d.]+ CNY\n?)+)",
    re.MULTILINE,
)


def _beancount_bank_amounts(name: str, account_prefix: str) -> list[tuple[date, int]]:
    found = []
    for entry in _BEANCOUNT_ENTRY.finditer((SAMPLES / "cn" / f"{name}.golden.beancount").read_text()):
        for posting in entry.group("postings").splitlines():
            account, amount, _ = posting.split()
            if account.startswith(account_prefix):
                found.append((date.fromisoformat(entry.group("day")), int(Decimal(amount) * 100)))
    return found


@pytest.mark.parametrize(
    ("relative", "golden", "bank_account"),
    [("cn/cmb_debit.csv", "cmb_debit", "Assets:DebitCard:CMB"), ("cn/icbc_debit_v1.csv", None, "")],
)
def test_chinese_exports_as_the_generator_reads_them(relative, golden, bank_account, tmp_path):
    if golden is None:
        # ICBC's first version, with the placeholder balances blanked and the totals row (which states
        # made-up sums) taken out: the lines the generator lists are the lines read.
        text = (SAMPLES / relative).read_text()
        text = "\n".join(line for line in text.replace("xx,yyyy.zz", "").splitlines() if "合计" not in line)
        (statement,) = read_statements("icbc_debit_v1.csv", text.encode())
        expected = _beancount_bank_amounts("icbc_debit_v1", "Assets:Bank:CN:ICBC")
        assert len(statement.lines) == 11
    else:
        (statement,) = statements(relative)
        expected = _beancount_bank_amounts(golden, bank_account)
        assert len(statement.lines) == len(expected)
    read = [(line.booked_on, line.amount_fen) for line in statement.lines]
    for line in expected:
        assert line in read
        read.remove(line)
