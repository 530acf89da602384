"""Domain events: a module says what happened, and the modules above it that care react, so that a
lower layer never imports a higher one (payments do not know that bills or settlements exist).

Handlers run inside the publisher's transaction: what they write commits or rolls back with it. Work that
must wait for the commit (sending a task to a worker) is queued with ``after_commit`` and is dropped if
the transaction rolls back. Subscriptions are made once at start-up (``feecollect.subscriptions``).
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from feecollect.audit.service import Actor
from feecollect.settings import Settings

log = logging.getLogger("feecollect.events")
_AFTER_COMMIT = "feecollect.events.after_commit"

E = TypeVar("E")
Handler = Callable[[Session, Any], None]
# A handler is a function, or the "module:function" path of one, imported when its event is first
# published: the command line subscribes every handler yet imports none of them for a command that
# records no payment.
_handlers: defaultdict[type, list[Handler | str]] = defaultdict(list)


@dataclass(frozen=True)
class PaymentRecorded:
    """A notice became paid: by a bank's callback, or by a statement line the bank never called back."""

    payment_id: int
    notice_id: int
    business_date: date
    is_bundle: bool  # a construction project's one-form notice, held as pre-collected money
    actor: Actor


@dataclass(frozen=True)
class CreditReturned:
    """The bank sent an unidentified credit (a statement line) back to its payer."""

    statement_line_id: int
    refund_id: str
    actor: Actor


@dataclass(frozen=True)
class RefundConfirmed:
    """The bank paid a refund order back to the payer."""

    refund_order_id: int
    actor: Actor
    settings: Settings


@dataclass(frozen=True)
class BillIssued:
    """A bill was made and signed by its issuer outside the payment's own task (a red reversal, a
    replacement after a refund): it awaits the supervision signature."""

    bill_id: int


def subscribe(event_type: type[E], handler: Callable[[Session, E], None] | str) -> None:
    """Call ``handler`` for every ``event_type`` published from now on (once, however often asked)."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def unsubscribe(event_type: type[E], handler: Callable[[Session, E], None] | str) -> None:
    if handler in _handlers[event_type]:
        _handlers[event_type].remove(handler)


def publish(session: Session, happened: object) -> None:
    for handler in list(_handlers[type(happened)]):
        (_imported(handler) if isinstance(handler, str) else handler)(session, happened)


def import_handlers() -> None:
    """Import every handler named by path now: a long-running process (the API, a worker) pays for it
    at start, not in its first request."""
    for handlers in _handlers.values():
        for handler in handlers:
            if isinstance(handler, str):
                _imported(handler)


@functools.cache
def _imported(path: str) -> Handler:
    module, _, name = path.partition(":")
    handler: Handler = getattr(importlib.import_module(module), name)
    return handler


def after_commit(session: Session, action: Callable[[], None], description: str) -> None:
    """Run ``action`` once the session's transaction has committed, so that what it tells others about
    is visible to them; a rolled-back transaction runs nothing."""
    session.info.setdefault(_AFTER_COMMIT, []).append((action, description))


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for action, description in session.info.pop(_AFTER_COMMIT, []):
        try:
            action()
        except Exception:  # the commit stands; a sweep or a retry picks the work up
            log.exception("after-commit action failed: %s", description)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)
