"""Chinese bank CSV exports, read through bank profiles (``profiles/*.toml``, one per layout).

A profile maps the bank's headers to the fields of a statement line; the reader finds the header row
below any preamble, strips the padding banks put in cells (spaces, tabs, U+3000) and their ``-``
placeholders, and reads amounts as split debit/credit columns, one signed column, or an unsigned
column with a direction column. GBK/GB18030 and UTF-8 (with or without BOM) are read alike.
"""

from __future__ import annotations

import csv
import io
import itertools
import operator
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from feecollect.reconcile.statements.types import LineColumns, Statement, StatementError, StatementLine

PROFILES_DIR = Path(__file__).parent / "profiles"
# The fields a profile maps; _LineReader.read unpacks a row's cells in this order.
FIELDS = (
    "account",
    "date",
    "time",
    "amount",
    "credit",
    "debit",
    "direction",
    "currency",
    "balance",
    "counterparty_name",
    "counterparty_account",
    "remark",
    "serial",
)
HEADER_SEARCH_ROWS = 30
MAX_FEN = 10**15
_PADDING = " \t\u3000\r\n"
_AMOUNT = re.compile(r"^[+-]?\d+(\.\d{1,2})?$")
CURRENCIES = {"人民币": "CNY", "RMB": "CNY", "CNY": "CNY", "": "CNY"}


@dataclass(frozen=True)
class BankProfile:
    code: str
    bank: str
    columns: dict[str, tuple[str, ...]]
    credit_words: frozenset[str] = field(default_factory=frozenset)
    debit_words: frozenset[str] = field(default_factory=frozenset)

    def locate(self, header: list[str]) -> dict[str, list[int]] | None:
        """Column positions for this profile in a header row, or None when it is not this layout."""
        found: dict[str, list[int]] = {}
        for name, aliases in self.columns.items():
            positions = [header.index(alias) for alias in aliases if alias in header]
            if positions:
                found[name] = positions if name == "remark" else positions[:1]
        has_amount = "amount" in found or ("credit" in found and "debit" in found)
        return found if "date" in found and has_amount else None


