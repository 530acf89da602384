from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from feecollect.notices.models import Notice, NoticeLine
from feecollect.payments.models import Payment
from feecollect.projects.models import Project, ProjectSettlement


def by_project_no(session: Session, project_no: str, *, for_update: bool = False) -> Project | None:
    query = select(Project).where(Project.project_no == project_no)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def listing(session: Session, *, limit: int, offset: int) -> Sequence[Project]:
    return session.scalars(select(Project).order_by(Project.id.desc()).limit(limit).offset(offset)).all()


def add(session: Session, project: Project) -> None:
    session.add(project)
    session.flush()


def settlement_of(session: Session, project_id: int) -> ProjectSettlement | None:
    return session.scalars(
        select(ProjectSettlement).where(ProjectSettlement.project_id == project_id)
    ).first()


def settlement_awaiting_top_up(session: Session, notice_id: int) -> ProjectSettlement | None:
    query = select(ProjectSettlement).where(ProjectSettlement.top_up_notice_id == notice_id)
    return session.scalars(query.with_for_update()).first()


def add_settlement(session: Session, settlement: ProjectSettlement) -> None:
    session.add(settlement)
    session.flush()


def project_collections(session: Session, start: date, end: date) -> list[tuple[str, date, int]]:
    """(department, business date, fen) of every paid line of a project notice (bundle or top-up) paid
    between the dates."""
    query = (
        select(NoticeLine.department_code, Payment.business_date, NoticeLine.amount_fen)
        .join(Notice, Notice.id == NoticeLine.notice_id)
        .join(Payment, Payment.notice_id == Notice.id)
        .where(Notice.project_id.is_not(None), Payment.business_date.between(start, end))
    )
    return [(department, day, int(fen)) for department, day, fen in session.execute(query)]
