from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from feecollect.users.models import User


def by_token_hash(session: Session, token_hash: str) -> User | None:
    return session.scalars(select(User).where(User.token_hash == token_hash)).first()


def by_name(session: Session, name: str) -> User | None:
    return session.scalars(select(User).where(User.name == name)).first()


def all_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.name)).all()


def add(session: Session, user: User) -> None:
    session.add(user)
    session.flush()


def end_web_sessions(session: Session, user_id: int, at: datetime) -> None:
    from feecollect.web.models import WebSession  # the pages build on users, not the other way round

    session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=at)
    )


def display_names(session: Session) -> dict[str, str]:
    """User name → the name people read, for users who have one."""
    chosen = select(User.name, User.display_name).where(User.display_name.is_not(None))
    return {name: shown for name, shown in session.execute(chosen) if shown}


def is_finance_user(session: Session, name: str) -> bool:
    return session.scalar(select(User.id).where(User.name == name, User.role == "finance")) is not None


def finance_users(session: Session) -> list[tuple[str, str]]:
    """(name, the name people read) of every finance user."""
    rows = session.execute(
        select(User.name, User.display_name).where(User.role == "finance").order_by(User.name)
    )
    return [(name, shown or name) for name, shown in rows]