def load_profiles(directory: Path = PROFILES_DIR) -> tuple[BankProfile, ...]:
    profiles = []
    for path in sorted(directory.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        unknown = set(data.get("columns", {})) - set(FIELDS)
        if unknown:
            raise ValueError(f"{path.name}: unknown column field(s) {', '.join(sorted(unknown))}")
        direction = data.get("direction", {})
        profiles.append(
            BankProfile(
                code=data["profile"]["code"],
                bank=data["profile"]["bank"],
                columns={k: tuple(v) for k, v in data["columns"].items()},
                credit_words=frozenset(direction.get("credit", ())),
                debit_words=frozenset(direction.get("debit", ())),
            )
        )
    return tuple(profiles)


@lru_cache(maxsize=1)
def default_profiles() -> tuple[BankProfile, ...]:
    return load_profiles()


def clean(cell: str) -> str:
    """A cell without the padding banks add, and empty where it holds only a ``-----`` placeholder."""
    text = cell.strip(_PADDING)
    return "" if text[:1] == "-" and not text.strip("-") else text


def text_encoding(source: str, content: bytes) -> str:
    """The encoding the whole file decodes in. The decoded copy is dropped at once: the reader
    decodes again as it streams, instead of holding the text (four bytes a character in a StringIO)
    beside a million parsed lines."""
    if b"\x00" not in content:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                content.decode(encoding)
            except UnicodeDecodeError:
                continue
            return encoding
    raise StatementError(source, None, None, "not UTF-8 or GBK/GB18030 text")


@lru_cache(maxsize=65_536)  # statements repeat amounts (the same fee, paid many times)
def parse_fen(text: str) -> int:
    compact = text.replace(",", "").replace("，", "")
    if not _AMOUNT.fullmatch(compact):
        raise ValueError(f"{text!r} is not an amount")
    fen = int(Decimal(compact) * 100)
    if abs(fen) >= MAX_FEN:
        raise ValueError(f"{text!r} is larger than any statement amount")
    return fen


@lru_cache(maxsize=65_536)  # a statement repeats few dates and times: parse each once
def parse_when(text: str) -> tuple[date, time | None]:
    """Dates as 2025-08-22, 2025/08/22, 20250822 or 2025.08.22, optionally followed by a time."""
    day_text, _, time_text = text.partition(" ")
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            day = datetime.strptime(day_text, pattern).date()
            break
        except ValueError:
            continue
    else:
        raise ValueError(f"{text!r} is not a date")
    return day, parse_time(time_text.strip()) if time_text.strip() else None


@lru_cache(maxsize=65_536)
def parse_time(text: str) -> time:
    for pattern in ("%H:%M:%S", "%H%M%S", "%H:%M"):
        try:
            return datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a time")


def detect(
    rows: list[list[str]], profiles: tuple[BankProfile, ...]
) -> tuple[BankProfile, int, dict[str, list[int]]] | None:
    """The profile matching a header row near the top, preferring the one that maps the most columns."""
    best = None
    for row_index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        header = [clean(cell) for cell in row]
        for profile in profiles:
            located = profile.locate(header)
            if located is not None and (best is None or len(located) > len(best[2])):
                best = (profile, row_index, located)
        if best is not None:
            return best
    return None


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
            raise StatementError(source, reader.line_num, None, f"not CSV: {exc}") from None

    return read_rows(source, rows(), "csv", profiles)


def _refuse_spanning_row(source: str, block: list[list[str]], lines_before: int) -> None:
    """Name the first row of ``block`` (which starts after ``lines_before`` lines) holding a line break."""
    for offset, row in enumerate(block):
        if any("\n" in cell or "\r" in cell for cell in row):
            line_no = lines_before + offset + 1
            raise StatementError(
                source, line_no, None, "a quoted cell runs over several lines: is a quote left open?"
            )


def read_rows(
    source: str, rows: Iterable[list[str]], kind: str, profiles: tuple[BankProfile, ...] | None = None
) -> Statement:
    """A table of text cells (from CSV, XLSX or XLS) through the bank profile its header row matches.

    The table is read column by column (:class:`_ColumnReader`). Where it holds anything irregular (a
    cell that does not read, a note row with an amount, a split amount with both sides) it is read
    again row by row (:class:`_LineReader`), whose per-line rules are the meaning of a statement and
    which names the first bad line and field."""
    profiles = profiles or default_profiles()
    rows = iter(rows)
    head = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    found = detect(head, profiles)
    if found is None:
        raise StatementError(
            source,
            None,
            None,
            "no header row of a known bank layout in the first "
            f"{HEADER_SEARCH_ROWS} rows (profiles: {', '.join(p.code for p in profiles)})",
        )
    profile, header_index, columns = found
    header = [clean(cell) for cell in head[header_index]]
    first_line_no = header_index + 2
    by_rows = _LineReader(source, profile, header, columns)
    table = head[header_index + 1 :]
    try:
        table.extend(rows)
    except StatementError:
        # The file stops being CSV further down: a bad line above that point is the first error.
        by_rows.read_all(table, first_line_no)
        raise
    try:
        lines, accounts = _ColumnReader(profile, columns).read_all(table, first_line_no)
    except _Irregular:
        lines, accounts = by_rows.read_all(table, first_line_no)
    if not lines.line_no:
        raise StatementError(source, None, None, "no statement lines below the header")
    if len(accounts) > 1:
        raise StatementError(
            source,
            None,
            by_rows.header_of("account"),
            f"lines of several accounts: {', '.join(sorted(accounts))}",
        )
    return Statement(
        source=source,
        format=f"{kind}:{profile.code}",
        columns=lines,
        account=accounts.pop() if accounts else None,
    )


class _Irregular(Exception):
    """The table holds something only the row-by-row reader decides."""


class _ColumnReader:
    """Reads the rows below one header a column at a time: each cell is stripped, and each distinct
    date, time and amount text parsed once, in C-level passes over a column. It reads only what reads
    without question and raises :class:`_Irregular` for anything else, so that it always gives what
    :class:`_LineReader` gives, line by line, for the same table (a test holds it to that)."""

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
                    raise _Irregular
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
                raise _Irregular  # such a line reads its split columns instead
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
                raise _Irregular  # a negative amount marked as a credit
            return list(map(operator.mul, map(abs, fen), signs))
        credit_texts, debit_texts = columns["credit"], columns["debit"]
        credit = _parsed(credit_texts, lambda text: parse_fen(text) if text else 0)
        debit = _parsed(debit_texts, lambda text: parse_fen(text) if text else 0)
        if min(credit, default=0) < 0:
            raise _Irregular  # a negative credit
        if any(map(operator.and_, map(bool, credit), map(bool, debit))):
            raise _Irregular  # both a credit and a debit on one line
        if not all(map(operator.add, credit_texts, debit_texts)):
            raise _Irregular  # a line with no amount
        return list(map(operator.sub, credit, map(abs, debit)))


def _cells(table: list[list[str]], position: int) -> list[str]:
    """One column, stripped of padding, with ``-----`` placeholders emptied."""
    values = list(map(str.strip, map(operator.itemgetter(position), table), itertools.repeat(_PADDING)))
    # Does any cell start with "-"? One join and one substring search, in C, instead of a call per cell.
    if values and (values[0][:1] == "-" or "\x1f-" in "\x1f".join(values)):
        values = list(map(clean, values))
    return values


def _taken(values: list, keep: list[int]) -> list:  # type: ignore[type-arg]
    return list(map(values.__getitem__, keep))


def _parsed(texts: list[str], parse):  # type: ignore[no-untyped-def]
    """``parse`` applied to each distinct text once; a text it refuses makes the table irregular."""
    parsed = {}
    for text in set(texts):
        try:
            parsed[text] = parse(text)
        except ValueError:
            raise _Irregular from None
    return list(map(parsed.__getitem__, texts))


# The cells a line is read from, in FIELDS order, which _LineReader.read unpacks; the remark's cells
# (a layout may have several) come last.
_SINGLE_CELL_FIELDS = tuple(name for name in FIELDS if name != "remark")


class _LineReader:
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
        self.padding = (_PADDING,) * len(wanted)
        self.accounts: set[str] = set()  # the account numbers the lines name

    def header_of(self, name: str) -> str:
        return self.header[self.positions[name]] if name in self.positions else name

    def read_all(self, table: list[list[str]], first_line_no: int) -> tuple[LineColumns, set[str]]:
        read = self.read
        numbered = enumerate(table, first_line_no)
        lines = [line for line_no, row in numbered if (line := read(row, line_no)) is not None]
        return LineColumns.of(lines), self.accounts

    def fail(self, line_no: int, name: str, message: str) -> StatementError:
        return StatementError(self.source, line_no, self.header_of(name), message)

    def read(self, row: list[str], line_no: int) -> StatementLine | None:
        row = [*row, ""] if len(row) >= self.width else row + [""] * (self.width + 1 - len(row))
        cells = list(map(str.strip, self.fetch(row), self.padding))
        if "\x1f-" in "\x1f" + "\x1f".join(cells):  # a cell starting with "-": a placeholder or a sign
            cells = [clean(cell) for cell in cells]
        account, when, time_text, amount_text, credit, debit, direction, currency, balance_text = cells[:9]
        name, counterparty_account, serial, *remarks = cells[9:]
        if not when:
            if not (amount_text or credit or debit):
                return None  # an empty row, or a summary or note row below the lines
            raise self.fail(line_no, "date", "empty")
        try:
            booked_on, booked_at = parse_when(when)
            if time_text:
                booked_at = parse_time(time_text)
        except ValueError as exc:
            raise self.fail(
                line_no, "time" if time_text and "time" in str(exc) else "date", str(exc)
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


def _amount(
    profile: BankProfile, reader: _LineReader, line_no: int, amount: str, credit: str, debit: str, word: str
) -> int:
    if "amount" in profile.columns and amount:
        try:
            fen = parse_fen(amount)
        except ValueError as exc:
            raise reader.fail(line_no, "amount", str(exc)) from None
        if "direction" in profile.columns:
            if word in profile.credit_words:
                if fen < 0:
                    raise reader.fail(
                        line_no, "amount", f"{amount} is negative but marked as a credit ({word})"
                    )
                return fen
            if word in profile.debit_words:
                return -abs(fen)
            raise reader.fail(
                line_no,
                "direction",
                f"{word!r} is neither credit ({'/'.join(sorted(profile.credit_words))}) "
                f"nor debit ({'/'.join(sorted(profile.debit_words))})",
            )
        return fen
    try:
        credit_fen = parse_fen(credit) if credit else 0
    except ValueError as exc:
        raise reader.fail(line_no, "credit", str(exc)) from None
    if credit_fen < 0:
        raise reader.fail(
            line_no, "credit", f"{credit} is negative: money paid out belongs in the debit column"
        )
    try:
        debit_fen = parse_fen(debit) if debit else 0
    except ValueError as exc:
        raise reader.fail(line_no, "debit", str(exc)) from None
    if credit_fen and debit_fen:
        raise reader.fail(line_no, "credit", "both a credit and a debit on one line")
    if not (credit or debit):
        raise reader.fail(line_no, "credit" if "credit" in profile.columns else "amount", "no amount")
    return credit_fen - abs(debit_fen)
