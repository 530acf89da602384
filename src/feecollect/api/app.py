"""The application factory: migrate, load the law, mount the routers."""

from __future__ import annotations

from fastapi import FastAPI

from feecollect.api import errors
from feecollect.billing.endpoints import router as quotes_router
from feecollect.db.engine import make_engine, make_sessionmaker, migrate, unit_of_work
from feecollect.schedules.endpoints import router as schedules_router
from feecollect.schedules.service import CatalogueProvider, load_schedules
from feecollect.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    migrate(engine)
    sessions = make_sessionmaker(engine)
    with unit_of_work(sessions) as session:
        load_schedules(session, settings.schedules_dir)

    app = FastAPI(
        title="feecollect",
        summary="Non-tax fee collection and bank reconciliation for government service centres",
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = sessions
    app.state.catalogue_provider = CatalogueProvider()
    errors.install(app)
    app.include_router(schedules_router)
    app.include_router(quotes_router)
    return app
