"""Fee items for tests, built in code so each test shows the rule it depends on."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from feecollect.schedules.types import Department, FeeItem, RateRange

BASE = FeeItem(
    code="T-001",
    name="测试收费",
    family="test",
    department=Department("ZJJ", "住房和城乡建设局"),
    revenue_account="1030114",
    basis="测试依据〔2020〕1号",
    enterprise_related=True,
    pricing="per_unit",
    unit="平方米",
    parameter="floor_area_m2",
    rate=RateRange(Decimal("1.20"), Decimal("2.00")),
    effective_from=date(2020, 1, 1),
    version=1,
)


def item(**changes: Any) -> FeeItem:
    return replace(BASE, **changes)
