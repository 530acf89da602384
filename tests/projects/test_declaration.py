"""The pure declaration check against the shipped construction schedules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from feecollect.projects.declaration import (
    PROJECT_TYPES,
    Declaration,
    applicable_items,
    bundle_request,
    declaration_problems,
)
from feecollect.schedules.catalogue import Catalogue
from feecollect.schedules.loader import load_directory
from tests.conftest import SHIPPED_SCHEDULES
from tests.helpers import USCC

ON = date(2026, 11, 22)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue(load_directory(SHIPPED_SCHEDULES))


def declaration(
    project_type: str, params: dict[str, str], flags: frozenset[str] = frozenset()
) -> Declaration:
    return Declaration(
        "P-1",
        "项目",
        "开发商",
        USCC,
        "430321",
        project_type,
        tuple((k, Decimal(v)) for k, v in params.items()),
        flags,
        ON,
    )


@pytest.mark.parametrize("project_type", PROJECT_TYPES)
def test_a_type_needs_exactly_the_parameters_its_fees_are_charged_on(catalogue, project_type):
    items = applicable_items(catalogue, project_type, ON)
    assert items and all(item.family == "construction" for item in items)
    assert all(not item.project_types or project_type in item.project_types for item in items)
    needed = {item.parameter for item in items if item.parameter}
    assert declaration_problems(catalogue, declaration(project_type, dict.fromkeys(needed, "100"))) == []
    for left_out in needed:
        problems = declaration_problems(
            catalogue, declaration(project_type, {p: "100" for p in needed if p != left_out})
        )
        assert [problem[0] for problem in problems] == [f"params.{left_out}"]
    request = bundle_request(catalogue, declaration(project_type, dict.fromkeys(needed, "100")))
    assert [line.item for line in request.lines] == [item.code for item in items]
    assert request.payer.kind == "enterprise"


@pytest.mark.parametrize("project_type", ["residential", "commercial", "public"])
def test_the_bundle_spans_at_least_seven_departments(catalogue, project_type):
    # Industrial projects owe six: the shipped schedules limit two fees to the other types.
    assert len({item.department.code for item in applicable_items(catalogue, project_type, ON)}) >= 7
