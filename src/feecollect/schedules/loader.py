"""Read and validate fee schedule files (the documented TOML format, see README "Fee schedules").

Every problem is reported as ``file:item:field: reason``; a directory with any problem loads nothing.
"""

from __future__ import annotations

import itertools
import tomllib
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from feecollect.errors import ConfigurationError
from feecollect.schedules.fields import (
    CANCELLATION_KEYS,
    DEPARTMENT_CODE,
    DEPARTMENT_KEYS,
    FAMILY_KEYS,
    ITEM_CODE,
    ITEM_KEYS,
    NAME_TOKEN,
    RELIEF_KEYS,
    REVENUE_ACCOUNT,
    TIER_KEYS,
    FieldReader,
    ScheduleIssue,
)
from feecollect.schedules.types import (
    PAYER_KINDS,
    PRICING_KINDS,
    SCALE_DIVISORS,
    Cancellation,
    Department,
    FeeItem,
    Relief,
    Tier,
)


class ScheduleErrors(ConfigurationError):
    def __init__(self, issues: Iterable[ScheduleIssue]):
        self.issues = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


def parse_schedule_text(text: str, file: str) -> tuple[list[FeeItem], list[ScheduleIssue]]:
    reader = FieldReader(file)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reader.issue("-", "-", f"not valid TOML: {exc}")
        return [], reader.issues
    reader.unknown_keys("-", "", document, {"family", "departments", "items"})

    family_table = document.get("family")
    family = None
    if not isinstance(family_table, dict):
        reader.issue("-", "family", "missing [family] table with code and name")
    else:
        reader.unknown_keys("-", "family.", family_table, FAMILY_KEYS)
        family = reader.text("-", "family.code", family_table, pattern=NAME_TOKEN)
        reader.text("-", "family.name", family_table)
        # Where the items' revenue_account codes come from (the year's 政府收支分类科目, or the finance
        # bureau's chart of accounts): an auditor checks a code against it.
        reader.text("-", "family.revenue_classification", family_table)

    departments: dict[str, Department] = {}
    department_table = document.get("departments", {})
    if not isinstance(department_table, dict):
        reader.issue("-", "departments", "must be a table of [departments.CODE] entries")
        department_table = {}
    for code, entry in department_table.items():
        if not DEPARTMENT_CODE.fullmatch(code):
            reader.issue(
                "-", f"departments.{code}", f"department code does not match {DEPARTMENT_CODE.pattern}"
            )
            continue
        if not isinstance(entry, dict):
            reader.issue("-", f"departments.{code}", "must be a table with a name")
            continue
        reader.unknown_keys("-", f"departments.{code}.", entry, DEPARTMENT_KEYS)
        name = reader.text("-", f"departments.{code}.name", entry)
        if name:
            departments[code] = Department(code, name)

    raw_items = document.get("items", [])
    if not isinstance(raw_items, list) or not raw_items:
        reader.issue("-", "items", "a schedule file needs at least one [[items]] entry")
        raw_items = []
    items = []
    for index, raw in enumerate(raw_items, start=1):
        item = _parse_item(reader, raw, index, family or "", departments)
        if item is not None:
            items.append(item)
    return items, reader.issues


