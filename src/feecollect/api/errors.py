"""Every failure leaves the API as JSON ``{"error": code, "detail": text}``, and a page as a page that says
why in Chinese: never a trace."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from feecollect.api.limits import BANK_PATHS
from feecollect.api.observe import BANK_ANSWER
from feecollect.bank.response_codes import for_answer
from feecollect.errors import FeeCollectError
from feecollect.wording import input_problem

log = logging.getLogger("feecollect.api")

_HTTP_CODES = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    422: "invalid_request",
    429: "too_many_attempts",
}


def _location(loc: tuple[object, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")] or [str(p) for p in loc] or ["body"]
    text = ""
    for part in parts:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return text


def _page_location(loc: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(p for p in loc if p not in ("body", "query", "path", "form")) or tuple(loc)


def validation_detail(errors: Sequence[Any]) -> str:
    return "; ".join(f"{_location(tuple(e['loc']))}: {e['msg']}" for e in errors)


def is_page(request: Request) -> bool:
    """Pages are everything outside /api/, but for /verify asked for without HTML (its JSON form)."""
    path = request.url.path
    if path.startswith("/api/") or path in ("/docs", "/openapi.json"):
        return False
    return path != "/verify" or "text/html" in request.headers.get("accept", "")


def _answer(
    request: Request, status: int, error: str, detail: str, extra: dict[str, Any] | None = None
) -> Response:
    extra = dict(extra or {})
    if is_page(request):
        from feecollect.web.pages import error_page

        return error_page(request, status, error, detail)
    if request.url.path.startswith(BANK_PATHS) and (national := for_answer(status, extra)) is not None:
        # A bank reads the national response code of SPEC §15 on every answer, refusals included.
        extra["code"] = national
        setattr(request.state, BANK_ANSWER, national)
    return JSONResponse({"error": error, "detail": detail, **extra}, status_code=status)


def http_answer(request: Request, exc: HTTPException) -> Response:
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    response = _answer(request, exc.status_code, code, str(exc.detail))
    for name, value in (getattr(exc, "headers", None) or {}).items():
        response.headers[name] = value
    return response


def refusal_app(scope: MutableMapping[str, Any], exc: HTTPException) -> ASGIApp:
    """The answer to a request refused before the application saw it, in the shape of any other."""

    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        await http_answer(Request(scope, receive), exc)(scope, receive, send)

    return answer


def install(app: FastAPI) -> None:
    @app.exception_handler(FeeCollectError)
    async def _domain(request: Request, exc: FeeCollectError) -> Response:
        return _answer(request, exc.status_code, exc.code, exc.detail, exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if is_page(request):  # a person reads it: each field by its name, why in Chinese
            said = [input_problem(_page_location(e["loc"]), e["type"], e.get("ctx"))[1] for e in exc.errors()]
            return _answer(request, 422, "invalid_request", "；".join(said))
        return _answer(request, 422, "invalid_request", validation_detail(exc.errors()))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        return http_answer(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        return _answer(request, 500, "internal_error", "an unexpected error was logged")
