"""Property: a statement written in a format and read back gives the lines written, whatever the
amounts, days, texts and the number of statements in the file."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from feecollect.reconcile.statements import read_statements

DAY = date(2026, 11, 1)
# What banks write where there is no text: read as none, so a writer of real statements never writes it.
PLACEHOLDERS = {"NOTPROVIDED", "NONREF"}
lines = st.lists(
    st.tuples(
        st.integers(0, 27),  # day of the month after the first
        st.integers(-(10**9), 10**9).filter(bool),  # fen, never zero
        st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 缴款码", min_size=1, max_size=30)
        .map(str.strip)
        .filter(lambda text: text and text not in PLACEHOLDERS),
    ),
    min_size=1,
    max_size=12,
)


def yuan(fen: int) -> str:
    return f"{abs(fen) // 100},{abs(fen) % 100:02d}"


def mt940(statements: list[list[tuple[int, int, str]]]) -> str:
    blocks = []
    for number, written in enumerate(statements, 1):
        balance = 0
        rows = [f":20:S{number}", f":25:ACC{number}", f":28C:{number}/1", ":60F:C261101CNY0,00"]
        for offset, fen, text in written:
            day = DAY + timedelta(days=offset)
            mark = "C" if fen > 0 else "D"
            rows += [f":61:{day:%y%m%d}{day:%m%d}{mark}{yuan(fen)}NTRFNONREF", f":86:{text}"]
            balance += fen
        rows.append(f":62F:{'C' if balance >= 0 else 'D'}{DAY:%y%m%d}CNY{yuan(balance)}")
        blocks.append("\n".join(rows) + "\n-")
    return "\n".join(blocks) + "\n"


def camt(statements: list[list[tuple[int, int, str]]]) -> str:
    parts = []
    for number, written in enumerate(statements, 1):
        entries = "".join(
            f"<Ntry><Amt Ccy='CNY'>{abs(fen) // 100}.{abs(fen) % 100:02d}</Amt>"
            f"<CdtDbtInd>{'CRDT' if fen > 0 else 'DBIT'}</CdtDbtInd><BookgDt><Dt>{DAY + timedelta(days=offset)}</Dt>"
            f"</BookgDt><AddtlNtryInf>{text}</AddtlNtryInf></Ntry>"
            for offset, fen, text in written
        )
        parts.append(
            f"<Stmt><Id>S{number}</Id><Acct><Id><Othr><Id>ACC{number}</Id></Othr></Id></Acct>{entries}</Stmt>"
        )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'>"
        f"<BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr>{''.join(parts)}</BkToCstmrStmt></Document>"
    )


def read_back(name: str, text: str) -> list[list[tuple[int, int, str]]]:
    return [
        [((line.booked_on - DAY).days, line.amount_fen, line.remark) for line in statement.lines]
        for statement in read_statements(name, text.encode())
    ]


@settings(max_examples=60, deadline=None)
@given(st.lists(lines, min_size=1, max_size=4))
def test_mt940_written_and_read_back_gives_the_same_statements_and_lines(statements):
    assert read_back("w.sta", mt940(statements)) == statements


@settings(max_examples=60, deadline=None)
@given(st.lists(lines, min_size=1, max_size=4))
def test_camt053_written_and_read_back_gives_the_same_statements_and_lines(statements):
    assert read_back("w.xml", camt(statements)) == statements


@settings(max_examples=30, deadline=None)
@given(st.lists(lines, min_size=2, max_size=4))
def test_one_file_of_several_statements_reads_as_the_files_of_each(statements):
    joined = read_back("all.sta", mt940(statements))
    apart = [read_back(f"s{n}.sta", mt940([one]))[0] for n, one in enumerate(statements)]
    assert joined == apart
