"""The layouts of Chinese bank exports (``profiles/*.toml``, one per bank layout), and the cell rules
every reader of them shares.

A profile maps the bank's headers to the fields of a statement line; the reader finds the header row
below any preamble, strips the padding banks put in cells (spaces, tabs, U+3000) and their ``-``
placeholders, and reads amounts as split debit/credit columns, one signed column, or an unsigned
column with a direction column. GBK/GB18030 and UTF-8 (with or without BOM) are read alike.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from feecollect.reconcile.statements.types import UNSUPPORTED, StatementError

PROFILES_DIR = Path(__file__).parent / "profiles"
# The fields a profile maps; RowReader.read unpacks a row's cells in this order.
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
# Words that make a column an amount; "余额" (a balance) is not one of them.
AMOUNT_WORDS = ("金额", "发生额", "收入", "支出", "存入", "支取", "转入", "转出")
MAX_FEN = 10**15
PADDING = " \t\u3000\r\n"
_AMOUNT = re.compile(r"^[+-]?\d+(\.\d{1,2})?$")
CURRENCIES = {"人民币": "CNY", "RMB": "CNY", "CNY": "CNY", "": "CNY"}


@dataclass(frozen=True)
class BankProfile:
    code: str
    bank: str
    columns: dict[str, tuple[str, ...]]
    credit_words: frozenset[str] = field(default_factory=frozenset)
    debit_words: frozenset[str] = field(default_factory=frozenset)
    # A bank's own layout matches only a header holding every column it names: its distinguishing
    # columns, not a date and an amount that any table has. The generic layout takes what it finds.
    lenient: bool = False
    # Fields an older or narrower export of the same layout leaves out (ICBC's first version has no
    # 对方账户); every other column the profile names must stand in the header.
    optional: frozenset[str] = field(default_factory=frozenset)

    def locate(self, header: list[str]) -> dict[str, list[int]] | None:
        """Column positions for this profile in a header row, or None when it is not this layout."""
        found: dict[str, list[int]] = {}
        for name, aliases in self.columns.items():
            positions = [header.index(alias) for alias in aliases if alias in header]
            if positions:
                found[name] = positions if name == "remark" else positions[:1]
        has_amount = "amount" in found or ("credit" in found and "debit" in found)
        if not self.lenient and any(name not in found for name in self.columns if name not in self.optional):
            return None
        return found if "date" in found and has_amount else None

    def unplaced_amounts(self, header: list[str], found: dict[str, list[int]]) -> list[str]:
        """Columns of the header that name an amount this layout did not place: where the generic
        layout matched, the file is ambiguous (which is the credit?) and is refused naming them."""
        placed = {position for positions in found.values() for position in positions}
        return [
            name
            for position, name in enumerate(header)
            if position not in placed and any(word in name for word in AMOUNT_WORDS)
        ]


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
                lenient=bool(data["profile"].get("lenient", False)),
                optional=frozenset(data["profile"].get("optional", ())),
            )
        )
    return tuple(profiles)


@lru_cache(maxsize=1)
def default_profiles() -> tuple[BankProfile, ...]:
    return load_profiles()


def clean(cell: str) -> str:
    """A cell without the padding banks add, and empty where it holds only a ``-----`` placeholder."""
    text = cell.strip(PADDING)
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
    raise StatementError(source, None, None, "不是 UTF-8 或 GBK/GB18030 文本，无法识别格式", code=UNSUPPORTED)


@lru_cache(maxsize=65_536)  # statements repeat amounts (the same fee, paid many times)
def parse_fen(text: str) -> int:
    """Yuan as written in bank exports: thousands separators, a sign, a currency mark around it.

    >>> parse_fen("1,584,800.00"), parse_fen("+10000.00"), parse_fen("¥1,234.5"), parse_fen("-3.00元")
    (158480000, 1000000, 123450, -300)
    """
    compact = text.replace(",", "").replace("，", "")
    if not compact[:1].isdigit():
        compact = compact.replace("¥", "").replace("￥", "")
    compact = compact.removesuffix("元")
    if not _AMOUNT.fullmatch(compact):
        raise ValueError(f"「{text}」不是金额")
    fen = int(Decimal(compact) * 100)
    if abs(fen) >= MAX_FEN:
        raise ValueError(f"「{text}」超出对账单金额的范围")
    return fen


@lru_cache(maxsize=65_536)  # a statement repeats few dates and times: parse each once
def parse_when(text: str) -> tuple[date, time | None]:
    """Dates as 2025-08-22, 2025/08/22, 20250822, 2025.08.22 or 2025年08月22日, optionally followed
    by a time (after a space, or a ``T``).

    >>> parse_when("2025年8月22日"), parse_when("2025-08-22T09:30:00")[1]
    ((datetime.date(2025, 8, 22), None), datetime.time(9, 30))
    """
    day_text, _, time_text = text.partition(" ")
    if not time_text and "T" in day_text[8:11]:
        day_text, _, time_text = day_text.partition("T")
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            day = datetime.strptime(day_text, pattern).date()
            break
        except ValueError:
            continue
    else:
        raise ValueError(f"「{text}」不是日期")
    return day, parse_time(time_text.strip()) if time_text.strip() else None


@lru_cache(maxsize=65_536)
def parse_time(text: str) -> time:
    for pattern in ("%H:%M:%S", "%H%M%S", "%H:%M"):
        try:
            return datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    raise ValueError(f"「{text}」不是时间")


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
