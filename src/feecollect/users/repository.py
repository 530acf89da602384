from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
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
