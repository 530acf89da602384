from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from functools import cached_property
from typing import NamedTuple

from feecollect.money import format_yuan


class StatementLine(NamedTuple):
    """One line of a bank statement. ``amount_fen`` is signed: credits (money in) positive.
    A named tuple: immutable, and cheap to build a million times."""

    line_no: int  # where it stands in the file, for error messages and evidence
    booked_on: date
    booked_at: time | None
    amount_fen: int
    currency: str
    counterparty_name: str
    counterparty_account: str
    remark: str  # the free text (摘要, 用途, 附言…) joined, where payment codes are looked for
    serial: str  # the bank's own serial number, empty where the format has none
    balance_fen: int | None


class LineColumns(NamedTuple):
    """A statement's lines as one list per field (the fields of :class:`StatementLine`, in order).
    A year's statement is a million lines: read and stored column by column, each step is one C-level
    pass over a list instead of a Python call per line."""

    line_no: list[int]
    booked_on: list[date]
    booked_at: list[time | None]
    amount_fen: list[int]
    currency: list[str]
    counterparty_name: list[str]
    counterparty_account: list[str]
    remark: list[str]
    serial: list[str]
    balance_fen: list[int | None]

    @classmethod
    def of(cls, lines: Iterable[StatementLine]) -> LineColumns:
        listed = list(lines)
        if not listed:
            return cls(*([] for _ in cls._fields))
        return cls(*map(list, zip(*listed, strict=True)))


@dataclass(frozen=True)
class Statement:
    source: str
    format: str  # e.g. "csv:icbc-personal", "camt.053", "mt940"
    columns: LineColumns
    opening_balance_fen: int | None = None
    closing_balance_fen: int | None = None
    account: str | None = None  # the account number the file names, where it names one
    currency: str | None = None  # the account's currency as the file states it (its balances)
    digest: str = ""  # SHA-256 of the file it came from

    @cached_property
    def lines(self) -> tuple[StatementLine, ...]:
        return tuple(map(StatementLine, *self.columns))

    def balance_problem(self) -> str | None:
        """Where the file carries both balances, opening plus the lines must give the closing balance;
        otherwise lines are missing or altered, which finance must hear about before trusting a run."""
        if self.opening_balance_fen is None or self.closing_balance_fen is None:
            return None
        moved = sum(self.columns.amount_fen)
        if self.opening_balance_fen + moved == self.closing_balance_fen:
            return None
        return (
            f"{self.source}：期初余额 {format_yuan(self.opening_balance_fen)} 元加本期发生额 "
            f"{format_yuan(moved)} 元为 {format_yuan(self.opening_balance_fen + moved)} 元，与期末余额 "
            f"{format_yuan(self.closing_balance_fen)} 元不符：有明细缺失或被改动"
        )


# Stable codes for programs (the `error` of a refusal); the message beside them is for people.
MALFORMED = "malformed_statement"  # a file of a format read here, wrong somewhere
UNSUPPORTED = "unsupported_statement"  # a format or bank layout not read here (BAI2, camt.054…)
NOT_AN_ACCOUNT = "not_an_account_statement"  # a credit-card bill, not an account's transactions
AMBIGUOUS = "ambiguous_statement"  # columns that cannot be placed with certainty
TOO_LARGE = "statement_too_large"  # over the size or archive limits

REFUSAL_CODES = (MALFORMED, UNSUPPORTED, NOT_AN_ACCOUNT, AMBIGUOUS, TOO_LARGE)


class StatementError(ValueError):
    """The file is refused whole; the message (in Chinese, for the finance staff who read it) names
    the file, the line and the field, and ``code`` says the kind of refusal for programs."""

    def __init__(
        self, source: str, line: int | None, field: str | None, message: str, *, code: str = MALFORMED
    ):
        where = source + (f" 第 {line} 行" if line is not None else "") + (f"（{field}）" if field else "")
        super().__init__(f"{where}：{message}")
        self.source, self.line, self.field, self.code, self.reason = source, line, field, code, message