def _parse_item(
    reader: FieldReader, raw: Any, index: int, family: str, departments: dict[str, Department]
) -> FeeItem | None:
    if not isinstance(raw, dict):
        reader.issue(f"#{index}", "-", "an [[items]] entry must be a table")
        return None
    code = raw.get("code")
    label = code if isinstance(code, str) and code else f"#{index}"
    before = len(reader.issues)
    reader.unknown_keys(label, "", raw, ITEM_KEYS)

    code = reader.text(label, "code", raw, pattern=ITEM_CODE)
    name = reader.text(label, "name", raw)
    basis = reader.text(label, "basis", raw)
    unit = reader.text(label, "unit", raw)
    revenue_account = reader.text(label, "revenue_account", raw, pattern=REVENUE_ACCOUNT)
    parameter = reader.text(label, "parameter", raw, required=False, pattern=NAME_TOKEN)

    department = None
    department_code = reader.text(label, "department", raw)
    if department_code is not None:
        department = departments.get(department_code)
        if department is None:
            known = ", ".join(sorted(departments)) or "none"
            reader.issue(
                label,
                "department",
                f"{department_code!r} is not declared in [departments] (declared: {known})",
            )

    enterprise_related = raw.get("enterprise_related")
    if not isinstance(enterprise_related, bool):
        reader.issue(label, "enterprise_related", "missing or not true/false")

    pricing = raw.get("pricing")
    if pricing not in PRICING_KINDS:
        reader.issue(label, "pricing", f"{pricing!r} is not one of {', '.join(PRICING_KINDS)}")
        pricing = None

    rate = None
    tiers: list[Tier] = []
    if pricing == "tiered":
        if "rate" in raw:
            reader.issue(label, "rate", "a tiered item states its rates in tiers, not in rate")
        tiers = _parse_tiers(reader, label, raw.get("tiers"))
    elif pricing is not None:
        if "tiers" in raw:
            reader.issue(label, "tiers", f"only tiered items have tiers, this one is {pricing}")
        if "rate" not in raw:
            reader.issue(label, "rate", "missing")
        else:
            rate = reader.rate_range(label, "rate", raw["rate"])

    scale = raw.get("scale")
    if pricing == "percent":
        if scale not in SCALE_DIVISORS:
            reader.issue(
                label, "scale", f'a percent item needs scale = "percent" or "permille", got {scale!r}'
            )
    elif scale is not None:
        reader.issue(label, "scale", "only percent items have a scale")
    if pricing in ("per_unit", "tiered", "percent") and parameter is None and "parameter" not in raw:
        reader.issue(label, "parameter", f"a {pricing} item names the quantity it is charged on")

    quantity_factor = Decimal(1)
    if "quantity_factor" in raw:
        if pricing != "per_unit":
            reader.issue(label, "quantity_factor", "only per_unit items have a quantity_factor")
        factor = reader.decimal(label, "quantity_factor", raw["quantity_factor"])
        if factor is not None:
            if factor == 0:
                reader.issue(label, "quantity_factor", "must be above zero")
            else:
                quantity_factor = factor

    floor = reader.decimal(label, "floor", raw["floor"]) if "floor" in raw else None
    cap = reader.decimal(label, "cap", raw["cap"]) if "cap" in raw else None
    if floor is not None and cap is not None and floor > cap:
        reader.issue(label, "floor", f"floor {floor} is above cap {cap}")

    effective_from = (
        reader.day(label, "effective_from", raw["effective_from"]) if "effective_from" in raw else None
    )
    if "effective_from" not in raw:
        reader.issue(label, "effective_from", "missing")
    effective_to = reader.day(label, "effective_to", raw["effective_to"]) if "effective_to" in raw else None
    if effective_from and effective_to and effective_to <= effective_from:
        reader.issue(label, "effective_to", f"{effective_to} is not after effective_from {effective_from}")

    cancellation = _parse_cancellation(reader, label, raw.get("cancellation"), effective_from)
    reliefs = _parse_reliefs(reader, label, raw.get("reliefs", []))

    project_types = raw.get("project_types", [])
    if not isinstance(project_types, list) or not all(
        isinstance(t, str) and NAME_TOKEN.fullmatch(t) for t in project_types
    ):
        reader.issue(label, "project_types", 'must be a list of lower-case names, e.g. ["residential"]')
        project_types = []

    if len(reader.issues) > before:
        return None
    assert code and name and basis and unit and revenue_account and department and pricing and effective_from
    return FeeItem(
        code=code,
        name=name,
        family=family,
        department=department,
        revenue_account=revenue_account,
        basis=basis,
        enterprise_related=bool(enterprise_related),
        pricing=pricing,
        unit=unit,
        parameter=parameter,
        rate=rate,
        tiers=tuple(tiers),
        scale=scale,
        quantity_factor=quantity_factor,
        floor=floor,
        cap=cap,
        effective_from=effective_from,
        effective_to=effective_to,
        cancellation=cancellation,
        reliefs=tuple(reliefs),
        project_types=tuple(project_types),
        source=reader.file,
    )


def _parse_tiers(reader: FieldReader, label: str, raw: Any) -> list[Tier]:
    if not isinstance(raw, list) or not raw:
        reader.issue(label, "tiers", "a tiered item needs at least one tier")
        return []
    tiers: list[Tier] = []
    previous: Decimal | None = Decimal(0)
    for position, entry in enumerate(raw, start=1):
        field = f"tiers[{position}]"
        if not isinstance(entry, dict):
            reader.issue(label, field, "must be a table with up_to, min and max")
            continue
        rate = reader.rate_range(label, field, entry, TIER_KEYS)
        up_to = None
        if "up_to" in entry:
            up_to = reader.decimal(label, f"{field}.up_to", entry["up_to"])
            if up_to is not None and previous is not None and up_to <= previous:
                reader.issue(
                    label, f"{field}.up_to", f"{up_to} must be above the previous bracket's {previous}"
                )
        elif position != len(raw):
            reader.issue(label, f"{field}.up_to", "only the last tier may be open-ended")
        previous = up_to
        if rate is not None:
            tiers.append(Tier(up_to, rate))
    if tiers and tiers[-1].up_to is not None:
        reader.issue(label, f"tiers[{len(raw)}].up_to", "the last tier must be open-ended (no up_to)")
    return tiers


