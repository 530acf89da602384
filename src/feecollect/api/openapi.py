"""The OpenAPI document says what the app really answers: every error is ``{"error", "detail"}``
(never FastAPI's ``{"detail": [...]}``), each operation lists the refusals it can give, and files
(xlsx, PDF, XML) are declared with their media types."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from feecollect.api.auth import Gate, PublicGate
from feecollect.bank.response_codes import BANK_ANSWERS

ERROR = {
    "title": "Error",
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "a stable code, e.g. invalid_request"},
        "detail": {"type": "string", "description": "why, for a person"},
        "code": {
            "type": "string",
            "description": "answers to banks only: the national response code (SPEC §15)",
            "enum": [answer.code for answer in BANK_ANSWERS if answer.http_status != 200],
        },
    },
    "additionalProperties": True,
}
REASONS = {
    "401": "no, or no valid, credentials",
    "403": "this role or department may not do this",
    "404": "no such object",
    "409": "the object's state does not allow this",
    "413": "the body is larger than its limit",
    "422": "the request is malformed or refused; nothing was written",
}
FILES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
    ".xml": "application/xml",
}


def _gates(dependant: Dependant) -> Iterator[Gate]:
    for sub in dependant.dependencies:
        if isinstance(sub.call, Gate):
            yield sub.call
        yield from _gates(sub)


def _routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _routes(route.original_router.routes)


def _error(reason: str) -> dict[str, Any]:
    return {
        "description": reason,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def install(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = build()
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        schemas["Error"] = ERROR
        for route in _routes(app.routes):
            if not route.include_in_schema:
                continue
            gated = any(not isinstance(gate, PublicGate) for gate in _gates(route.dependant))
            for method in route.methods or ():
                operation = document["paths"].get(route.path_format, {}).get(method.lower())
                if operation is None:
                    continue
                codes = ["422"]
                if gated:
                    codes += ["401", "403"]
                if "{" in route.path_format:
                    codes.append("404")
                if method != "GET":
                    codes += ["409", "413"]
                responses = operation.setdefault("responses", {})
                for code in codes:
                    responses[code] = _error(responses.get(code, {}).get("description") or REASONS[code])
                for suffix, media in FILES.items():
                    if route.path_format.endswith(suffix):
                        responses["200"] = {
                            "description": responses.get("200", {}).get("description", "the file"),
                            "content": {media: {"schema": {"type": "string", "format": "binary"}}},
                        }
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
