"""A statement file reads as its lines read one by one: the same lines, and where a line is bad the
file is refused with the error of the first bad line, naming that line and the same field. This holds
the reader to per-line meaning however it batches the work over a year's statement; and the column
reader, which reads a year's statement, reads exactly what the row reader reads, or leaves it to it."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from feecollect.reconcile.statements.csv_columns import ColumnReader, Irregular
from feecollect.reconcile.statements.csv_profiles import clean, default_profiles, detect, read_csv
from feecollect.reconcile.statements.csv_rows import RowReader
from feecollect.reconcile.statements.types import Statement, StatementError

# Three layouts, one per way of giving amounts: split debit/credit, one signed column, a direction word.
LAYOUTS = {
    "split": [
        "账号",
        "交易时间",
        "借方发生额",
        "贷方发生额",
        "余额",
        "对方户名",
        "对方账号",
        "摘要",
        "流水号",
    ],
    "signed": [
        "交易日期",
        "交易时间",
        "交易金额",
        "本次余额",
        "对手信息",
        "交易摘要",
        "交易附言",
        "日 志 号",
    ],
    "direction": [
        "序号",
        "交易日期",
        "交易时间",
        "交易类型",
        "借贷",
        "交易金额",
        "余额",
        "对方账号",
        "对方户名",
        "摘要",
    ],
}


def mostly(good: list[str], bad: list[str]):  # type: ignore[no-untyped-def]
    """Cells that read, and now and then one that does not: most files then get past their first rows."""
    return st.one_of(
        st.sampled_from(good), st.sampled_from(good), st.sampled_from(good), st.sampled_from(bad)
    )


dates = mostly(
    ["2026-11-21", "2026/11/22", "20261123", "2026.11.24", "2026-11-21 08:30:00"],
    ["2026-11-21 25:00:00", "2026-13-01", "", " ", "-", "----", "昨天"],
)
times = mostly(["08:30:00", "083000", "08:30", ""], ["-", "25:61:00", "noon"])
amounts = mostly(
    ["570.00", "1,234.50", "-20.00", "0.01", "0", "", "　12.00　", "+3.00"],
    ["-", "--", "1.001", "1e9", "99999999999999999.00"],
)
words = mostly(["贷", "借", "贷 Cr", "Dr", "C"], ["", "收"])
text = st.sampled_from(
    ["", "缴款码:43032126000000000365", "张三", "-", "  转账  ", "摘要,带逗号", "S000001", "S000002", "x"]
)


def cell_for(layout: str, column: str):  # type: ignore[no-untyped-def]
    if column == "交易时间":
        return dates if layout == "split" else times  # the split layout books date and time in one cell
    if column == "交易日期":
        return dates
    if column == "借方发生额":
        return st.one_of(st.just(""), st.just(""), amounts)  # mostly a credit, now and then a debit too
    if column in ("贷方发生额", "交易金额", "余额", "本次余额"):
        return amounts
    if column == "借贷":
        return words
    if column == "账号":
        return st.just("43050162360800000001")
    return text


@st.composite
def statement_files(draw):  # type: ignore[no-untyped-def]
    layout = draw(st.sampled_from(sorted(LAYOUTS)))
    header = LAYOUTS[layout]
    cells = st.tuples(*(cell_for(layout, column) for column in header)).map(list)
    rows = draw(st.lists(cells, min_size=1, max_size=8))
    # Now and then a row cut short, as a blank line or a note row below the lines reads.
    cut = st.one_of(st.none(), st.none(), st.none(), st.integers(0, len(header) - 1))
    return header, [row if (end := draw(cut)) is None else row[:end] for row in rows]


def as_csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode()


def outcome(header: list[str], rows: list[list[str]]) -> Statement | StatementError:
    try:
        return read_csv("f.csv", as_csv(header, rows))
    except StatementError as exc:
        return exc


@settings(max_examples=400, deadline=None)
@given(statement_files())
def test_a_file_reads_as_its_lines_read_one_by_one(drawn):
    header, rows = drawn
    whole = outcome(header, rows)
    expected_lines = []
    for index, row in enumerate(rows):
        alone = outcome(header, [row])
        if isinstance(alone, StatementError):
            if "表头下没有交易明细" in str(alone):
                continue  # an empty row, or a note row below the lines: skipped
            assert isinstance(whole, StatementError), f"row {index} alone fails ({alone}), the file did not"
            assert (whole.line, whole.field) == (index + 2, alone.field)
            assert whole.reason == alone.reason
            return
        expected_lines.append(alone.lines[0]._replace(line_no=index + 2))
    if not expected_lines:
        assert isinstance(whole, StatementError) and "表头下没有交易明细" in str(whole)
        return
    assert not isinstance(whole, StatementError), whole
    assert list(whole.lines) == expected_lines


@settings(max_examples=400, deadline=None)
@given(statement_files())
def test_the_column_reader_reads_what_the_row_reader_reads(drawn):
    header, rows = drawn
    profile, _, columns = detect([header], default_profiles())
    header = [clean(cell) for cell in header]
    try:
        by_rows = RowReader("f.csv", profile, header, columns).read_all([list(row) for row in rows], 2)
    except StatementError:
        by_rows = None
    try:
        by_columns = ColumnReader(profile, columns).read_all([list(row) for row in rows], 2)
    except Irregular:
        return  # the row reader decides: its reading, or its error, is the file's
    assert by_rows is not None, "the column reader read a table the row reader refuses"
    assert by_columns == by_rows


def test_a_regular_statement_is_read_by_columns_alone(monkeypatch):
    """Placeholders, padding, blank and note rows, debits and several days: none needs the row reader."""
    header = LAYOUTS["split"]
    rows = [
        [
            "43050162360800000001",
            "2026-11-21 08:30:00",
            "",
            "570.00",
            "1,570.00",
            "张三",
            "-",
            "缴款码:1",
            "S1",
        ],
        [
            "43050162360800000001",
            "2026/11/22",
            "20.00",
            "-----",
            "　1,550.00　",
            "李四",
            "622",
            "  转账  ",
            "S2",
        ],
        [],
        ["合计", "", "", "", "", "", "", "", ""],
    ]

    def refused(*args):  # type: ignore[no-untyped-def]
        raise AssertionError("the row reader was asked")

    monkeypatch.setattr(RowReader, "read_all", refused)
    statement = read_csv("f.csv", as_csv(header, rows))
    assert [
        (line.line_no, line.amount_fen, line.counterparty_account, line.remark) for line in statement.lines
    ] == [
        (2, 57000, "", "缴款码:1"),
        (3, -2000, "622", "转账"),
    ]
