"""Logging for the API, the command line and the workers: stdlib loggers and structlog's alike go
through one formatter, ``FEECOLLECT_LOG_FORMAT=json`` (one JSON object per line) or ``text``.

Every line carries the request id of the request it serves (``X-Request-ID``, or one made up), also
inside the tasks that request enqueued. Nothing that could let someone act as someone else reaches a
line: fields named like secrets are blanked, and so are the values of known secrets, bearer tokens,
bank signatures and passwords wherever they appear in text."""

from __future__ import annotations

import logging
import re
import sys
import uuid
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:
    from feecollect.settings import Settings

REDACTED = "[redacted]"
_HANDLER = "feecollect"
# A field whose name holds one of these is never written, whatever it holds.
_SECRET_NAMES = re.compile(
    r"pass(word)?|secret|token|authori[sz]ation|signature|cookie|api_key|private", re.I
)
_SECRET_TEXT = re.compile(
    r"(?i)(bearer\s+|(?:password|passwd|secret|token|signature|x-signature)[\"']?\s*[:=]\s*[\"']?)[^\s\"',;&]+"
)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_known_secrets: set[str] = set()


def never_log(*secrets: str) -> None:
    """Values blanked wherever they appear (the master key, a bank's secret as it is issued)."""
    _known_secrets.update(secret for secret in secrets if len(secret) >= 8)


def request_id_from(header: str | None) -> str:
    """The caller's id when it is a plain token; otherwise (absent, too long, odd characters) a new one."""
    return header if header and _REQUEST_ID.match(header) else uuid.uuid4().hex


def bind_request_id(request_id: str) -> None:
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id)


def current_request_id() -> str | None:
    value = structlog.contextvars.get_contextvars().get("request_id")
    return str(value) if value else None


def _blank(text: str) -> str:
    for secret in _known_secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return _SECRET_TEXT.sub(lambda m: m.group(1) + REDACTED, text)


def redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in list(event.items()):
        if _SECRET_NAMES.search(key) and key != "event":
            event[key] = REDACTED
        elif isinstance(value, str):
            event[key] = _blank(value)
        elif value is not None and not isinstance(value, int | float | bool):
            event[key] = _blank(repr(value)) if key not in ("exc_info",) else value
    return event


def _request_id_field(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Every line has the field; null outside a request or a task (start-up, a command)."""
    event.setdefault("request_id", None)
    return event


def _exception_text(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A traceback is text too: blanked like any other after it is rendered."""
    if isinstance(event.get("exception"), str):
        event["exception"] = _blank(event["exception"])
    return event


def configure(log_format: str = "text", level: str = "INFO") -> None:
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        _request_id_field,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if log_format == "json"
        # A plain traceback: a rich one prints each frame's local variables, secrets among them.
        else structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)
    )
    finish: list[Any] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if log_format == "json":
        finish += [structlog.processors.format_exc_info, _exception_text]
    formatter = structlog.stdlib.ProcessorFormatter(foreign_pre_chain=shared, processors=[*finish, renderer])
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.set_name(_HANDLER)
    root = logging.getLogger()
    # Configuring again (a second app in one process) replaces this handler and leaves others be.
    root.handlers = [h for h in root.handlers if h.get_name() != _HANDLER] + [handler]
    root.setLevel(level)
    # An HTTP client's line per request it sends says nothing the service's own lines do not.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Servers' own loggers write through the same handler rather than their own formats.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "celery", "celery.task", "celery.worker"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True


def configure_for(settings: Settings) -> None:
    """A process's logging as its settings say, with the master key among the values never written."""
    configure(settings.log_format, settings.log_level)
    never_log(settings.secret_key.get_secret_value())


def get_logger(name: str) -> Any:
    return structlog.stdlib.get_logger(name)


# structlog hands every event to the stdlib logger as its message and fields (``extra``): a process that
# never configured logging (a command printing JSON) shows warnings only, and never on standard output.
structlog.configure(
    processors=[structlog.contextvars.merge_contextvars, structlog.stdlib.render_to_log_kwargs],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)
