from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Select, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from feecollect.notices.models import Notice, PaymentCodeSequence
from feecollect.notices.status import NoticeStatus
from feecollect.schedules.models import FeeItemVersion

LIVE_STATUSES = (NoticeStatus.ISSUED, NoticeStatus.PAID)


def _with_lines(query: Select[Notice]) -> Select[Notice]:
    return query.options(selectinload(Notice.lines), selectinload(Notice.case), selectinload(Notice.project))


def by_code(session: Session, payment_code: str, *, for_update: bool = False) -> Notice | None:
    query = _with_lines(select(Notice).where(Notice.payment_code == payment_code))
    if for_update:
        query = query.with_for_update(of=Notice)
    return session.scalars(query).first()


def live_for_case(session: Session, case_id: int) -> Notice | None:
    query = select(Notice).where(Notice.case_id == case_id, Notice.status.in_(LIVE_STATUSES))
    return session.scalars(query).first()


def live_for_project(session: Session, project_id: int) -> Notice | None:
    query = select(Notice).where(Notice.project_id == project_id, Notice.status.in_(LIVE_STATUSES))
    return session.scalars(query).first()


def listing(
    session: Session,
    *,
    department: str | None,
    status: str | None,
    date_from: date | None,
    date_to: date | None,
    case_id: int | None,
    limit: int,
    offset: int,
) -> Sequence[Notice]:
    query = _with_lines(select(Notice)).order_by(Notice.id.desc()).limit(limit).offset(offset)
    if department is not None:
        query = query.where(Notice.department_code == department)
    if status is not None:
        query = query.where(Notice.status == status)
    if date_from is not None:
        query = query.where(Notice.issue_date >= date_from)
    if date_to is not None:
        query = query.where(Notice.issue_date <= date_to)
    if case_id is not None:
        query = query.where(Notice.case_id == case_id)
    return session.scalars(query).all()


def overdue(session: Session, today: date) -> Sequence[Notice]:
    query = (
        select(Notice).where(Notice.status == NoticeStatus.ISSUED, Notice.due_date < today).with_for_update()
    )
    return session.scalars(query.order_by(Notice.id)).all()


def next_sequence(session: Session, division: str, year: int) -> int:
    """Take the next number in this transaction: the row update serialises concurrent issuers, and a
    rolled-back issuance gives its number back, so codes stay unique and are never reused."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(PaymentCodeSequence)
        .values(division=division, year=year, last_value=0)
        .on_conflict_do_nothing()
    )
    bump = (
        update(PaymentCodeSequence)
        .where(PaymentCodeSequence.division == division, PaymentCodeSequence.year == year)
        .values(last_value=PaymentCodeSequence.last_value + 1)
        .returning(PaymentCodeSequence.last_value)
    )
    return session.execute(bump).scalar_one()


def version_ids(session: Session, pairs: set[tuple[str, int]]) -> dict[tuple[str, int], int]:
    codes = {code for code, _ in pairs}
    rows = session.execute(
        select(FeeItemVersion.code, FeeItemVersion.version, FeeItemVersion.id).where(
            FeeItemVersion.code.in_(codes)
        )
    )
    return {(code, version): row_id for code, version, row_id in rows if (code, version) in pairs}


def add(session: Session, notice: Notice) -> None:
    session.add(notice)
    session.flush()


def of_project(session: Session, project_id: int) -> Sequence[Notice]:
    """Every notice issued for a project (voided ones too), oldest first."""
    return session.scalars(
        _with_lines(select(Notice).where(Notice.project_id == project_id)).order_by(Notice.id)
    ).all()
