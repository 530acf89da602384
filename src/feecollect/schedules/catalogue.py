"""Which version of an item is in force on a date: a pure lookup over loaded fee items."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from feecollect.schedules.types import FeeItem


@dataclass(frozen=True, slots=True)
class Unavailable:
    """Why an item cannot be charged on a date: ``code`` is the API error code."""

    code: str
    detail: str


class Catalogue:
    def __init__(self, items: Iterable[FeeItem]):
        periods: dict[str, list[FeeItem]] = {}
        for item in items:
            periods.setdefault(item.code, []).append(item)
        self._periods = {
            code: tuple(sorted(p, key=lambda i: i.effective_from)) for code, p in periods.items()
        }
        self.relief_flags = frozenset(
            relief.flag for entries in self._periods.values() for item in entries for relief in item.reliefs
        )

    def __len__(self) -> int:
        return sum(len(p) for p in self._periods.values())

    def __iter__(self) -> Iterator[FeeItem]:
        for code in sorted(self._periods):
            yield from self._periods[code]

    def codes(self) -> list[str]:
        return sorted(self._periods)

    def department_names(self) -> dict[str, str]:
        """Department code → name, as the schedules give them."""
        return {item.department.code: item.department.name for item in self}

    def relief_names(self) -> dict[str, str]:
        """Relief flag → the name payers read (小微企业免收), as the schedules give them."""
        return {
            relief.flag: relief.name or relief.flag
            for entries in self._periods.values()
            for item in entries
            for relief in item.reliefs
        }

    def periods(self, code: str) -> tuple[FeeItem, ...]:
        return self._periods.get(code, ())

    def resolve(self, code: str, on: date) -> FeeItem | Unavailable:
        periods = self._periods.get(code)
        if not periods:
            return Unavailable("unknown_item", f"no fee item with code {code!r} in the published schedules")
        for item in periods:
            if item.cancellation is not None and on >= item.cancellation.on:
                return Unavailable(
                    "item_cancelled",
                    f"{code} {item.name} was cancelled on {item.cancellation.on.isoformat()} "
                    f"({item.cancellation.basis}) and cannot be charged for a service on {on.isoformat()}",
                )
        for item in periods:
            if item.covers(on):
                return item
        first = periods[0]
        if on < first.effective_from:
            return Unavailable(
                "item_not_yet_effective",
                f"{code} {first.name} takes effect on {first.effective_from.isoformat()}, "
                f"after {on.isoformat()}",
            )
        return Unavailable(
            "item_not_in_force",
            f"{code} {first.name} is not in force on {on.isoformat()} "
            f"(periods: {', '.join(p.period_label for p in periods)})",
        )

    def in_force(self, on: date) -> list[FeeItem]:
        found = []
        for code in sorted(self._periods):
            resolved = self.resolve(code, on)
            if isinstance(resolved, FeeItem):
                found.append(resolved)
        return found
