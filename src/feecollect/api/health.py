"""Liveness, readiness and metrics (SPEC §17): `/health` says the process answers and touches nothing;
`/ready` says whether it can do its work, the database and the broker both reached, for a load
balancer or an orchestrator to route by; `/metrics` is Prometheus text for a scraper."""

from __future__ import annotations

import hmac
import logging
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from feecollect import metrics
from feecollect.api.auth import PUBLIC
from feecollect.db.engine import unit_of_work
from feecollect.errors import FeeCollectError
from feecollect.reconcile import findings_repository
from feecollect.reconcile import repository as reconcile_repository

router = APIRouter(prefix="/api/v1", tags=["operations"])
metrics_router = APIRouter(tags=["operations"])
log = logging.getLogger("feecollect.api")
BROKER_TIMEOUT_SECONDS = 2.0


@router.get("/health", summary="The process answers (no database work)", dependencies=[PUBLIC])
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/ready",
    summary="Database and broker reachable: 200, or 503 naming what is down",
    dependencies=[PUBLIC],
    responses={503: {"description": "`not_ready`: the database or the broker is down"}},
)
def ready(request: Request) -> JSONResponse:
    found = {"database": _database(request), "broker": _broker(request)}
    if "down" in found.values():
        down = " and ".join(name for name, state in found.items() if state == "down")
        return JSONResponse({"error": "not_ready", "detail": f"{down} unreachable", **found}, status_code=503)
    return JSONResponse(found)


def _database(request: Request) -> str:
    try:
        with request.app.state.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach it is "down"; the reason goes to the log only
        log.warning("readiness: database unreachable: %s", type(exc).__name__)
        return "down"
    return "ok"


def _broker(request: Request) -> str:
    url = request.app.state.settings.broker_url
    if url is None:
        return "eager"  # the embedded default: tasks run in-process, there is no broker to reach
    from kombu.connection import Connection

    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as connection:  # type: ignore[no-untyped-call]
            connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as exc:  # kombu raises the transport's own errors; unreachable either way
        log.warning("readiness: broker unreachable: %s", type(exc).__name__)
        return "down"
    return "ok"


class _Unscrapable(FeeCollectError):
    status_code = 401
    code = "unauthorized"


@metrics_router.get(
    "/metrics",
    summary="Prometheus text: callbacks, bill lag, open exceptions, statement days, requests",
    dependencies=[PUBLIC],
    response_class=Response,
    responses={401: {"description": "FEECOLLECT_METRICS_TOKEN is set and the bearer token differs"}},
)
def metrics_text(request: Request) -> Response:
    token = request.app.state.settings.metrics_token
    if token is not None:
        sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(sent.encode(), token.get_secret_value().encode()):
            raise _Unscrapable("a scraper sends FEECOLLECT_METRICS_TOKEN as a bearer token")
    sessions, zone = request.app.state.sessionmaker, request.app.state.settings.zone

    def read() -> tuple[dict[str, int], dict[str, date]]:
        with unit_of_work(sessions) as session:
            return findings_repository.open_counts_by_class(
                session
            ), reconcile_repository.last_statement_days(session)

    body = metrics.exposition(metrics.DatabaseGauges(read, zone))
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")
