"""``feecollect bank simulate``: a bank paying many notices at once, replaying some callbacks."""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import httpx
from sqlalchemy.orm import Session

from feecollect.audit.service import Actor
from feecollect.bank import service as banks
from feecollect.cases import service as cases
from feecollect.cases.service import CaseData
from feecollect.devtools.bank_client import AsyncBankClient
from feecollect.money import format_yuan
from feecollect.notices import service as notices
from feecollect.schedules.service import current_catalogue
from feecollect.settings import Settings
from feecollect.users.principal import Principal
from feecollect.users.service import Role

SIMULATOR = Actor("bank-simulator", "operator")
BANK = "SIMBANK"
APPLICANT_USCC = "91110000600037341L"


@dataclass
class Plan:
    key: str
    secret: str
    # (txn id, payment code, amount): a replay resends exactly the same body, as banks do.
    callbacks: list[tuple[str, str, str]] = field(default_factory=list)


def prepare(session: Session, settings: Settings, count: int, duplicates: float) -> Plan:
    """A fresh simulator key, ``count`` issued notices, and the callbacks paying them (with replays)."""
    master = settings.secret_key.get_secret_value()
    key, secret = banks.fresh_key(session, master, SIMULATOR, BANK, "模拟代收银行")
    catalogue = current_catalogue(session)
    today = datetime.now(settings.zone).date()
    clerk = Principal("bank-simulator", Role.clerk, "ZRZY")
    run_id = secrets.token_hex(3)
    plan = Plan(key, secret)
    for n in range(count):
        case_no = f"SIM-{run_id}-{n:05d}"
        cases.register(
            session,
            catalogue,
            SIMULATOR,
            CaseData(
                case_no,
                "SIM",
                "ZRZY",
                today,
                "示范市星河商贸有限公司",
                "uscc",
                APPLICANT_USCC,
                (),
                (("XZ-BDC-003", Decimal(1 + n % 5)),),
            ),
        )
        notice = notices.issue(session, catalogue, settings, clerk, case_no)
        plan.callbacks.append((f"SIM{run_id}{n:07d}", notice.payment_code, format_yuan(notice.amount_fen)))
    rng = random.Random(run_id)
    replays = [rng.choice(plan.callbacks) for _ in range(round(count * duplicates))]
    plan.callbacks += replays
    rng.shuffle(plan.callbacks)
    return plan


@dataclass
class Summary:
    statuses: Counter[str]
    seconds: float

    def ok(self, expected_payments: int) -> bool:
        return self.statuses["accepted"] == expected_payments and not any(
            k.startswith("5") for k in self.statuses
        )

    def text(self) -> str:
        total = sum(self.statuses.values())
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))
        return f"{total} callbacks in {self.seconds:.2f} s ({total / self.seconds:,.0f}/s): {counts}"


async def _look_up(
    client: AsyncBankClient, codes: set[str], concurrency: int
) -> dict[str, tuple[str, datetime]]:
    """Every notice looked up once, as a counter does before it takes the money: its confirm code and
    the time the payment is dated."""
    found: dict[str, tuple[str, datetime]] = {}
    queue: asyncio.Queue[str] = asyncio.Queue()
    for code in codes:
        queue.put_nowait(code)

    async def worker() -> None:
        while not queue.empty():
            code = queue.get_nowait()
            response = await client.lookup(code)
            if response.status_code == 200:
                found[code] = (response.json()["confirm_code"], datetime.now(UTC))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return found


async def run(url: str, plan: Plan, concurrency: int) -> Summary:
    """Looks every notice up, then sends the callbacks (and their replays) concurrently; times the
    callbacks only."""
    statuses: Counter[str] = Counter()
    queue: asyncio.Queue[tuple[str, str, str]] = asyncio.Queue()
    for callback in plan.callbacks:
        queue.put_nowait(callback)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as http:
        client = AsyncBankClient(http, plan.key, plan.secret)
        looked_up = await _look_up(client, {code for _, code, _ in plan.callbacks}, concurrency)

        async def worker() -> None:
            while not queue.empty():
                txn, code, amount = queue.get_nowait()
                confirm_code, paid_at = looked_up.get(code, (None, datetime.now(UTC)))
                response = await client.pay(
                    txn, code, amount, paid_at, confirm_code=confirm_code, channel="simulator"
                )
                body = response.json()
                statuses[body.get("result") or body.get("error") or str(response.status_code)] += 1
                if response.status_code >= 500:
                    statuses[str(response.status_code)] += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Summary(statuses, time.perf_counter() - started)
