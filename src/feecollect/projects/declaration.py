"""Which construction fees a declared project owes, checked without a database.

A declaration names the project's type and the parameters the construction items are charged on
(floor area, land area, ...). Every item of the construction family in force on the date and open to
the type applies; the declaration must give each such item's parameter and nothing else. The bundle
notice quotes exactly these items on exactly these parameters, so a declaration that passes here
prices without surprises.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from feecollect.billing.quote import LineRequest, Payer, QuoteRefused, QuoteRequest, quote
from feecollect.errors import FieldProblem
from feecollect.identity import InvalidIdentity, validate_uscc
from feecollect.schedules.catalogue import Catalogue
from feecollect.schedules.types import FeeItem
from feecollect.wording import parameter_name

CONSTRUCTION_FAMILY = "construction"
# The project types the schedules' `project_types` may name (住宅 / 商业 / 工业 / 公共建筑).
PROJECT_TYPES = {"residential": "住宅", "commercial": "商业", "industrial": "工业", "public": "公共建筑"}


@dataclass(frozen=True, slots=True)
class Declaration:
    project_no: str
    name: str
    developer_name: str
    developer_uscc: str
    division: str
    project_type: str
    params: tuple[tuple[str, Decimal], ...]
    flags: frozenset[str]
    declared_on: date


def applicable_items(catalogue: Catalogue, project_type: str, on: date) -> list[FeeItem]:
    return [
        item
        for item in catalogue.in_force(on)
        if item.family == CONSTRUCTION_FAMILY
        and (not item.project_types or project_type in item.project_types)
    ]


def bundle_request(catalogue: Catalogue, declaration: Declaration) -> QuoteRequest:
    """The quote of every applicable item on the declared parameters (a developer is an enterprise)."""
    params = dict(declaration.params)
    return QuoteRequest(
        service_date=declaration.declared_on,
        payer=Payer("enterprise", declaration.flags),
        lines=tuple(
            LineRequest(item.code, params.get(item.parameter) if item.parameter else None)
            for item in applicable_items(catalogue, declaration.project_type, declaration.declared_on)
        ),
    )


def declaration_problems(
    catalogue: Catalogue, declaration: Declaration
) -> list[tuple[str, str] | FieldProblem]:
    """Every problem as (field, reason), a parameter named ``params.<name>``; empty when it may be
    registered."""
    problems: list[tuple[str, str] | FieldProblem] = []
    for field, text, limit in (
        ("project_no", declaration.project_no, 64),
        ("name", declaration.name, 200),
        ("developer.name", declaration.developer_name, 200),
    ):
        if not text.strip() or len(text) > limit:
            problems.append((field, f"must be 1–{limit} characters"))
    try:
        validate_uscc(declaration.developer_uscc)
    except InvalidIdentity as exc:
        problems.append(("developer.uscc", str(exc)))
    if not (len(declaration.division) == 6 and declaration.division.isdigit()):
        problems.append(("division", "must be a six-digit administrative division code (行政区划代码)"))
    if declaration.project_type not in PROJECT_TYPES:
        problems.append(("project_type", f"must be one of {', '.join(PROJECT_TYPES)}"))
        return problems
    on = declaration.declared_on
    items = applicable_items(catalogue, declaration.project_type, on)
    needed: dict[str, list[FeeItem]] = {}
    for item in items:
        if item.parameter:
            needed.setdefault(item.parameter, []).append(item)
    given = dict(declaration.params)
    for name, value in declaration.params:
        if name not in needed:
            problems.append(
                FieldProblem(
                    f"params.{name}",
                    f"no construction fee of a project of type {declaration.project_type} is charged on it",
                    f"{parameter_name(name)}：{PROJECT_TYPES[declaration.project_type]}项目的建设类收费不按此计收",
                )
            )
        elif not value.is_finite() or value < 0:
            wording = f"{parameter_name(name)}：须为不小于 0 的数"
            problems.append(FieldProblem(f"params.{name}", "must be a number of at least 0", wording))
    for name, charged in sorted(needed.items()):
        if name not in given:
            fees = "、".join(f"{item.code} {item.name}" for item in charged)
            wording = (
                f"{parameter_name(name)}：必须填写（{'、'.join(item.name for item in charged)}按此计收）"
            )
            problems.append(FieldProblem(f"params.{name}", f"is required: {fees} is charged on it", wording))
    if problems:
        return problems
    try:
        quote(catalogue, bundle_request(catalogue, declaration))
    except QuoteRefused as refused:
        parameter_of = {item.code: item.parameter for item in items}
        for error in refused.errors:
            parameter = parameter_of.get(error.item or "")
            problems.append((f"params.{parameter}" if parameter else "payer.flags", error.detail))
    return problems
