"""Queries over fee item versions (the only module that talks SQL about them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from feecollect.schedules.models import FeeItemVersion


def current_versions(session: Session) -> Sequence[FeeItemVersion]:
    return session.scalars(
        select(FeeItemVersion).where(FeeItemVersion.superseded_at.is_(None)).order_by(FeeItemVersion.code)
    ).all()


def history(session: Session, code: str) -> Sequence[FeeItemVersion]:
    return session.scalars(
        select(FeeItemVersion).where(FeeItemVersion.code == code).order_by(FeeItemVersion.version)
    ).all()


def latest_version_numbers(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(FeeItemVersion.code, func.max(FeeItemVersion.version)).group_by(FeeItemVersion.code)
    )
    return {code: version for code, version in rows}


def revision(session: Session) -> tuple[int, int]:
    """Changes whenever a load adds or supersedes a version: cheap enough to ask per request."""
    row = session.execute(
        select(func.coalesce(func.max(FeeItemVersion.id), 0), func.count(FeeItemVersion.superseded_at))
    ).one()
    return int(row[0]), int(row[1])


def add(session: Session, version: FeeItemVersion) -> None:
    session.add(version)


def supersede(version: FeeItemVersion, at: datetime) -> None:
    version.superseded_at = at
