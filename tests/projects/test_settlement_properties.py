"""Settlement arithmetic (SPEC §12 (5)): for any declared and actual parameters and reliefs, priced by the
shipped construction schedules, the split adds up to the fen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feecollect.billing.quote import quote
from feecollect.projects.declaration import PROJECT_TYPES, Declaration, applicable_items, bundle_request
from feecollect.projects.settlement_core import SettlementMismatch, settle
from feecollect.schedules.catalogue import Catalogue
from feecollect.schedules.loader import load_directory
from tests.conftest import SHIPPED_SCHEDULES
from tests.helpers import USCC

ON = date(2026, 11, 22)
CATALOGUE = Catalogue(load_directory(SHIPPED_SCHEDULES))
RELIEF_FLAGS = sorted(
    {
        relief.flag
        for item in CATALOGUE.in_force(ON)
        if item.family == "construction"
        for relief in item.reliefs
    }
)
areas = st.decimals(min_value=0, max_value=2_000_000, places=2, allow_nan=False, allow_infinity=False)


def priced(
    project_type: str, params: dict[str, Decimal], flags: frozenset[str]
) -> dict[str, tuple[str, int]]:
    declaration = Declaration(
        "P", "项目", "开发商", USCC, "430321", project_type, tuple(params.items()), flags, ON
    )
    return {
        line.item.code: (line.item.department.code, line.amount_fen)
        for line in quote(CATALOGUE, bundle_request(CATALOGUE, declaration)).lines
    }


@st.composite
def projects(draw: st.DrawFn) -> tuple[str, dict[str, Decimal], dict[str, Decimal], frozenset[str]]:
    project_type = draw(st.sampled_from(sorted(PROJECT_TYPES)))
    names = sorted({i.parameter for i in applicable_items(CATALOGUE, project_type, ON) if i.parameter})
    declared = {name: draw(areas) for name in names}
    actual = {name: draw(st.one_of(st.just(declared[name]), areas)) for name in names}
    flags = frozenset(draw(st.sets(st.sampled_from(RELIEF_FLAGS))))
    return project_type, declared, actual, flags


@settings(max_examples=300, deadline=None)
@given(projects())
def test_the_split_sums_exactly_and_refunds_and_top_ups_reconcile(project) -> None:  # type: ignore[no-untyped-def]
    project_type, declared, actual, flags = project
    collected = priced(project_type, declared, flags)
    final = priced(project_type, actual, flags)
    settlement = settle(collected, final)

    allocations = settlement.allocations()
    assert sum(allocations.values()) == settlement.final_fen == sum(fen for _, fen in final.values())
    assert all(share >= 0 for share in allocations.values())
    assert settlement.collected_fen == sum(fen for _, fen in collected.values())
    assert settlement.collected_fen + settlement.top_up_fen - settlement.refund_fen == settlement.final_fen
    assert settlement.refund_fen <= settlement.collected_fen
    for department, share in allocations.items():
        assert share == sum(fen for dept, fen in final.values() if dept == department)
    if actual == declared:
        assert settlement.top_up_fen == settlement.refund_fen == 0


def test_a_fee_that_grew_is_topped_up_and_one_that_shrank_refunded_without_netting_departments() -> None:
    settlement = settle({"A": ("D1", 1000), "B": ("D2", 500)}, {"A": ("D1", 1300), "B": ("D2", 200)})
    assert (settlement.top_up_fen, settlement.refund_fen, settlement.difference_fen) == (300, 300, 0)
    assert settlement.allocations() == {"D1": 1300, "D2": 200}


def test_a_fee_priced_for_another_department_is_refused() -> None:
    with pytest.raises(SettlementMismatch, match="A was collected for D1"):
        settle({"A": ("D1", 1000)}, {"A": ("D2", 1000)})
