"""Settling a project at completion (办结决算), checked without a database.

The bundle collected each fee on the declared parameters; settlement prices the same items, at the same
item versions and rates (those in force on the declaration date), on the actual parameters. Each fee is
settled on its own: a fee that grew is topped up, a fee that shrank is refunded. One department's
overpayment never pays another department's fee, so a project can get both a top-up notice and a
refund order. The final amount of each fee goes to its department's revenue.

Remainders: every fee is priced and rounded to the fen once, on its own line, by the quote engine, so a
department's allocation is the sum of its lines' final amounts and the allocations add up to the final
amount exactly. No amount is ever divided, so no remainder arises to be distributed.

>>> collected = {"A": ("D1", 1000), "B": ("D2", 500)}
>>> s = settle(collected, {"A": ("D1", 1200), "B": ("D2", 300)})
>>> (s.collected_fen, s.final_fen, s.top_up_fen, s.refund_fen, s.difference_fen)
(1500, 1500, 200, 200, 0)
>>> s.allocations()
{'D1': 1200, 'D2': 300}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class SettledFee:
    item: str
    department: str
    collected_fen: int
    final_fen: int

    @property
    def top_up_fen(self) -> int:
        return max(0, self.final_fen - self.collected_fen)

    @property
    def refund_fen(self) -> int:
        return max(0, self.collected_fen - self.final_fen)


@dataclass(frozen=True, slots=True)
class Settlement:
    fees: tuple[SettledFee, ...]

    @classmethod
    def of_stored(cls, fees: Iterable[Mapping[str, Any]]) -> Settlement:
        """From the fees as stored: {item, department, collected_fen, final_fen} each (and what else
        the store keeps beside them, such as the final charge a replacement bill prints)."""
        return cls(
            tuple(
                SettledFee(fee["item"], fee["department"], fee["collected_fen"], fee["final_fen"])
                for fee in fees
            )
        )

    @property
    def collected_fen(self) -> int:
        return sum(fee.collected_fen for fee in self.fees)

    @property
    def final_fen(self) -> int:
        return sum(fee.final_fen for fee in self.fees)

    @property
    def top_up_fen(self) -> int:
        return sum(fee.top_up_fen for fee in self.fees)

    @property
    def refund_fen(self) -> int:
        return sum(fee.refund_fen for fee in self.fees)

    @property
    def difference_fen(self) -> int:
        """Final minus collected: positive when more is due overall."""
        return self.final_fen - self.collected_fen

    def allocations(self) -> dict[str, int]:
        """Each department's share of the final amount, in fen, departments in code order."""
        shares: dict[str, int] = {}
        for fee in sorted(self.fees, key=lambda f: f.department):
            shares[fee.department] = shares.get(fee.department, 0) + fee.final_fen
        return shares


class SettlementMismatch(ValueError):
    """The final pricing names a fee under another department than the bundle did."""


def settle(collected: Mapping[str, tuple[str, int]], final: Mapping[str, tuple[str, int]]) -> Settlement:
    """``collected`` and ``final`` map each item code to (department code, fen). An item in only one of
    them counts as 0 in the other."""
    fees = []
    for item in sorted(collected.keys() | final.keys()):
        department, collected_fen = collected.get(item, (None, 0))
        final_department, final_fen = final.get(item, (department, 0))
        if department is not None and final_department != department:
            raise SettlementMismatch(f"{item} was collected for {department}, priced for {final_department}")
        if collected_fen < 0 or final_fen < 0:
            raise ValueError(f"{item}: amounts cannot be negative")
        fees.append(SettledFee(item, final_department, collected_fen, final_fen))  # type: ignore[arg-type]
    return Settlement(tuple(fees))
