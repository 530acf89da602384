from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from feecollect.cases.models import Case


def by_case_no(session: Session, case_no: str, *, for_update: bool = False) -> Case | None:
    query = select(Case).where(Case.case_no == case_no).options(selectinload(Case.items))
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def by_case_nos(session: Session, case_nos: list[str]) -> dict[str, Case]:
    rows = session.scalars(select(Case).where(Case.case_no.in_(case_nos)).options(selectinload(Case.items)))
    return {case.case_no: case for case in rows}


def listing(
    session: Session, *, department: str | None, status: str | None, limit: int, offset: int
) -> Sequence[Case]:
    query = (
        select(Case).options(selectinload(Case.items)).order_by(Case.id.desc()).limit(limit).offset(offset)
    )
    if department is not None:
        query = query.where(Case.department_code == department)
    if status is not None:
        query = query.where(Case.status == status)
    return session.scalars(query).all()


def add(session: Session, case: Case) -> None:
    session.add(case)
    session.flush()
