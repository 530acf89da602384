"""The field readers of a schedule file: each reads one value of a TOML table, and records what is wrong
with it as a ``ScheduleIssue`` instead of raising, so that one pass reports every problem."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from feecollect.schedules.types import (
    RateRange,
)

ITEM_CODE = re.compile(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)*")
NAME_TOKEN = re.compile(r"[a-z][a-z0-9_]*")
DEPARTMENT_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,15}")
# 政府收支分类科目 of the 非税收入 class: 103, then 款, 项 and 目 of two digits each (1030414), and on
# bills, after the 目, three more local digits (103050101001).
REVENUE_ACCOUNT = re.compile(r"103(\d{2}){1,3}|103\d{9}")
MAX_DECIMAL_PLACES = 6

FAMILY_KEYS = {"code", "name", "region", "note", "revenue_classification"}
DEPARTMENT_KEYS = {"name"}
ITEM_KEYS = {
    "code",
    "name",
    "department",
    "revenue_account",
    "basis",
    "enterprise_related",
    "pricing",
    "unit",
    "parameter",
    "rate",
    "tiers",
    "scale",
    "quantity_factor",
    "floor",
    "cap",
    "effective_from",
    "effective_to",
    "cancellation",
    "reliefs",
    "project_types",
}
RATE_KEYS = {"min", "max"}
TIER_KEYS = {"up_to", "min", "max"}
RELIEF_KEYS = {"flag", "name", "percent", "basis", "payer_kind"}
CANCELLATION_KEYS = {"on", "basis"}


@dataclass(frozen=True, slots=True)
class ScheduleIssue:
    file: str
    item: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.item}:{self.field}: {self.message}"


class FieldReader:
    """Field readers that record an issue and return None instead of raising."""

    def __init__(self, file: str):
        self.file = file
        self.issues: list[ScheduleIssue] = []

    def issue(self, item: str, field: str, message: str) -> None:
        self.issues.append(ScheduleIssue(self.file, item, field, message))

    def unknown_keys(self, item: str, prefix: str, table: dict[str, Any], allowed: set[str]) -> None:
        for key in sorted(set(table) - allowed):
            self.issue(item, f"{prefix}{key}", f"unknown field (allowed: {', '.join(sorted(allowed))})")

    def text(
        self,
        item: str,
        field: str,
        table: dict[str, Any],
        *,
        required: bool = True,
        pattern: re.Pattern[str] | None = None,
    ) -> str | None:
        value = table.get(field.rsplit(".", 1)[-1])
        if value is None:
            if required:
                self.issue(item, field, "missing")
            return None
        if not isinstance(value, str) or not value.strip():
            self.issue(item, field, "must be a non-empty string")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.issue(item, field, f"{value!r} does not match {pattern.pattern}")
            return None
        return value.strip()

    def decimal(self, item: str, field: str, value: Any, *, minimum: Decimal = Decimal(0)) -> Decimal | None:
        if isinstance(value, bool | float):
            # A binary float cannot hold most decimal rates exactly (1.2 is 1.19999...).
            self.issue(item, field, f'write decimals as strings, e.g. "{value}", not as TOML floats')
            return None
        if isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, str):
            try:
                number = Decimal(value.strip())
            except InvalidOperation:
                self.issue(item, field, f"{value!r} is not a decimal number")
                return None
        else:
            self.issue(item, field, "must be a decimal number written as a string")
            return None
        if not number.is_finite():
            self.issue(item, field, f"{value!r} is not a finite number")
            return None
        if number < minimum:
            self.issue(item, field, f"{value} is below {minimum}")
            return None
        if -number.as_tuple().exponent > MAX_DECIMAL_PLACES:  # type: ignore[operator]
            self.issue(item, field, f"{value} has more than {MAX_DECIMAL_PLACES} decimal places")
            return None
        return number

    def day(self, item: str, field: str, value: Any) -> date | None:
        if isinstance(value, date) and not hasattr(value, "hour"):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.issue(item, field, f"{value!r} is not a date (write 2024-01-31)")
        return None

    def rate_range(self, item: str, field: str, value: Any, keys: set[str] = RATE_KEYS) -> RateRange | None:
        if not isinstance(value, dict):
            self.issue(item, field, 'must be a table with min and max, e.g. { min = "1.00", max = "2.00" }')
            return None
        self.unknown_keys(item, f"{field}.", value, keys)
        low = self.decimal(item, f"{field}.min", value["min"]) if "min" in value else None
        high = self.decimal(item, f"{field}.max", value["max"]) if "max" in value else None
        for key in ("min", "max"):
            if key not in value:
                self.issue(item, f"{field}.{key}", "missing")
        if low is None or high is None:
            return None
        if low > high:
            self.issue(item, f"{field}.min", f"min {low} is above max {high}")
            return None
        return RateRange(low, high)
