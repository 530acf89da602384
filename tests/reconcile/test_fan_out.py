"""SPEC §17: a day reconciled in parts (one task per account and division, gathered by a chord) says
what the same run says in one process, summary and findings alike, in process and on two workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date

import pytest

from feecollect.audit.service import Actor
from feecollect.db.engine import unit_of_work
from feecollect.devtools.workers import worker_processes
from feecollect.notices.payment_code import make_payment_code
from feecollect.reconcile import results
from feecollect.reconcile.parts import NO_CODE, Part
from feecollect.reconcile.service import parts_of_day, reconcile_day
from feecollect.schedules.service import current_catalogue
from tests.conftest import bearer
from tests.reconcile.test_scenario import DEPARTMENT, SPECIAL

SECOND_SPECIAL = "43050162360800000002"


def _statements(client, tokens, cli, world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The scenario's day, plus a second special account whose early credit pays a notice first that
    the first account's statement also credits, and credits naming another division's notices."""
    day, notices = world["day"], world["notices"]
    special = tmp_path / "special.csv"
    other_division = make_payment_code("439900", day.year, 7)
    special.write_bytes(
        world["special"]
        + (
            f'{SPECIAL},示范市财政局非税收入财政专户,{day:%Y%m%d} 16:00:00,,"45.00",,人民币,外地某公司,'
            f"6217000010009999999,建行示范支行,{day:%Y%m%d},缴款,{other_division},S900001\n"
        ).encode("gbk")
    )
    second = tmp_path / "second.csv"
    second.write_text(
        "账号,交易时间,借方发生额,贷方发生额,余额,对方户名,对方账号,摘要,流水号\n"
        f"{SECOND_SPECIAL},{day} 08:00:00,,570.00,,示范市星河商贸有限公司,6223,{notices['OK1']['payment_code']},B1\n"
        f"{SECOND_SPECIAL},{day} 08:30:00,,33.00,,无名氏,6224,货款,B2\n",
        encoding="utf-8",
    )
    assert cli("accounts", "add", SECOND_SPECIAL, "--kind", "special").exit_code == 0
    for path in (special, second):
        imported = cli("statements", "import", str(path))
        assert imported.exit_code == 0, imported.output
    uploaded = client.post(
        "/api/v1/statements",
        files={"file": ("dept.csv", world["department"], "text/csv")},
        data={"account": DEPARTMENT},
        headers=bearer(tokens["finance"]),
    )
    assert uploaded.status_code == 201, uploaded.text


def _findings(session, day: date) -> list[tuple]:  # type: ignore[no-untyped-def, type-arg]
    _, found = results.exceptions(session, day=day, limit=10_000)
    return sorted(
        (e.key, e.exception_class, e.business_date, e.amount_fen, e.department_code, e.detail, e.evidence)
        for e in found
    )


def _in_one_process(client, settings, day: date):  # type: ignore[no-untyped-def]
    """The one-process run's summary and findings, rolled back: the parts then run on the same data."""
    sessions = client.app.state.sessionmaker
    with sessions() as session:
        outcome = reconcile_day(session, settings, current_catalogue(session), day, Actor("tests", "finance"))
        found = _findings(session, day)
        session.rollback()
    return outcome.summary, found


def _fanned_out(cli, day: date) -> dict:  # type: ignore[no-untyped-def, type-arg]
    ran = cli("reconcile", "--date", day.isoformat(), "--all-accounts", "--json")
    assert ran.exit_code == 0, ran.output
    return json.loads(ran.stdout[ran.stdout.index("{") :])


def test_the_parts_of_a_day_say_what_one_process_says(client, tokens, cli, settings, world, tmp_path):
    _statements(client, tokens, cli, world, tmp_path)
    day = world["day"]
    with unit_of_work(client.app.state.sessionmaker) as session:
        parts = parts_of_day(session, day)
    division = world["notices"]["OK1"]["payment_code"][:6]
    assert parts == sorted(
        [
            Part(DEPARTMENT, NO_CODE),
            Part(SPECIAL, NO_CODE),
            Part(SPECIAL, division),
            Part(SPECIAL, "439900"),
            Part(SECOND_SPECIAL, NO_CODE),
            Part(SECOND_SPECIAL, division),
        ]
    )
    summary, found = _in_one_process(client, settings, day)
    assert summary["exceptions"]["duplicate_payment"] == 3, "the second account's credit came first"
    assert summary["exceptions"]["unidentified_credit"] == 4

    assert _fanned_out(cli, day) == summary
    with unit_of_work(client.app.state.sessionmaker) as session:
        assert _findings(session, day) == found
    again = _fanned_out(cli, day)
    assert again == summary and "regression" not in again, "each part is idempotent"
    assert cli("ledger", "check").exit_code == 0


def test_two_workers_reconcile_the_parts_as_one_process_does(
    client, tokens, cli, settings, world, tmp_path, redis_url
):
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("two worker processes share a day on PostgreSQL with Redis, as production runs")
    _statements(client, tokens, cli, world, tmp_path)
    day = world["day"]
    summary, found = _in_one_process(client, settings, day)
    environment = os.environ | {
        "FEECOLLECT_DATABASE_URL": settings.database_url,
        "FEECOLLECT_BROKER_URL": redis_url,
        "FEECOLLECT_SECRET_KEY": settings.secret_key.get_secret_value(),
        "FEECOLLECT_SCHEDULES_DIR": str(settings.schedules_dir),
        "FEECOLLECT_OPERATOR": "王芳",
    }
    with worker_processes(environment, 2, tmp_path) as workers:
        deadline = time.monotonic() + 60
        while not all("ready." in log.read_text() for log in workers.logs):
            workers.check_running()
            assert time.monotonic() < deadline, "workers not ready after 60 s"
            time.sleep(0.3)
        command = ["reconcile", "--date", day.isoformat(), "--all-accounts", "--json", "--timeout", "120"]
        ran = subprocess.run(
            [sys.executable, "-m", "feecollect.cli", *command],
            env=environment,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert ran.returncode == 0, ran.stderr[-2000:]
        assert json.loads(ran.stdout[ran.stdout.index("{") :]) == summary
        with unit_of_work(client.app.state.sessionmaker) as session:
            assert _findings(session, day) == found
        took = [log.read_text().count("feecollect.reconcile.part[") for log in workers.logs]
        assert all(took), f"both workers reconciled parts: {took}"
