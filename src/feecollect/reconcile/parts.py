"""A day's reconciliation in parts, for workers (SPEC §17): one part per account and, where an
account's credits name the notices of several divisions, per division (a payment code starts with the
six-digit code of the division that issued it; credits naming no notice form a part of their own).

A part is matched on its own with its rivals beside it: the same day's credits on other accounts
naming the same notices. The first credit for a notice pays it, wherever it was booked, so a part
sees those credits in the run's order and keeps only the verdicts on its own lines. The parts'
findings together are the one-process run's, finding for finding."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from feecollect.reconcile.matching import Line

DIVISION_DIGITS = 6
NO_CODE = ""


@dataclass(frozen=True, order=True)
class Part:
    account_no: str
    division: str | None = None  # None: the whole account; NO_CODE: its credits naming no notice

    def describe(self) -> str:
        if self.division is None:
            return f"账户 {self.account_no}"
        named = f"区划 {self.division}" if self.division else "未注明缴款码"
        return f"账户 {self.account_no}（{named}）"


def division_of(payment_code: str | None) -> str:
    return payment_code[:DIVISION_DIGITS] if payment_code else NO_CODE


def in_run_order(lines: Iterable[Line]) -> list[Line]:
    """The order a one-process run takes a day's lines in: by booking time, untimed first, then by id."""
    return sorted(lines, key=lambda line: (line.booked_at is not None, line.booked_at or "", line.id))
