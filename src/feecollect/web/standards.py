"""A fee item's standard as the public fee page (七公开) states it, for every pricing kind: what a
person needs to redo the charge, in Chinese, with no field codes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from feecollect.schedules.types import FeeItem, Tier

_SCALE_SIGNS = {"percent": "%", "permille": "‰"}


def _number(value: Decimal) -> str:
    """Grouped, without trailing zeros: 10,000,000, 0.0008, 4."""
    text = format(value, ",f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f} 元"


@dataclass(frozen=True, slots=True)
class PublishedStandard:
    unit: str  # 计费单位
    lower: str  # 标准下限
    upper: str  # 标准上限
    notes: tuple[str, ...]  # how the charged quantity and the charge are bounded


def _bracket(tiers: tuple[Tier, ...], index: int, unit: str) -> str:
    start = Decimal(0) if index == 0 else tiers[index - 1].up_to
    end = tiers[index].up_to
    assert start is not None
    if end is None:
        return f"超过 {_number(start)} {unit}的部分"
    if start == 0:
        return f"不超过 {_number(end)} {unit}的部分"
    return f"{_number(start)}–{_number(end)} {unit}的部分"


def _tier_rate(rate: Decimal, unit: str) -> str:
    if rate == 0:
        return "不收"
    if unit == "元":  # a share of an amount of money reads as a percentage
        return f"按 {_number(rate * 100)}%"
    return f"每{unit} {_number(rate)} 元"


def published_standard(item: FeeItem) -> PublishedStandard:
    notes: list[str] = []
    if item.quantity_factor != 1:
        notes.append(f"计费数量为申报数量的 {_number(item.quantity_factor * 100)}%")
    if item.floor is not None:
        notes.append(f"最低收费 {_yuan(item.floor)}")
    if item.cap is not None:
        notes.append(f"最高收费 {_yuan(item.cap)}")
    if item.pricing == "tiered":
        lower = "；".join(
            f"{_bracket(item.tiers, n, item.unit)}{_tier_rate(tier.rate.min, item.unit)}"
            for n, tier in enumerate(item.tiers)
        )
        upper = "；".join(
            f"{_bracket(item.tiers, n, item.unit)}{_tier_rate(tier.rate.max, item.unit)}"
            for n, tier in enumerate(item.tiers)
        )
        basis = "金额" if item.unit == "元" else item.unit
        return PublishedStandard(f"按{basis}分档累进", lower, upper, tuple(notes))
    assert item.rate is not None, f"{item.code}: a {item.pricing} item has a rate"
    if item.pricing == "percent":
        sign = _SCALE_SIGNS[item.scale or "percent"]
        return PublishedStandard(
            f"按计费基数（{item.unit}）的比例",
            f"{_number(item.rate.min)}{sign}",
            f"{_number(item.rate.max)}{sign}",
            tuple(notes),
        )
    per = "" if item.pricing == "fixed" else f"/{item.unit}"
    unit = item.unit if item.pricing == "per_unit" else f"每{item.unit}"
    return PublishedStandard(
        unit, f"{_yuan(item.rate.min)}{per}", f"{_yuan(item.rate.max)}{per}", tuple(notes)
    )
