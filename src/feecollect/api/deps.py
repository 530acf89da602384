"""Request-scoped dependencies: the unit of work and the fee catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from feecollect.db.engine import unit_of_work
from feecollect.schedules.catalogue import Catalogue
from feecollect.schedules.service import CatalogueProvider
from feecollect.settings import Settings


def _session(request: Request) -> Iterator[Session]:
    with unit_of_work(request.app.state.sessionmaker) as session:
        # Pages render with the request's own session (SQLite allows one writer: a second session
        # would wait on this one); gone once the unit of work ends.
        request.state.db_session = session
        try:
            yield session
        finally:
            del request.state.db_session


# scope="function": the commit runs when the endpoint returns, before the response is sent, so a
# client never sees success for a write that then failed to commit.
DbSession = Annotated[Session, Depends(_session, scope="function")]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(_settings)]


def _catalogue(request: Request, session: DbSession) -> Catalogue:
    provider: CatalogueProvider = request.app.state.catalogue_provider
    return provider.get(session)


CurrentCatalogue = Annotated[Catalogue, Depends(_catalogue)]
