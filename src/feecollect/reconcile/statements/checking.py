"""What a statement file holds, told without storing it (``feecollect statements check``, SPEC §14):
per statement its account, currency, balances, days and the count and total of credits and debits,
and whether the balances add up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from feecollect.money import format_yuan
from feecollect.reconcile.statements.types import Statement


@dataclass(frozen=True)
class StatementCheck:
    account: str | None
    currency: str | None
    opening_fen: int | None
    closing_fen: int | None
    first_day: str | None  # None for a statement without transactions
    last_day: str | None
    lines: int
    credits: int
    credit_fen: int
    debits: int
    debit_fen: int

    @property
    def balanced(self) -> bool | None:
        """Opening + credits − debits = closing; None where the file states no balances."""
        if self.opening_fen is None or self.closing_fen is None:
            return None
        return self.opening_fen + self.credit_fen - self.debit_fen == self.closing_fen

    def as_dict(self) -> dict[str, Any]:
        def yuan(fen: int | None) -> str | None:
            return None if fen is None else format_yuan(fen)

        return {
            "account": self.account,
            "currency": self.currency,
            "opening": yuan(self.opening_fen),
            "closing": yuan(self.closing_fen),
            "first_day": self.first_day,
            "last_day": self.last_day,
            "lines": self.lines,
            "credits": self.credits,
            "credit_total": yuan(self.credit_fen),
            "debits": self.debits,
            "debit_total": yuan(self.debit_fen),
            "balanced": self.balanced,
        }


def check(statement: Statement, account_no: str | None = None) -> StatementCheck:
    """``account_no`` (given by the user) stands for the account where the file names none or
    overrides it."""
    columns = statement.columns
    amounts = columns.amount_fen
    currencies = sorted(set(columns.currency) - {""})
    return StatementCheck(
        account=account_no or statement.account,
        currency=statement.currency or (currencies[0] if len(currencies) == 1 else None),
        opening_fen=statement.opening_balance_fen,
        closing_fen=statement.closing_balance_fen,
        first_day=min(columns.booked_on).isoformat() if columns.booked_on else None,
        last_day=max(columns.booked_on).isoformat() if columns.booked_on else None,
        lines=len(amounts),
        credits=sum(1 for fen in amounts if fen > 0),
        credit_fen=sum(fen for fen in amounts if fen > 0),
        debits=sum(1 for fen in amounts if fen < 0),
        debit_fen=-sum(fen for fen in amounts if fen < 0),
    )


def report(source: str, statements: Sequence[Statement], account_no: str | None = None) -> dict[str, Any]:
    """The SPEC §14 answer for one file: its statements in file order, and the warnings by statement."""
    warnings = [
        {"statement": index, "line": None, "field": None, "message": problem}
        for index, statement in enumerate(statements)
        if (problem := statement.balance_problem())
    ]
    kinds = sorted({statement.format for statement in statements})
    return {
        "file": source,
        "format": kinds[0] if len(kinds) == 1 else ",".join(kinds),
        "statements": [check(statement, account_no).as_dict() for statement in statements],
        "warnings": warnings,
    }
