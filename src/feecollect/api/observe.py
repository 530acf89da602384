"""What every request leaves behind: its request id (taken from ``X-Request-ID`` or made up, echoed in
the answer, bound to every log line it causes and to the tasks it enqueues), one structured log line,
and its samples in the request histogram; a bank callback also counts under its national code."""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from feecollect import logs, metrics

CALLBACK_PATH = "/api/v1/bank/payments"
# The answer a bank callback got, set by the endpoint or the error handler (SPEC §15 code).
BANK_ANSWER = "bank_answer"
log = logs.get_logger("feecollect.request")


class Observed:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        request_id = logs.request_id_from(_text(headers.get(b"x-request-id")))
        logs.bind_request_id(request_id)
        started = time.perf_counter()
        status = 500

        async def answer(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, answer)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = scope["method"]
            metrics.REQUEST_SECONDS.labels(method, route, str(status)).observe(seconds)
            if scope["path"] == CALLBACK_PATH and method == "POST":
                code = (scope.get("state") or {}).get(BANK_ANSWER) or "none"
                metrics.CALLBACKS.labels(code).inc()
                metrics.CALLBACK_SECONDS.observe(seconds)
            # The path, never the query string: a query may carry what no log should keep.
            log.info(
                "request",
                method=method,
                path=scope["path"],
                route=route,
                status=status,
                ms=round(seconds * 1000, 1),
            )


def _text(value: Any) -> str | None:
    return value.decode("latin-1") if isinstance(value, bytes) else None
