"""Chinese bank CSV exports (and the tables of XLSX and XLS ones), read through the bank layouts of
``bank_layouts``: the header row is found below any preamble, then the table read by columns where it
is regular and by rows where it is not. GBK/GB18030 and UTF-8 (with or without BOM) are read alike.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator

from feecollect.reconcile.statements.bank_layouts import (
    HEADER_SEARCH_ROWS,
    BankProfile,
    clean,
    default_profiles,
    detect,
    load_profiles,
    text_encoding,
)
from feecollect.reconcile.statements.csv_columns import ColumnReader, Irregular
from feecollect.reconcile.statements.csv_rows import RowReader
from feecollect.reconcile.statements.types import (
    AMBIGUOUS,
    NOT_AN_ACCOUNT,
    UNSUPPORTED,
    Statement,
    StatementError,
)

AMOUNT_FIELDS = ("amount", "credit", "debit")
__all__ = ["BankProfile", "clean", "default_profiles", "detect", "load_profiles", "read_csv", "read_rows"]


def read_csv(source: str, content: bytes, profiles: tuple[BankProfile, ...] | None = None) -> Statement:
    encoding = text_encoding(source, content)
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline=""))

    def rows() -> Iterator[list[str]]:
        # A row is one line of the file: a quoted cell running over several lines is a quote left
        # open, which would swallow the lines below it into one cell. Rows are taken in blocks, and
        # only a block that used more lines than it has rows is looked into.
        read = 0
        try:
            for block in iter(lambda: list(itertools.islice(reader, 4096)), []):
                if reader.line_num != read + len(block):
                    _refuse_spanning_row(source, block, read)
                read = reader.line_num
                yield from block
        except csv.Error as exc:
            raise StatementError(source, reader.line_num, None, f"不是有效的 CSV 文件（{exc}）") from None

    return read_rows(source, rows(), "csv", profiles)


def _refuse_spanning_row(source: str, block: list[list[str]], lines_before: int) -> None:
    """Name the first row of ``block`` (which starts after ``lines_before`` lines) holding a line break."""
    for offset, row in enumerate(block):
        if any("\n" in cell or "\r" in cell for cell in row):
            line_no = lines_before + offset + 1
            raise StatementError(source, line_no, None, "带引号的单元格跨越多行：是否有引号未闭合？")


# Words that only a card's bill carries above or in its header (an account's 对账单 has none of them):
# its lines are purchases and repayments of a card, not money in and out of an account.
CARD_COLUMNS = ("本期账单", "卡末四位", "卡号末四位", "卡号后四位")
CARD_BILL_MARKERS = ("信用卡", *CARD_COLUMNS)


def _refuse_card_bill(source: str, head: list[list[str]], markers: tuple[str, ...]) -> None:
    for number, row in enumerate(head, 1):
        for cell in row:
            marker = next((m for m in markers if m in cell), None)
            if marker is not None:
                raise StatementError(
                    source,
                    number,
                    clean(cell)[:40],
                    f"这是信用卡账单（{marker}），不是账户对账单：请导出财政专户或部门账户的交易明细",
                    code=NOT_AN_ACCOUNT,
                )


def read_rows(
    source: str, rows: Iterable[list[str]], kind: str, profiles: tuple[BankProfile, ...] | None = None
) -> Statement:
    """A table of text cells (from CSV, XLSX or XLS) through the bank profile its header row matches.

    The table is read column by column (:class:`ColumnReader`). Where it holds anything irregular (a
    cell that does not read, a note row with an amount, a split amount with both sides) it is read
    again row by row (:class:`RowReader`), whose per-line rules are the meaning of a statement and
    which names the first bad line and field."""
    profiles = profiles or default_profiles()
    rows = iter(rows)
    head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    found = detect(head, profiles)
    # Above and in the header a card's bill says what it is; below it, a line may well mention a card.
    _refuse_card_bill(
        source, head[: found[1] + 1] if found else head, CARD_BILL_MARKERS if found else CARD_COLUMNS
    )
    if found is None:
        raise StatementError(
            source,
            None,
            None,
            f"前 {HEADER_SEARCH_ROWS} 行中没有已知银行格式的表头"
            f"（已有格式：{'、'.join(p.code for p in profiles)}）",
            code=UNSUPPORTED,
        )
    profile, header_index, columns = found
    header = [clean(cell) for cell in head[header_index]]
    if profile.lenient and (unplaced := profile.unplaced_amounts(header, columns)):
        read_as_amounts = "、".join(header[columns[name][0]] for name in AMOUNT_FIELDS if name in columns)
        raise StatementError(
            source,
            header_index + 1,
            unplaced[0],
            f"除已作为金额读取的列（{read_as_amounts}）外，无法判断 {'、'.join(unplaced)} 列的含义："
            "格式有歧义，请为该银行添加格式",
            code=AMBIGUOUS,
        )
    first_line_no = header_index + 2
    by_rows = RowReader(source, profile, header, columns)
    table = head[header_index + 1 :]
    try:
        table.extend(rows)
    except StatementError:
        # The file stops being CSV further down: a bad line above that point is the first error.
        by_rows.read_all(table, first_line_no)
        raise
    try:
        lines, accounts = ColumnReader(profile, columns).read_all(table, first_line_no)
    except Irregular:
        lines, accounts = by_rows.read_all(table, first_line_no)
    if not lines.line_no:
        raise StatementError(source, None, None, "表头下没有交易明细")
    if len(accounts) > 1:
        raise StatementError(
            source,
            None,
            by_rows.header_of("account"),
            f"文件中有多个账户的明细：{'、'.join(sorted(accounts))}",
        )
    return Statement(
        source=source,
        format=f"{kind}:{profile.code}",
        columns=lines,
        account=accounts.pop() if accounts else None,
    )
