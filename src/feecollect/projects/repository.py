from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from feecollect.projects.models import Project


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
