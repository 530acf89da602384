from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from feecollect.web.models import SignInFailure, WebSession


def by_token_hash(session: Session, token_hash: str) -> WebSession | None:
    return session.scalars(select(WebSession).where(WebSession.token_hash == token_hash)).first()


def add(session: Session, web_session: WebSession) -> None:
    session.add(web_session)


def failures_since(
    session: Session, since: datetime, user_name: str, address: str
) -> list[tuple[str, str, datetime]]:
    """(name, address, time) of the sign-in failures since ``since`` by this name or from this address."""
    rows = session.execute(
        select(SignInFailure.user_name, SignInFailure.client_address, SignInFailure.failed_at).where(
            SignInFailure.failed_at >= since,
            or_(SignInFailure.user_name == user_name, SignInFailure.client_address == address),
        )
    )
    return [(name, where, at) for name, where, at in rows]


def add_failure(session: Session, user_name: str, address: str, at: datetime) -> None:
    session.add(SignInFailure(user_name=user_name, client_address=address, failed_at=at))


def purge_failures(session: Session, before: datetime) -> None:
    session.execute(delete(SignInFailure).where(SignInFailure.failed_at < before))
