from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from feecollect.billing.schemas import QuantityIn, parse_quantity
from feecollect.cases.schemas import CasePayerIn
from feecollect.projects.declaration import Declaration
from feecollect.projects.models import Project
from feecollect.schedules.schemas import DepartmentOut
from feecollect.schedules.types import FeeItem


class DeveloperIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    uscc: str = Field(min_length=1, max_length=40)


class ProjectIn(BaseModel):
    """SPEC §13; ``payer.flags`` (reliefs such as ``affordable_housing``) as on a case."""

    project_no: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    developer: DeveloperIn
    division: str = Field(min_length=1, max_length=12)
    project_type: str = Field(min_length=1, max_length=16)
    params: dict[str, QuantityIn] = Field(max_length=50)
    payer: CasePayerIn = Field(default_factory=CasePayerIn)

    def declaration(self, on: date) -> Declaration:
        return Declaration(
            project_no=self.project_no,
            name=self.name,
            developer_name=self.developer.name,
            developer_uscc=self.developer.uscc,
            division=self.division,
            project_type=self.project_type,
            params=tuple((name, parse_quantity(value)) for name, value in self.params.items()),  # type: ignore[misc]
            flags=frozenset(self.payer.flags),
            declared_on=on,
        )


class ProjectFeeOut(BaseModel):
    item: str
    name: str
    department: DepartmentOut
    parameter: str | None
    quantity: str | None


class ProjectOut(BaseModel):
    project_no: str
    name: str
    developer: DeveloperIn
    division: str
    project_type: str
    params: dict[str, str]
    payer: CasePayerIn
    declared_on: date
    status: str
    declared_by: str
    declared_at: datetime
    fees: list[ProjectFeeOut]

    @classmethod
    def of(cls, project: Project, fees: list[tuple[FeeItem, object]]) -> ProjectOut:
        return cls(
            project_no=project.project_no,
            name=project.name,
            developer=DeveloperIn(name=project.developer_name, uscc=project.developer_uscc),
            division=project.division,
            project_type=project.project_type,
            params=project.declared_params,
            payer=CasePayerIn(flags=project.payer_flags),
            declared_on=project.declared_on,
            status=project.status,
            declared_by=project.declared_by,
            declared_at=project.declared_at,
            fees=[
                ProjectFeeOut(
                    item=item.code,
                    name=item.name,
                    department=DepartmentOut.of(item.department),
                    parameter=item.parameter,
                    quantity=None if quantity is None else str(quantity),
                )
                for item, quantity in fees
            ],
        )


class ProjectListOut(BaseModel):
    items: list[ProjectOut]
    limit: int
    offset: int
