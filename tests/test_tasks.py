from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, timedelta

from celery.schedules import crontab

from feecollect.settings import get_settings
from feecollect.tasks import EXPIRE_NOTICES, celery_app, expire_overdue_notices, make_celery
from tests.conftest import bearer
from tests.helpers import case_body


def issued_notice(client, tokens) -> dict:  # type: ignore[type-arg]
    client.post("/api/v1/cases", json=case_body("T-1"), headers=bearer(tokens["clerk"]))
    return client.post("/api/v1/cases/T-1/notices", headers=bearer(tokens["clerk"])).json()


def status(client, tokens, code: str) -> str:
    return client.get(f"/api/v1/notices/{code}", headers=bearer(tokens["clerk"])).json()["status"]


def test_beat_expires_notices_daily_just_after_midnight_in_the_centre_time_zone():
    entry = celery_app.conf.beat_schedule["expire-overdue-notices"]
    assert entry["task"] == EXPIRE_NOTICES and entry["schedule"] == crontab(hour=0, minute=10)
    assert celery_app.conf.timezone == "Asia/Shanghai"


def test_embedded_default_runs_tasks_eagerly(client, tokens, settings, monkeypatch):
    assert celery_app.conf.task_always_eager, "no broker configured: tasks run in-process"
    notice = issued_notice(client, tokens)
    monkeypatch.setenv("FEECOLLECT_DATABASE_URL", settings.database_url)
    get_settings.cache_clear()
    after_due = (date.fromisoformat(notice["due_date"]) + timedelta(days=1)).isoformat()
    try:
        assert expire_overdue_notices.delay(notice["due_date"]).get() == []
        assert expire_overdue_notices.delay(after_due).get() == [notice["payment_code"]]
        assert expire_overdue_notices.delay(after_due).get() == [], "running it again changes nothing"
    finally:
        get_settings.cache_clear()
    assert status(client, tokens, notice["payment_code"]) == "expired"


def test_a_real_worker_on_redis_runs_the_expiry(client, tokens, settings, redis_url):
    notice = issued_notice(client, tokens)
    environment = os.environ | {
        "FEECOLLECT_DATABASE_URL": settings.database_url,
        "FEECOLLECT_SCHEDULES_DIR": str(settings.schedules_dir),
        "FEECOLLECT_BROKER_URL": redis_url,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "feecollect.cli", "worker", "--concurrency", "1"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        producer = make_celery(settings.model_copy(update={"broker_url": redis_url}))
        after_due = (date.fromisoformat(notice["due_date"]) + timedelta(days=1)).isoformat()
        producer.send_task(EXPIRE_NOTICES, args=[after_due])
        deadline = time.monotonic() + 60
        while status(client, tokens, notice["payment_code"]) != "expired":
            assert worker.poll() is None, (
                f"the worker stopped: {worker.stdout.read() if worker.stdout else ''}"
            )
            assert time.monotonic() < deadline, "the worker did not expire the notice within 60 s"
            time.sleep(0.3)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_a_worker_however_started_reacts_to_events(monkeypatch):
    from celery import signals

    from feecollect import events, subscriptions

    monkeypatch.setattr(events, "_handlers", type(events._handlers)(list))
    signals.worker_init.send(sender=None)
    assert subscriptions.BILL_AFTER_PAYMENT in events._handlers[events.PaymentRecorded]
    assert subscriptions.SETTLE_AFTER_REFUND in events._handlers[events.RefundConfirmed]
