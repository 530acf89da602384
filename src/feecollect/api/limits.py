"""Size and shape before work: what a request may carry is checked as it arrives, before the body is
read whole or parsed, and a refusal costs the server no more than the limit.

- Bodies are counted while they are read: a bank request over 64 KiB (SPEC §6), a JSON or form body
  over 1 MiB, a case file over 6 MiB or a statement upload over 513 MiB is refused with 413, whatever
  ``Content-Length`` says (a declared length over the limit is refused before a byte is read).
- A request that changes something through the API without any credentials (no bearer token, no bank
  signature headers) is refused with 401 before its body is read.
- NUL and other control characters (all but tab, line feed and carriage return) in the path, the query
  or a JSON or form body are refused with 422: no field of this service holds them, and PostgreSQL
  cannot store a NUL at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KIB, MIB = 1024, 1024 * 1024
BANK_BODY_LIMIT = 64 * KIB
JSON_BODY_LIMIT = 1 * MIB
CASE_FILE_LIMIT = 6 * MIB  # the 5 MB case export and its multipart framing
STATEMENT_UPLOAD_LIMIT = 513 * MIB  # 512 MiB of statement files and their framing
STATEMENT_UPLOAD_PATHS = ("/api/v1/statements", "/finance/statements")
CASE_IMPORT_PATHS = ("/api/v1/cases/import",)
BANK_PATHS = "/api/v1/bank/"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Control characters as they reach us: raw in a path or query, escaped in JSON, percent-encoded in forms.
_RAW_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_JSON_CONTROL = re.compile(rb"\\u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF])")
_FORM_CONTROL = re.compile(rb"%(?:0[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF])")
_OVERLAP = 6  # bytes kept between chunks so that an escape split across two is still seen


@dataclass(frozen=True, slots=True)
class BodyRule:
    limit: int
    what: str
    control: re.Pattern[bytes] | None  # how control characters look in this kind of body


def body_rule(path: str, content_type: str) -> BodyRule:
    if path.startswith(BANK_PATHS):
        return BodyRule(BANK_BODY_LIMIT, "a bank request", _JSON_CONTROL)
    if content_type.startswith("multipart/form-data"):
        if path in STATEMENT_UPLOAD_PATHS:
            return BodyRule(STATEMENT_UPLOAD_LIMIT, "a statement upload", None)
        if path in CASE_IMPORT_PATHS:
            return BodyRule(CASE_FILE_LIMIT, "a case file", None)
        return BodyRule(JSON_BODY_LIMIT, "a form", None)
    if content_type.startswith("application/x-www-form-urlencoded"):
        return BodyRule(JSON_BODY_LIMIT, "a form", _FORM_CONTROL)
    return BodyRule(JSON_BODY_LIMIT, "a request body", _JSON_CONTROL)


def _limit_text(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit >= MIB else f"{limit // KIB} KiB"


class TooLarge(HTTPException):
    def __init__(self, rule: BodyRule):
        super().__init__(413, f"{rule.what} may carry at most {_limit_text(rule.limit)}")


class ControlCharacter(HTTPException):
    def __init__(self, where: str):
        super().__init__(422, f"{where} holds a NUL or another control character")


def _has_credentials(headers: dict[bytes, bytes], path: str) -> bool:
    if path.startswith(BANK_PATHS):
        return b"x-bank-key" in headers and b"x-signature" in headers
    return headers.get(b"authorization", b"")[:7].lower() == b"bearer "


class RequestLimits:
    """ASGI middleware applying the module's rules to every HTTP request."""

    def __init__(self, app: ASGIApp, respond: Callable[[Scope, HTTPException], ASGIApp]):
        self.app = app
        self.respond = respond  # renders a refusal as the API or a page would

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        rule = body_rule(scope["path"], headers.get(b"content-type", b"").decode("latin-1").lower())
        refusal = _refusal(scope, headers, rule)
        if refusal is not None:
            await self.respond(scope, refusal)(scope, receive, send)
            return
        await self.app(scope, _counted(receive, rule), send)


def _refusal(scope: Scope, headers: dict[bytes, bytes], rule: BodyRule) -> HTTPException | None:
    """What the request line and headers alone refuse, before any of the body is read."""
    path_bytes = scope.get("raw_path") or scope["path"].encode()
    if _RAW_CONTROL.search(unquote_to_bytes(path_bytes)):
        return ControlCharacter("the path")
    if _RAW_CONTROL.search(unquote_to_bytes(scope.get("query_string", b"").replace(b"+", b" "))):
        return ControlCharacter("the query")
    declared = headers.get(b"content-length", b"")
    if declared.isdigit() and int(declared) > rule.limit:
        return TooLarge(rule)
    path = scope["path"]
    if scope["method"] in WRITE_METHODS and path.startswith("/api/") and not _has_credentials(headers, path):
        return HTTPException(
            401,
            "send a bearer token (Authorization: Bearer <token>)"
            if not path.startswith(BANK_PATHS)
            else "a bank request is signed: X-Bank-Key, X-Timestamp, X-Nonce and X-Signature",
        )
    return None


def _counted(receive: Receive, rule: BodyRule) -> Receive:
    """``receive`` that refuses the body once it passes the rule's limit or shows a control character."""
    seen = 0
    tail = b""

    async def counted() -> Message:
        nonlocal seen, tail
        message = await receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > rule.limit:
                raise TooLarge(rule)
            if rule.control is not None and chunk:
                if rule.control.search(tail + chunk):
                    raise ControlCharacter("the request body")
                tail = chunk[-_OVERLAP:]
        return message

    return counted
