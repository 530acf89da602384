"""camt.053 as banks send it: batch entries of several transactions, quiet days without entries,
balances of several types, booking times with an offset."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from feecollect.reconcile.statements import StatementError, read_statements

SHANGHAI = ZoneInfo("Asia/Shanghai")


def camt(entries: str, balances: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-21T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><Acct><Id><Othr><Id>43050162360800000001</Id></Othr></Id></Acct>
{balances}{entries}</Stmt></BkToCstmrStmt></Document>""".encode()


def balance(code: str, amount: str, sign: str = "CRDT") -> str:
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy='CNY'>{amount}</Amt>"
        f"<CdtDbtInd>{sign}</CdtDbtInd><Dt><Dt>2026-11-21</Dt></Dt></Bal>"
    )


def transaction(amount: str | None, ref: str, text: str, name: str) -> str:
    amt = f"<Amt Ccy='CNY'>{amount}</Amt>" if amount else ""
    return (
        f"<TxDtls><Refs><AcctSvcrRef>{ref}</AcctSvcrRef><EndToEndId>E-{ref}</EndToEndId></Refs>{amt}"
        f"<RltdPties><Dbtr><Nm>{name}</Nm></Dbtr></RltdPties><RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls>"
    )


def entry(amount: str, details: str, booked: str = "<Dt>2026-11-21</Dt>") -> str:
    return (
        f"<Ntry><NtryRef>N1</NtryRef><Amt Ccy='CNY'>{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
        f"<Sts>BOOK</Sts><BookgDt>{booked}</BookgDt><NtryDtls>{details}</NtryDtls></Ntry>"
    )


def test_a_batch_entry_becomes_one_line_per_transaction_with_its_own_text():
    batch = entry(
        "300.00",
        transaction("100.00", "T1", "缴款码 43032126000000000011", "张三")
        + transaction("200.00", "T2", "缴款码 43032126000000000022", "李四"),
    )
    (statement,) = read_statements("batch.xml", camt(batch))
    assert [(x.amount_fen, x.counterparty_name, x.serial) for x in statement.lines] == [
        (10000, "张三", "T1"),
        (20000, "李四", "T2"),
    ]
    assert "43032126000000000022" in statement.lines[1].remark and "E-T2" in statement.lines[1].remark


def test_a_batch_whose_transactions_do_not_add_up_is_refused():
    batch = entry("300.00", transaction("100.00", "T1", "a", "甲") + transaction("150.00", "T2", "b", "乙"))
    with pytest.raises(StatementError, match="各笔交易之和与记录金额不符"):
        read_statements("batch.xml", camt(batch))


def test_a_batch_without_transaction_amounts_stays_one_line():
    batch = entry("300.00", transaction(None, "T1", "a", "甲") + transaction(None, "T2", "b", "乙"))
    (statement,) = read_statements("batch.xml", camt(batch))
    assert [x.amount_fen for x in statement.lines] == [30000]


def test_a_quiet_day_is_a_statement_with_its_balances_and_no_line():
    (statement,) = read_statements("quiet.xml", camt("", balance("OPBD", "50.00") + balance("CLBD", "50.00")))
    assert statement.lines == () and statement.balance_problem() is None
    assert (statement.opening_balance_fen, statement.closing_balance_fen) == (5000, 5000)


def test_the_opening_booked_balance_wins_over_the_previous_closing_whatever_their_order():
    balances = balance("OPBD", "10.00") + balance("PRCD", "99.00") + balance("CLBD", "110.00")
    (statement,) = read_statements("b.xml", camt(entry("100.00", ""), balances))
    assert statement.opening_balance_fen == 1000 and statement.balance_problem() is None


def test_a_booking_time_in_utc_is_dated_in_the_centre_time_zone():
    late = entry("1.00", "", booked="<DtTm>2026-11-21T17:30:00Z</DtTm>")
    (statement,) = read_statements("z.xml", camt(late), SHANGHAI)
    assert (statement.lines[0].booked_on, statement.lines[0].booked_at) == (date(2026, 11, 22), time(1, 30))


def zipped(**members: bytes) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_of_statement_files_is_read_member_by_member():
    archive = zipped(**{"d1.xml": camt(entry("1.00", "")), "d2.xml": camt(entry("2.00", ""))})
    first, second = read_statements("day.zip", archive)
    assert (first.source, second.source) == ("day.zip/d1.xml", "day.zip/d2.xml")
    assert [first.lines[0].amount_fen, second.lines[0].amount_fen] == [100, 200]


def test_a_zip_with_a_bad_member_is_refused_naming_the_member():
    with pytest.raises(StatementError, match=r"day\.zip/notes\.txt"):
        read_statements("day.zip", zipped(**{"d1.xml": camt(entry("1.00", "")), "notes.txt": b"hello"}))
    with pytest.raises(StatementError, match="压缩包中又有压缩包"):
        read_statements("outer.zip", zipped(**{"inner.zip": zipped(**{"d1.xml": camt(entry("1.00", ""))})}))


def test_a_broken_zip_is_refused_as_such_never_an_error():
    archive = bytearray(zipped(**{"d1.xml": camt(entry("1.00", "")) * 3}))
    archive[60] ^= 0xFF  # a byte of the member's data: its check sum no longer holds
    with pytest.raises(StatementError, match="zip 压缩包"):
        read_statements("day.zip", bytes(archive))


def test_a_single_transaction_is_never_judged_by_its_own_amount_fields():
    odd = "<TxDtls><AmtDtls><TxAmt><Amt Ccy='CNY'>not an amount</Amt></TxAmt></AmtDtls></TxDtls>"
    (statement,) = read_statements("one.xml", camt(entry("1.00", odd)))
    assert [x.amount_fen for x in statement.lines] == [100]


def test_a_batch_whose_transactions_state_another_currency_stays_one_line():
    foreign = "<TxDtls><AmtDtls><TxAmt><Amt Ccy='EUR'>10.00</Amt></TxAmt></AmtDtls></TxDtls>"
    (statement,) = read_statements("fx.xml", camt(entry("150.00", foreign + foreign)))
    assert [x.amount_fen for x in statement.lines] == [15000]
