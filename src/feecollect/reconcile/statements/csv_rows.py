"""Reading a bank table row by row: the per-line rules that are the meaning of a statement, naming the
first bad line and field."""

from __future__ import annotations

import operator
from typing import NamedTuple

from feecollect.money import format_yuan
from feecollect.reconcile.statements.bank_layouts import (
    CURRENCIES,
    FIELDS,
    PADDING,
    BankProfile,
    clean,
    parse_fen,
    parse_time,
    parse_when,
)
from feecollect.reconcile.statements.types import LineColumns, StatementError, StatementLine

# The cells a line is read from, in FIELDS order, which RowReader.read unpacks; the remark's cells
# (a layout may have several) come last.
_SINGLE_CELL_FIELDS = tuple(name for name in FIELDS if name != "remark")


class RowReader:
    """Reads the rows below one header. Column positions are found once, and each row's cells are
    fetched and stripped by one C-level call each: a year's statement is a million rows, where a
    Python call per cell was most of the reading."""

    def __init__(self, source: str, profile: BankProfile, header: list[str], columns: dict[str, list[int]]):
        self.source, self.profile, self.header = source, profile, header
        self.positions = {name: found[0] for name, found in columns.items()}
        # Each row gets one empty cell appended (and short rows are padded): a field the layout lacks
        # reads that last cell, at -1.
        self.width = max(p for found in columns.values() for p in found) + 1
        wanted = [self.positions.get(name, -1) for name in _SINGLE_CELL_FIELDS] + columns.get("remark", [])
        self.fetch = operator.itemgetter(*wanted)
        self.padding = (PADDING,) * len(wanted)
        self.accounts: set[str] = set()  # the account numbers the lines name
        self.totals: list[Totals] = []  # the 合计 rows, checked against the lines once all are read

    def header_of(self, name: str) -> str:
        return self.header[self.positions[name]] if name in self.positions else name

    def read_all(self, table: list[list[str]], first_line_no: int) -> tuple[LineColumns, set[str]]:
        read = self.read
        numbered = enumerate(table, first_line_no)
        lines = [line for line_no, row in numbered if (line := read(row, line_no)) is not None]
        self.check_totals(lines)
        return LineColumns.of(lines), self.accounts

    def check_totals(self, lines: list[StatementLine]) -> None:
        """Each 合计 row must state what the lines above it add up to: those since the previous 合计
        (a page's total) or all of them (the file's). One pass over the lines, which are in file order."""
        whole, page = [0, 0, 0], [0, 0, 0]  # credits, debits, net
        index = 0
        for totals in self.totals:
            while index < len(lines) and lines[index].line_no < totals.line_no:
                fen = lines[index].amount_fen
                for sums in (whole, page):
                    sums[0] += max(fen, 0)
                    sums[1] += max(-fen, 0)
                    sums[2] += fen
                index += 1
            stated = (totals.credit_fen, totals.debit_fen, totals.net_fen)
            for position, name in enumerate(("credit", "debit", "amount")):
                value = stated[position]
                if value is not None and abs(value) not in {abs(whole[position]), abs(page[position])}:
                    raise self.fail(
                        totals.line_no,
                        name,
                        f"合计行为 {format_yuan(value)} 元，上方明细合计为 "
                        f"{format_yuan(whole[position])} 元：有明细缺失或被改动",
                    )
            page = [0, 0, 0]

    def totals_row(self, line_no: int, amount: str, credit: str, debit: str) -> Totals:
        def fen(text: str, name: str) -> int | None:
            try:
                return parse_fen(text) if text else None
            except ValueError as exc:
                raise self.fail(line_no, name, str(exc)) from None

        return Totals(line_no, fen(credit, "credit"), fen(debit, "debit"), fen(amount, "amount"))

    def fail(self, line_no: int, name: str, message: str) -> StatementError:
        return StatementError(self.source, line_no, self.header_of(name), message)

    def read(self, row: list[str], line_no: int) -> StatementLine | None:
        row = [*row, ""] if len(row) >= self.width else row + [""] * (self.width + 1 - len(row))
        cells = list(map(str.strip, self.fetch(row), self.padding))
        joined = "\x1f" + "\x1f".join(cells)
        if "\x1f-" in joined:  # a cell starting with "-": a placeholder or a sign
            cells = [clean(cell) for cell in cells]
        account, when, time_text, amount_text, credit, debit, direction, currency, balance_text = cells[:9]
        name, counterparty_account, serial, *remarks = cells[9:]
        if "计" in joined and any(map(_is_totals_label, cells)):  # one C-level test first
            self.totals.append(self.totals_row(line_no, amount_text, credit, debit))
            return None
        if not when:
            if not (amount_text or credit or debit):
                return None  # an empty row, or a summary or note row below the lines
            raise self.fail(line_no, "date", "日期为空")
        try:
            booked_on, booked_at = parse_when(when)
            if time_text:
                booked_at = parse_time(time_text)
        except ValueError as exc:
            raise self.fail(
                line_no, "time" if time_text and "时间" in str(exc) else "date", str(exc)
            ) from None
        amount = _amount(self.profile, self, line_no, amount_text, credit, debit, direction)
        balance = None
        if balance_text:
            try:
                balance = parse_fen(balance_text)
            except ValueError as exc:
                raise self.fail(line_no, "balance", str(exc)) from None
        if account:
            self.accounts.add(account)
        return StatementLine(
            line_no,
            booked_on,
            booked_at,
            amount,
            CURRENCIES.get(currency, currency),
            name,
            counterparty_account,
            " ".join(filter(None, remarks)),
            serial,
            balance,
        )


class Totals(NamedTuple):
    line_no: int
    credit_fen: int | None
    debit_fen: int | None
    net_fen: int | None


def _is_totals_label(cell: str) -> bool:
    """合计, 本页合计, 人民币合计, 总计…: a row that sums the lines rather than being one."""
    return cell.endswith(("合计", "总计")) and len(cell) <= 12


def _amount(
    profile: BankProfile, reader: RowReader, line_no: int, amount: str, credit: str, debit: str, word: str
) -> int:
    if "amount" in profile.columns and amount:
        try:
            fen = parse_fen(amount)
        except ValueError as exc:
            raise reader.fail(line_no, "amount", str(exc)) from None
        if "direction" in profile.columns:
            if word in profile.credit_words:
                if fen < 0:
                    raise reader.fail(line_no, "amount", f"{amount} 为负数，却标为收入（{word}）")
                return fen
            if word in profile.debit_words:
                return -abs(fen)
            raise reader.fail(
                line_no,
                "direction",
                f"「{word}」既不是收入（{'/'.join(sorted(profile.credit_words))}）"
                f"也不是支出（{'/'.join(sorted(profile.debit_words))}）",
            )
        return fen
    try:
        credit_fen = parse_fen(credit) if credit else 0
    except ValueError as exc:
        raise reader.fail(line_no, "credit", str(exc)) from None
    if credit_fen < 0:
        raise reader.fail(line_no, "credit", f"{credit} 为负数：付出的款项应在支出列")
    try:
        debit_fen = parse_fen(debit) if debit else 0
    except ValueError as exc:
        raise reader.fail(line_no, "debit", str(exc)) from None
    if credit_fen and debit_fen:
        raise reader.fail(line_no, "credit", "同一行既有收入又有支出")
    if not (credit or debit):
        raise reader.fail(line_no, "credit" if "credit" in profile.columns else "amount", "没有金额")
    return credit_fen - abs(debit_fen)