def _parse_cancellation(
    reader: FieldReader, label: str, raw: Any, effective_from: date | None
) -> Cancellation | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        reader.issue(label, "cancellation", "must be a table with on and basis")
        return None
    reader.unknown_keys(label, "cancellation.", raw, CANCELLATION_KEYS)
    on = reader.day(label, "cancellation.on", raw["on"]) if "on" in raw else None
    if "on" not in raw:
        reader.issue(label, "cancellation.on", "missing")
    basis = reader.text(label, "cancellation.basis", raw)
    if on and effective_from and on <= effective_from:
        reader.issue(label, "cancellation.on", f"{on} is not after effective_from {effective_from}")
    return Cancellation(on, basis) if on and basis else None


def _parse_reliefs(reader: FieldReader, label: str, raw: Any) -> list[Relief]:
    if not isinstance(raw, list):
        reader.issue(label, "reliefs", "must be a list of [[items.reliefs]] tables")
        return []
    reliefs: list[Relief] = []
    seen: set[str] = set()
    for position, entry in enumerate(raw, start=1):
        field = f"reliefs[{position}]"
        if not isinstance(entry, dict):
            reader.issue(label, field, "must be a table with flag, name, percent and basis")
            continue
        reader.unknown_keys(label, f"{field}.", entry, RELIEF_KEYS)
        flag = reader.text(label, f"{field}.flag", entry, pattern=NAME_TOKEN)
        name = reader.text(label, f"{field}.name", entry)
        basis = reader.text(label, f"{field}.basis", entry)
        percent = reader.decimal(label, f"{field}.percent", entry["percent"]) if "percent" in entry else None
        if "percent" not in entry:
            reader.issue(label, f"{field}.percent", "missing")
        elif percent is not None and not Decimal(0) < percent <= Decimal(100):
            reader.issue(
                label, f"{field}.percent", f"{percent} is not a reduction between 0 (excluded) and 100"
            )
            percent = None
        payer_kind = entry.get("payer_kind")
        if payer_kind is not None and payer_kind not in PAYER_KINDS:
            reader.issue(
                label, f"{field}.payer_kind", f"{payer_kind!r} is not one of {', '.join(PAYER_KINDS)}"
            )
            payer_kind = None
        if flag in seen:
            reader.issue(label, f"{field}.flag", f"relief {flag!r} is listed twice")
            continue
        if flag and name and basis and percent is not None:
            seen.add(flag)
            reliefs.append(Relief(flag, percent, basis, payer_kind, name))
    return reliefs


def check_directory(directory: Path) -> tuple[list[FeeItem], list[ScheduleIssue]]:
    """Parse every ``*.toml`` file under ``directory``; cross-file rules are checked too."""
    if not directory.is_dir():
        return [], [ScheduleIssue(str(directory), "-", "-", "is not a directory of schedule files")]
    files = sorted(directory.glob("*.toml"))
    if not files:
        return [], [ScheduleIssue(str(directory), "-", "-", "holds no *.toml schedule files")]
    items: list[FeeItem] = []
    issues: list[ScheduleIssue] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            issues.append(ScheduleIssue(path.name, "-", "-", f"cannot be read as UTF-8 text: {exc}"))
            continue
        file_items, file_issues = parse_schedule_text(text, path.name)
        items.extend(file_items)
        issues.extend(file_issues)
    issues.extend(_cross_file_issues(items))
    return items, issues


def _cross_file_issues(items: list[FeeItem]) -> list[ScheduleIssue]:
    issues = []
    department_names: dict[str, tuple[str, str]] = {}
    by_code: dict[str, list[FeeItem]] = {}
    for item in items:
        by_code.setdefault(item.code, []).append(item)
        seen = department_names.setdefault(item.department.code, (item.department.name, item.source))
        if seen[0] != item.department.name:
            issues.append(
                ScheduleIssue(
                    item.source,
                    item.code,
                    "department",
                    f"{item.department.code} is named {item.department.name!r} here "
                    f"but {seen[0]!r} in {seen[1]}",
                )
            )
    for code, periods in by_code.items():
        periods.sort(key=lambda entry: entry.effective_from)
        for earlier, later in itertools.pairwise(periods):
            if earlier.effective_to is None or earlier.effective_to > later.effective_from:
                issues.append(
                    ScheduleIssue(
                        later.source,
                        code,
                        "effective_from",
                        f"period {later.period_label} overlaps {earlier.period_label} in {earlier.source}",
                    )
                )
    return issues


def load_directory(directory: Path) -> list[FeeItem]:
    items, issues = check_directory(directory)
    if issues:
        raise ScheduleErrors(issues)
    return items
