"""SPEC §12 (4) with real workers: bills numbered without gap or duplicate, one per payment."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import pytest
import redis
from sqlalchemy import func, select

from feecollect.db.engine import unit_of_work
from feecollect.devtools.workers import worker_processes
from feecollect.einvoices.models import Bill
from feecollect.payments.models import Payment
from feecollect.tasks import ISSUE_BILL, make_celery
from tests.conftest import bearer
from tests.helpers import bills_left_to_workers, case_body

PAYMENTS = 500


def bill_numbers(client) -> list[int]:  # type: ignore[no-untyped-def]
    with unit_of_work(client.app.state.sessionmaker) as session:
        return sorted(session.scalars(select(Bill.bill_no)))


def test_500_payments_through_2_worker_processes_give_bills_1_to_500(
    client, tokens, bank, settings, redis_url, tmp_path
):
    if not settings.database_url.startswith("postgresql"):
        pytest.skip(
            "measured on PostgreSQL with Redis, as production runs; SQLite runs the in-process bill tests"
        )
    clerk = bearer(tokens["clerk"])
    with bills_left_to_workers():  # the workers, not this process, issue the bills
        for n in range(PAYMENTS):
            client.post("/api/v1/cases", json=case_body(f"W-{n:03d}"), headers=clerk)
            notice = client.post(f"/api/v1/cases/W-{n:03d}/notices", headers=clerk).json()
            paid = bank.pay(f"W-{n:03d}", notice["payment_code"], notice["amount"], datetime.now(UTC))
            assert paid.status_code == 200
    with unit_of_work(client.app.state.sessionmaker) as session:
        payment_ids = list(session.scalars(select(Payment.id)))
    assert bill_numbers(client) == []

    environment = os.environ | {
        "FEECOLLECT_DATABASE_URL": settings.database_url,
        "FEECOLLECT_BROKER_URL": redis_url,
        "FEECOLLECT_SECRET_KEY": settings.secret_key.get_secret_value(),
        "FEECOLLECT_SCHEDULES_DIR": str(settings.schedules_dir),
    }
    producer = make_celery(settings.model_copy(update={"broker_url": redis_url}))
    queue = redis.Redis.from_url(redis_url)
    with worker_processes(environment, 2, tmp_path) as workers:
        for payment_id in payment_ids:
            producer.send_task(ISSUE_BILL, args=[payment_id])
        deadline = time.monotonic() + 180
        while len(bill_numbers(client)) < PAYMENTS:
            workers.check_running()
            assert time.monotonic() < deadline, f"{len(bill_numbers(client))} bills after 180 s"
            time.sleep(0.5)
        assert bill_numbers(client) == list(range(1, PAYMENTS + 1))

        for payment_id in payment_ids[:50]:  # a retried or duplicated message changes nothing
            producer.send_task(ISSUE_BILL, args=[payment_id])
        while queue.llen("celery") > 0:
            time.sleep(0.2)
        time.sleep(2)
        assert bill_numbers(client) == list(range(1, PAYMENTS + 1))
        with unit_of_work(client.app.state.sessionmaker) as session:
            assert session.scalar(select(func.count(func.distinct(Bill.payment_id)))) == PAYMENTS
    notice = client.get("/api/v1/notices?status=paid&limit=1", headers=clerk).json()["items"][0]
    assert notice["bill"] is not None
