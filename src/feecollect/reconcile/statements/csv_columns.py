"""The fast path of reading a bank table: a column at a time, in C-level passes, for tables that read
without question. Its meaning is that of ``csv_rows`` (a property test holds the two equal)."""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable
from typing import TypeVar

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
from feecollect.reconcile.statements.types import LineColumns

T = TypeVar("T")


class Irregular(Exception):
    """The table holds something only the row-by-row reader decides."""


class ColumnReader:
    """Reads the rows below one header a column at a time: each cell is stripped, and each distinct
    date, time and amount text parsed once, in C-level passes over a column. It reads only what reads
    without question and raises :class:`Irregular` for anything else, so that it always gives what
    :class:`RowReader` gives, line by line, for the same table (a test holds it to that)."""

    def __init__(self, profile: BankProfile, columns: dict[str, list[int]]):
        self.profile = profile
        self.positions = {name: found[0] for name, found in columns.items()}
        self.remark_positions = columns.get("remark", [])
        self.width = max(p for found in columns.values() for p in found) + 1

    def read_all(self, table: list[list[str]], first_line_no: int) -> tuple[LineColumns, set[str]]:
        width = self.width
        if table and min(map(len, table)) < width:
            table = [row if len(row) >= width else row + [""] * (width - len(row)) for row in table]
        count = len(table)
        # Every field the reader knows gets a column; one the layout lacks reads as empty cells.
        columns = {
            name: _cells(table, self.positions[name]) if name in self.positions else [""] * count
            for name in FIELDS
            if name != "remark"
        }
        remark_columns = [_cells(table, position) for position in self.remark_positions]
        when = columns.pop("date")
        line_no = list(range(first_line_no, first_line_no + count))
        if "" in when:
            # Rows without a date are skipped where they hold no amount (blank, summary and note rows).
            for index in itertools.compress(range(count), map(operator.not_, when)):
                if columns["amount"][index] or columns["credit"][index] or columns["debit"][index]:
                    raise Irregular
            keep = list(itertools.compress(range(count), when))
            when, line_no = _taken(when, keep), _taken(line_no, keep)
            columns = {name: _taken(values, keep) for name, values in columns.items()}
            remark_columns = [_taken(values, keep) for values in remark_columns]
        pairs = _parsed(when, parse_when)
        booked_on = list(map(operator.itemgetter(0), pairs))
        booked_at = list(map(operator.itemgetter(1), pairs))
        if "time" in self.positions:
            times = _parsed(columns["time"], lambda text: parse_time(text) if text else None)
            booked_at = [at if own is None else own for at, own in zip(booked_at, times, strict=True)]
        accounts = set(columns["account"])
        accounts.discard("")
        if len(remark_columns) == 1:
            remark = remark_columns[0]
        elif remark_columns:
            remark = [" ".join(filter(None, parts)) for parts in zip(*remark_columns, strict=True)]
        else:
            remark = [""] * len(line_no)
        return (
            LineColumns(
                line_no,
                booked_on,
                booked_at,
                self._amounts(columns),
                _parsed(columns["currency"], lambda text: CURRENCIES.get(text, text)),
                columns["counterparty_name"],
                columns["counterparty_account"],
                remark,
                columns["serial"],
                _parsed(columns["balance"], lambda text: parse_fen(text) if text else None),
            ),
            accounts,
        )

    def _amounts(self, columns: dict[str, list[str]]) -> list[int]:
        profile = self.profile
        if "amount" in profile.columns and "amount" in self.positions:
            texts = columns["amount"]
            if "" in texts:
                raise Irregular  # such a line reads its split columns instead
            fen = _parsed(texts, parse_fen)
            if "direction" not in profile.columns:
                return fen

            def sign(word: str) -> int:
                if word in profile.credit_words:
                    return 1
                if word in profile.debit_words:
                    return -1
                raise ValueError(word)

            signs = _parsed(columns["direction"], sign)
            if min(fen, default=0) < 0 and any(map(operator.gt, signs, fen)):
                raise Irregular  # a negative amount marked as a credit
            return list(map(operator.mul, map(abs, fen), signs))
        credit_texts, debit_texts = columns["credit"], columns["debit"]
        credit = _parsed(credit_texts, lambda text: parse_fen(text) if text else 0)
        debit = _parsed(debit_texts, lambda text: parse_fen(text) if text else 0)
        if min(credit, default=0) < 0:
            raise Irregular  # a negative credit
        if any(map(operator.and_, map(bool, credit), map(bool, debit))):
            raise Irregular  # both a credit and a debit on one line
        if not all(map(operator.add, credit_texts, debit_texts)):
            raise Irregular  # a line with no amount
        return list(map(operator.sub, credit, map(abs, debit)))


def _cells(table: list[list[str]], position: int) -> list[str]:
    """One column, stripped of padding, with ``-----`` placeholders emptied."""
    values = list(map(str.strip, map(operator.itemgetter(position), table), itertools.repeat(PADDING)))
    # Does any cell start with "-"? One join and one substring search, in C, instead of a call per cell.
    if values and (values[0][:1] == "-" or "\x1f-" in "\x1f".join(values)):
        values = list(map(clean, values))
    return values


def _taken(values: list[T], keep: list[int]) -> list[T]:
    return list(map(values.__getitem__, keep))


def _parsed(texts: list[str], parse: Callable[[str], T]) -> list[T]:
    """``parse`` applied to each distinct text once; a text it refuses makes the table irregular."""
    parsed: dict[str, T] = {}
    for text in set(texts):
        try:
            parsed[text] = parse(text)
        except ValueError:
            raise Irregular from None
    return list(map(parsed.__getitem__, texts))
