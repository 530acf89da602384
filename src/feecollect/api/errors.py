"""Every failure leaves the API as JSON ``{"error": code, "detail": text}``: never an HTML page or a trace."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from feecollect.errors import FeeCollectError

log = logging.getLogger("feecollect.api")

_HTTP_CODES = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}


def _location(loc: tuple[object, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")] or [str(p) for p in loc] or ["body"]
    text = ""
    for part in parts:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return text


def validation_detail(errors: Sequence[Any]) -> str:
    return "; ".join(f"{_location(tuple(e['loc']))}: {e['msg']}" for e in errors)


def install(app: FastAPI) -> None:
    @app.exception_handler(FeeCollectError)
    async def _domain(_: Request, exc: FeeCollectError) -> JSONResponse:
        return JSONResponse(
            {"error": exc.code, "detail": exc.detail, **exc.extra}, status_code=exc.status_code
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            {"error": "invalid_request", "detail": validation_detail(exc.errors())}, status_code=422
        )

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return JSONResponse(
            {"error": code, "detail": str(exc.detail)},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return JSONResponse(
            {"error": "internal_error", "detail": "an unexpected error was logged"}, status_code=500
        )
