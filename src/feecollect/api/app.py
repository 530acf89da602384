"""The application factory: migrate, load the law, mount the routers."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from feecollect import events, logs, subscriptions, web
from feecollect.api import errors, openapi
from feecollect.api.health import metrics_router
from feecollect.api.health import router as health_router
from feecollect.api.limits import RequestLimits
from feecollect.api.observe import Observed
from feecollect.audit.endpoints import router as audit_router
from feecollect.billing.endpoints import router as quotes_router
from feecollect.cases.endpoints import router as cases_router
from feecollect.db.engine import make_engine, make_sessionmaker, migrate, unit_of_work
from feecollect.einvoices.endpoints import router as bills_router
from feecollect.ledger.endpoints import router as ledger_router
from feecollect.notices.endpoints import router as notices_router
from feecollect.payments.endpoints import router as bank_router
from feecollect.projects.endpoints import router as projects_router
from feecollect.projects.endpoints import summary_router as projects_summary_router
from feecollect.proposals.endpoints import router as proposals_router
from feecollect.reconcile.endpoints import router as reconcile_router
from feecollect.refunds.endpoints import bank_router as bank_refunds_router
from feecollect.refunds.endpoints import router as refunds_router
from feecollect.schedules.endpoints import router as schedules_router
from feecollect.schedules.service import CatalogueProvider, load_schedules
from feecollect.settings import Settings, get_settings
from feecollect.users.endpoints import router as users_router
from feecollect.web import auditor as auditor_pages
from feecollect.web import clerk as clerk_pages
from feecollect.web import finance as finance_pages
from feecollect.web import pages as public_pages


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    logs.configure_for(settings)
    engine = make_engine(settings.database_url, pool_size=settings.database_pool_size)
    migrate(engine)
    sessions = make_sessionmaker(engine)
    with unit_of_work(sessions) as session:
        load_schedules(session, settings.schedules_dir)

    subscriptions.install()
    events.import_handlers()

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Endpoints hand their database work to this thread pool: as many threads as pooled connections,
        # so no thread sits waiting for a connection while competing for the GIL with those that have one.
        to_thread.current_default_thread_limiter().total_tokens = settings.database_pool_size
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="feecollect",
        summary="Non-tax fee collection and bank reconciliation for government service centres",
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = sessions
    app.state.catalogue_provider = CatalogueProvider()
    errors.install(app)
    app.add_middleware(RequestLimits, respond=errors.refusal_app)
    app.add_middleware(Observed)  # outermost: it sees every answer, refusals of the limits included
    app.include_router(schedules_router)
    for router in (
        health_router,
        metrics_router,
        quotes_router,
        cases_router,
        notices_router,
        users_router,
        audit_router,
        bank_router,
        ledger_router,
        bills_router,
        reconcile_router,
        projects_router,
        projects_summary_router,
        refunds_router,
        bank_refunds_router,
        proposals_router,
    ):
        app.include_router(router)
    for pages in (public_pages, clerk_pages, finance_pages, auditor_pages):
        app.include_router(pages.router)
    openapi.install(app)
    app.mount("/static", StaticFiles(directory=Path(web.__file__).parent / "static"), name="static")
    return app
