"""SPEC §6 under load: many banks' retries and races against a real server, each notice paid once."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from feecollect import invariants
from feecollect.api.app import create_app
from feecollect.audit.service import SYSTEM
from feecollect.bank.service import add_bank
from feecollect.cases import service as cases
from feecollect.cases.service import CaseData
from feecollect.db.engine import unit_of_work
from feecollect.devtools.bank_client import AsyncBankClient
from feecollect.money import format_yuan
from feecollect.notices import service as notices
from feecollect.schedules.service import CatalogueProvider
from feecollect.users.principal import Principal
from feecollect.users.service import Role
from tests.helpers import USCC

NOTICES = 400
CALLBACKS_PER_NOTICE = 5  # one transaction sent three times, and two other transactions racing it
CLIENTS = 64


@pytest.fixture
def postgres_settings(settings):  # type: ignore[no-untyped-def]
    if not settings.database_url.startswith("postgresql"):
        pytest.skip(
            "the load contract of issue 4 is measured on PostgreSQL; SQLite runs the other bank tests"
        )
    return settings


def test_64_clients_2000_callbacks_every_notice_paid_exactly_once(postgres_settings, live_server):
    app = create_app(postgres_settings)
    master = postgres_settings.secret_key.get_secret_value()
    with unit_of_work(app.state.sessionmaker) as session:
        key, secret = add_bank(session, master, SYSTEM, "LOAD", "压力测试银行")
        catalogue = CatalogueProvider().get(session)
        clerk = Principal("load", Role.clerk, "ZRZY")
        issued = []
        for n in range(NOTICES):
            data = CaseData(
                f"L-{n:04d}",
                "W01",
                "ZRZY",
                datetime(2026, 11, 20).date(),
                "示范市星河商贸有限公司",
                "uscc",
                USCC,
                (),
                (("XZ-BDC-003", Decimal(1 + n % 7)),),
            )
            cases.register(session, catalogue, SYSTEM, data)
            notice = notices.issue(session, catalogue, postgres_settings, clerk, f"L-{n:04d}")
            issued.append((notice.payment_code, format_yuan(notice.amount_fen)))
    callbacks = []
    for n, (code, amount) in enumerate(issued):
        callbacks += [(f"A{n}", code, amount)] * 3 + [(f"B{n}", code, amount), (f"C{n}", code, amount)]
    random.Random(7).shuffle(callbacks)

    async def drive() -> list[tuple[int, dict]]:  # type: ignore[type-arg]
        queue: asyncio.Queue[tuple[str, str, str]] = asyncio.Queue()
        for callback in callbacks:
            queue.put_nowait(callback)
        results = []
        limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
        async with httpx.AsyncClient(base_url=live_server, limits=limits, timeout=60) as http:
            client = AsyncBankClient(http, key, secret)
            # The bank looks every notice up first, as a counter does, and echoes the confirm code.
            lookups = [await client.lookup(code) for code, _ in issued]
            confirm = {answer.json()["payment_code"]: answer.json()["confirm_code"] for answer in lookups}
            paid_at = datetime.now(UTC)

            async def one_client() -> None:
                while not queue.empty():
                    txn, code, amount = queue.get_nowait()
                    response = await client.pay(txn, code, amount, paid_at, confirm_code=confirm[code])
                    results.append((response.status_code, response.json()))

            await asyncio.gather(*(one_client() for _ in range(CLIENTS)))
        return results

    results = asyncio.run(drive())
    assert len(results) == NOTICES * CALLBACKS_PER_NOTICE
    statuses = Counter(status for status, _ in results)
    assert set(statuses) <= {200, 422}, f"no 5xx, no 401, no 409: {statuses}"
    outcomes = Counter(body.get("result") or body.get("error") for _, body in results)
    assert outcomes["accepted"] == NOTICES, outcomes
    assert set(outcomes) <= {"accepted", "duplicate", "notice_not_payable"}, outcomes
    with unit_of_work(app.state.sessionmaker) as session:
        assert invariants.problems(session) == []
        from sqlalchemy import func, select

        from feecollect.audit import sealing
        from feecollect.audit.models import AuditEntry

        key = sealing.checkpoint_key(master)
        assert sealing.seal(session, key).sealed >= NOTICES, "every payment's entry waited for the sealer"
        assert sealing.verify(session, key).ok
        paid_entries = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "notice.paid")
        assert session.scalar(paid_entries) == NOTICES

        from feecollect.notices.models import Notice
        from feecollect.payments.models import Payment

        assert session.scalar(select(func.count()).select_from(Payment)) == NOTICES
        assert (
            session.scalar(select(func.count()).select_from(Notice).where(Notice.status == "paid")) == NOTICES
        )
    app.state.engine.dispose()
