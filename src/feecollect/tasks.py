"""Background tasks (Celery). One app, configured from settings.

Embedded default (no ``FEECOLLECT_BROKER_URL``): tasks run eagerly in the calling process, so the demo
needs no broker. Production: a Redis broker, ``feecollect worker`` and one ``feecollect beat``.
Tasks take ids or dates only, are idempotent, and are enqueued after the transaction that caused them
commits; they retry with backoff when the database is briefly unreachable.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

from celery import Celery, Task, signals
from celery.schedules import crontab
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from feecollect import events, subscriptions
from feecollect.audit import sealing
from feecollect.audit.service import Actor
from feecollect.bank import service as banks
from feecollect.db.engine import make_engine, make_sessionmaker, unit_of_work
from feecollect.einvoices import repository as bills
from feecollect.einvoices.service import issue_in_own_transaction, supervise_in_own_transaction
from feecollect.notices import service as notices
from feecollect.reconcile.service import reconcile_day
from feecollect.schedules.service import current_catalogue
from feecollect.settings import Settings, get_settings

EXPIRE_NOTICES = "feecollect.notices.expire_overdue"
log = logging.getLogger("feecollect.tasks")


def make_celery(settings: Settings) -> Celery:
    app = Celery("feecollect")
    eager = settings.broker_url is None
    app.conf.update(
        broker_url=settings.broker_url or "memory://",
        task_always_eager=eager,
        task_eager_propagates=True,
        task_ignore_result=True,
        task_acks_late=True,  # safe because every task is idempotent
        worker_prefetch_multiplier=1,
        broker_transport_options={"visibility_timeout": 3600},  # above the longest task
        broker_connection_retry_on_startup=True,
        timezone=settings.timezone,
        enable_utc=True,
        beat_schedule={
            # Just after midnight in the centre's time zone: yesterday's due dates have passed.
            "expire-overdue-notices": {"task": EXPIRE_NOTICES, "schedule": crontab(hour=0, minute=10)},
        },
    )
    return app


celery_app = make_celery(get_settings())


@signals.worker_init.connect
def _react_to_events_in_the_worker(**_: Any) -> None:
    """However a worker is started (``feecollect worker`` or celery's own command), the payments its
    tasks record are billed and settle projects, as in the API."""
    subscriptions.install()
    events.import_handlers()


_engines: dict[str, sessionmaker[Session]] = {}


def _sessions(database_url: str) -> sessionmaker[Session]:
    """One pooled engine per process. A different URL (tests switch databases) replaces it, and the old
    pool is closed rather than left holding server connections."""
    if database_url not in _engines:
        for previous in _engines.values():
            previous.kw["bind"].dispose()
        _engines.clear()
        _engines[database_url] = make_sessionmaker(make_engine(database_url))
    return _engines[database_url]


@celery_app.task(name=EXPIRE_NOTICES, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def expire_overdue_notices(on: str | None = None) -> list[str]:
    """Expire unpaid notices past their due date as of ``on`` (default: today in the centre's calendar)."""
    settings = get_settings()
    today = date.fromisoformat(on) if on else datetime.now(settings.zone).date()
    with unit_of_work(_sessions(settings.database_url)) as session:
        return notices.expire_overdue(session, today).expired


def enqueue_after_commit(session: Session, task: Task, *args: Any) -> None:
    """Send ``task`` only once the session's transaction has committed, so a worker never looks for rows
    that are not there yet, and a rolled-back transaction sends nothing."""
    events.after_commit(session, lambda: task.apply_async(args=args), f"enqueue {task.name}{args!r}")


ISSUE_BILL = "feecollect.bills.issue_for_payment"
SUPERVISE_BILL = "feecollect.bills.supervise"
ISSUE_MISSING_BILLS = "feecollect.bills.issue_missing"
# A supervisor's service may be down for a while (an external finance-bureau signer): the bill stays
# 待监制 and the task tries again, the sweep below after that.
_SIGNING_OUTAGES = (OperationalError, ConnectionError, TimeoutError)


@celery_app.task(name=ISSUE_BILL, autoretry_for=_SIGNING_OUTAGES, retry_backoff=True, max_retries=8)
def issue_bill(payment_id: int) -> str:
    """The electronic bill of a payment, signed by its issuer, then by the supervisor in a transaction
    of its own; running it again returns the same bill and adds what is missing."""
    settings = get_settings()
    sessions = _sessions(settings.database_url)
    bill = issue_in_own_transaction(sessions, settings, payment_id)
    supervise_in_own_transaction(sessions, settings, bill.id)
    return f"{bill.bill_code}-{bill.number}"


@celery_app.task(name=SUPERVISE_BILL, autoretry_for=_SIGNING_OUTAGES, retry_backoff=True, max_retries=8)
def supervise_bill(bill_id: int) -> str:
    settings = get_settings()
    bill = supervise_in_own_transaction(_sessions(settings.database_url), settings, bill_id)
    return f"{bill.bill_code}-{bill.number}"


def supervision_after_issue(session: Session, issued: events.BillIssued) -> None:
    enqueue_after_commit(session, supervise_bill, issued.bill_id)


@celery_app.task(name=ISSUE_MISSING_BILLS)
def issue_missing_bills() -> list[str]:
    """The sweep behind the after-commit tasks: any payment still without its bill, and any bill still
    without its supervision signature (a lost message, a worker that died midway, a signer that was
    down), gets it now."""
    settings = get_settings()
    with unit_of_work(_sessions(settings.database_url)) as session:
        pending = list(bills.paid_without_bill(session))
        unsupervised = list(bills.bills_awaiting_supervision(session))
    return [issue_bill(payment_id) for payment_id in pending] + [supervise_bill(b) for b in unsupervised]


def bill_after_payment(session: Session, paid: events.PaymentRecorded) -> None:
    """Every payment gets its electronic bill from a worker, once the payment has committed."""
    enqueue_after_commit(session, issue_bill, paid.payment_id)


celery_app.conf.beat_schedule["issue-missing-bills"] = {"task": ISSUE_MISSING_BILLS, "schedule": 300.0}


PURGE_NONCES = "feecollect.bank.purge_nonces"


@celery_app.task(name=PURGE_NONCES, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def purge_stale_nonces() -> int:
    """Bank request nonces too old for any replay to use: without this the table grows forever."""
    settings = get_settings()
    with unit_of_work(_sessions(settings.database_url)) as session:
        return banks.purge_stale_nonces(session, datetime.now(UTC))


celery_app.conf.beat_schedule["purge-stale-nonces"] = {"task": PURGE_NONCES, "schedule": 3600.0}


SEAL_AUDIT = "feecollect.audit.seal"


@celery_app.task(name=SEAL_AUDIT, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def seal_audit_log() -> int:
    """Link the audit entries appended since the last run into the chain and checkpoint it; returns how
    many were sealed. Runs in its own lock, so overlapping runs take turns."""
    settings = get_settings()
    key = sealing.checkpoint_key(settings.secret_key.get_secret_value())
    with unit_of_work(_sessions(settings.database_url)) as session:
        return sealing.seal(session, key).sealed


# Every second: the chain trails the writes by about that much, and no request waits for it.
celery_app.conf.beat_schedule["seal-audit-log"] = {
    "task": SEAL_AUDIT,
    "schedule": 1.0,
    "options": {"expires": 5.0},
}


RECONCILE_DAY = "feecollect.reconcile.run_day"


@celery_app.task(name=RECONCILE_DAY, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def reconcile_previous_day(on: str | None = None) -> dict[str, Any]:
    """The daily job: reconcile ``on`` (default: yesterday in the centre's calendar). Re-running is safe."""
    settings = get_settings()
    day = date.fromisoformat(on) if on else datetime.now(settings.zone).date() - timedelta(days=1)
    with unit_of_work(_sessions(settings.database_url)) as session:
        outcome = reconcile_day(session, settings, current_catalogue(session), day, Actor("beat", "system"))
        return outcome.summary


# After the banks' overnight statements are imported (the import is the finance office's morning step).
celery_app.conf.beat_schedule["reconcile-previous-day"] = {
    "task": RECONCILE_DAY,
    "schedule": crontab(hour=9, minute=0),
}
