from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from feecollect.web.models import WebSession


def by_token_hash(session: Session, token_hash: str) -> WebSession | None:
    return session.scalars(select(WebSession).where(WebSession.token_hash == token_hash)).first()


def add(session: Session, web_session: WebSession) -> None:
    session.add(web_session)
