"""Typed failures. The API turns each into ``{"error": code, "detail": text}`` with its status."""

from __future__ import annotations

from typing import Any


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

    @classmethod
    def of_fields(cls, problems: list[tuple[str, str]], *, code: str) -> Unprocessable:
        """A submission refused for every (field, reason) in ``problems``, each listed in ``problems``."""
        return cls(
            "; ".join(f"{field}: {reason}" for field, reason in problems),
            code=code,
            extra={"problems": [{"field": f, "detail": r} for f, r in problems]},
        )


class Conflict(FeeCollectError):
    status_code = 409
    code = "conflict"


class ConfigurationError(Exception):
    """The deployment is wrong (settings, schedule files); the process must not start."""
