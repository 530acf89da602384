"""Typed failures. The API turns each into ``{"error": code, "detail": text}`` with its status."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple


class FieldProblem(NamedTuple):
    """Why one field was refused: ``detail`` for the API, ``wording`` (Chinese) for the page that
    shows it beside the field."""

    field: str
    detail: str
    wording: str = ""


class FeeCollectError(Exception):
    """A refusal a user can act on; never a bug."""

    status_code = 400
    code = "bad_request"

    def __init__(self, detail: str, *, code: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.extra = extra or {}


class NotFound(FeeCollectError):
    status_code = 404
    code = "not_found"


class Unprocessable(FeeCollectError):
    status_code = 422
    code = "unprocessable"

    wordings: dict[str, str] = {}  # noqa: RUF012 (replaced per instance by of_fields)

    @classmethod
    def of_fields(cls, problems: Sequence[tuple[str, str] | FieldProblem], *, code: str) -> Unprocessable:
        """A submission refused for every (field, reason) in ``problems``, each listed in ``problems``."""
        listed = [FieldProblem(*problem) for problem in problems]
        refused = cls(
            "; ".join(f"{p.field}: {p.detail}" for p in listed),
            code=code,
            extra={"problems": [{"field": p.field, "detail": p.detail} for p in listed]},
        )
        refused.wordings = {p.field: p.wording for p in listed if p.wording}
        return refused


class Conflict(FeeCollectError):
    status_code = 409
    code = "conflict"


class ConfigurationError(Exception):
    """The deployment is wrong (settings, schedule files); the process must not start."""
