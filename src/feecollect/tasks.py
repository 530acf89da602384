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

from celery import Celery, Task, chord, signals
from celery.schedules import crontab
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from feecollect import events, logs, metrics, subscriptions
from feecollect.audit import sealing
from feecollect.audit.service import Actor
from feecollect.bank import service as banks
from feecollect.db.engine import make_engine, make_sessionmaker, unit_of_work
from feecollect.einvoices import repository as bills
from feecollect.einvoices.service import issue_in_own_transaction, supervise_in_own_transaction
from feecollect.notices import service as notices
from feecollect.reconcile.parts import Part
from feecollect.reconcile.service import (
    PartResult,
    check_run_date,
    finish_day,
    parts_of_day,
    reconcile_day,
    reconcile_part,
)
from feecollect.schedules.service import current_catalogue
from feecollect.settings import Settings, get_settings

EXPIRE_NOTICES = "feecollect.notices.expire_overdue"
RECONCILE_PART = "feecollect.reconcile.part"
FINISH_RECONCILIATION = "feecollect.reconcile.finish"
RECONCILE_QUEUE = {"queue": "reconcile"}
log = logging.getLogger("feecollect.tasks")


def make_celery(settings: Settings) -> Celery:
    app = Celery("feecollect")
    eager = settings.broker_url is None
    app.conf.update(
        broker_url=settings.broker_url or "memory://",
        task_always_eager=eager,
        task_eager_propagates=True,
        task_ignore_result=True,  # but for the parts of a fanned-out run, which a chord gathers
        result_backend=None if eager else settings.broker_url,
        result_expires=24 * 3600,
        task_acks_late=True,  # safe because every task is idempotent
        worker_prefetch_multiplier=1,
        broker_transport_options={"visibility_timeout": 3600},  # above the longest task
        broker_connection_retry_on_startup=True,
        timezone=settings.timezone,
        enable_utc=True,
        # A fanned-out reconciliation has a queue of its own, which workers take from first: the parts
        # of a day do not wait behind the bills its statement-path payments enqueue.
        task_routes={
            RECONCILE_PART: RECONCILE_QUEUE,
            FINISH_RECONCILIATION: RECONCILE_QUEUE,
        },
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
    tasks record are billed and settle projects, as in the API, and it logs and counts as the API does."""
    settings = get_settings()
    logs.configure_for(settings)
    subscriptions.install()
    events.import_handlers()
    if settings.worker_metrics_port is not None:
        from prometheus_client import start_http_server

        start_http_server(settings.worker_metrics_port, registry=metrics.process_registry())


@signals.setup_logging.connect
def _keep_our_logging(**_: Any) -> None:
    """Connected, so that Celery leaves the root logger to ``feecollect.logs``."""


@signals.before_task_publish.connect
def _carry_the_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    if headers is not None and (request_id := logs.current_request_id()) is not None:
        headers["request_id"] = request_id


@signals.task_prerun.connect
def _bind_the_request_id(task_id: str | None = None, task: Task | None = None, **_: Any) -> None:
    """A task logs under the id of the request that enqueued it; one enqueued by beat under its own."""
    if task is None or task.request.is_eager:
        return  # in-process: the request's id is already bound
    sent = task.request.get("request_id")
    logs.bind_request_id(sent if isinstance(sent, str) else logs.request_id_from(task_id))


@signals.task_failure.connect
def _count_the_failure(sender: Task | None = None, **_: Any) -> None:
    metrics.TASK_FAILURES.labels(sender.name if sender is not None else "unknown").inc()


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


@celery_app.task(
    name=RECONCILE_PART,
    ignore_result=False,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def reconcile_part_of_day(on: str, account_no: str, division: str | None) -> dict[str, Any]:
    """One account's (or one division's) share of a day, in its own transaction; idempotent."""
    settings = get_settings()
    with unit_of_work(_sessions(settings.database_url)) as session:
        part = Part(account_no, division)
        return reconcile_part(
            session, settings, current_catalogue(session), date.fromisoformat(on), part
        ).as_json()


@celery_app.task(
    name=FINISH_RECONCILIATION,
    ignore_result=False,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def finish_reconciliation(
    parts: list[dict[str, Any]], on: str, actor_name: str, actor_role: str
) -> dict[str, Any]:
    """The gathering step of a fanned-out run: the day's stored-state findings, the run and its summary."""
    settings = get_settings()
    results = [PartResult.of_json(part) for part in parts]
    with unit_of_work(_sessions(settings.database_url)) as session:
        actor = Actor(actor_name, actor_role)
        return finish_day(
            session, settings, current_catalogue(session), date.fromisoformat(on), actor, results
        ).summary


def reconcile_across_workers(settings: Settings, day: date, actor: Actor, timeout: float) -> dict[str, Any]:
    """``feecollect reconcile --all-accounts``: one task per part of the day, gathered by a chord; the
    summary and the findings are those of the same run in one process."""
    with unit_of_work(_sessions(settings.database_url)) as session:
        check_run_date(session, settings, day)
        parts = parts_of_day(session, day)
    finish = finish_reconciliation.s(day.isoformat(), actor.name, actor.role)
    if not parts:
        return dict(finish.apply(args=([],)).get())
    header = [reconcile_part_of_day.s(day.isoformat(), part.account_no, part.division) for part in parts]
    result = chord(header)(finish)
    return dict(result.get(timeout=timeout, disable_sync_subtasks=False))
