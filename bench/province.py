"""A province's day, reconciled in one process and fanned out over 1 and 2 Celery workers (SPEC §17).

Generates, straight into a PostgreSQL template database with SQL: 100 divisions, each with its special
account; N notices on file (10 million by default, with their cases), each earlier one paid by a
callback on its day (of the year before) with its credit on that day's statement; the last 100,000
were issued for this day, with the day's callbacks and one statement line per notice on its
division's account (≈97% clean; the rest unidentified credits, amount mismatches, notices paid
without a callback, and credits on a second account for a notice another account's credit paid).
Then, each on a fresh copy of the template, times:

- the one-process run (``reconcile_day``, what `feecollect reconcile --date D` does): the floor;
- `reconcile --all-accounts` with 1 worker process, then with 2 (each ``--concurrency 1``),

checks that the three give the same summary, and prints lines per second per worker.

    python bench/province.py [--notices 10000000] [--lines 100000] [--keep-template]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

DAY = date(2026, 11, 21)
DIVISIONS = 100
AMOUNT = 57_000
SERVER = os.environ.get(
    "FEECOLLECT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS = os.environ.get("FEECOLLECT_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
TEMPLATE = "feecollect_province_template"
RUN = "feecollect_province_run"  # each run's copy of the template, replacing the one before
SCHEDULES = Path(__file__).resolve().parents[1] / "fee_schedules"


def database_url(name: str) -> str:
    return str(sa.make_url(SERVER).set(database=name))


def admin(statement: str) -> None:
    engine = sa.create_engine(SERVER, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(statement)
    engine.dispose()


def generate(notices: int, lines: int) -> float:
    """The template database; returns the seconds it took."""
    from feecollect.db.engine import make_engine, make_sessionmaker, migrate, unit_of_work
    from feecollect.schedules.service import load_schedules

    started = time.perf_counter()
    admin(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
    admin(f"CREATE DATABASE {TEMPLATE}")
    engine = make_engine(database_url(TEMPLATE))
    migrate(engine)
    with unit_of_work(make_sessionmaker(engine)) as session:
        load_schedules(session, SCHEDULES)
    first_of_day = notices - lines + 1
    values = {"n": notices, "first": first_of_day, "day": DAY, "amount": AMOUNT, "divisions": DIVISIONS}
    # Notice i belongs to division i % 100, whose special account is account i % 100 + 1; its payment
    # code opens with the division's code.
    code = "(430100 + i % :divisions)::text || '26' || lpad(i::text, 10, '0') || '00'"
    # What happens to notice i of the day, spread over every account: a scrambled per-mille bucket.
    bucket = "(i::bigint * 7919 % 1000)"
    unpaid = f"{bucket} BETWEEN 15 AND 24"  # paid at the bank, which never called back: 1%
    steps = [
        """INSERT INTO bank_accounts (id, account_no, kind, created_at)
           SELECT d + 1, '4305016236080' || lpad(d::text, 7, '0'), 'special', now()
           FROM generate_series(0, :divisions - 1) d""",
        """INSERT INTO cases (id, case_no, "window", department_code, service_date, applicant_name,
             applicant_id_type, applicant_id_no, payer_flags, status, registered_by, registered_at)
           SELECT i, 'P-' || i, 'W01', 'ZRZY', :day - (i % 365), '缴款人' || (i % 5000), 'uscc',
             '91110000600037341L', '[]', 'accepted', 'bench', now()
           FROM generate_series(1, :n) i""",
        f"""INSERT INTO notices (id, payment_code, case_id, department_code, payer_name, payer_id_type,
             payer_id_no, payer_flags, service_date, amount_fen, issue_date, due_date, status, issued_by,
             issued_at)
           SELECT i, {code}, i, 'ZRZY', '缴款人' || (i % 5000), 'uscc', '91110000600037341L', '[]',
             CASE WHEN i >= :first THEN :day ELSE :day - 1 - (i % 365) END, :amount,
             CASE WHEN i >= :first THEN :day ELSE :day - 1 - (i % 365) END,
             CASE WHEN i >= :first THEN :day + 15 ELSE :day + 14 - (i % 365) END,
             CASE WHEN i >= :first AND {unpaid} THEN 'issued' ELSE 'paid' END,
             'bench', now()
           FROM generate_series(1, :n) i""",
        # The notices the statement pays (no callback came) need their lines: the ledger credits the
        # department of each.
        f"""INSERT INTO notice_lines (notice_id, line_no, fee_item_version_id, item_code, item_version,
             item_name, department_code, department_name, unit, quantity, rate, lawful_min, lawful_max,
             amount_fen, basis, explanation)
           SELECT i, 1, (SELECT id FROM fee_item_versions WHERE code = 'XZ-BDC-002'
             AND superseded_at IS NULL), 'XZ-BDC-002', 1, '不动产登记费（非住宅类）', 'ZRZY',
             '自然资源和规划局', '件', '1', '570.00', '570.00', '570.00', :amount, 'bench', 'bench'
           FROM generate_series(:first, :n) i WHERE {unpaid}""",
        # Every notice on file was paid by a callback on its day, but the day's notices paid without one.
        f"""INSERT INTO payments (id, bank_code, bank_txn_id, notice_id, payment_code, amount_fen, paid_at,
             business_date, body_hash, received_at)
           SELECT i, 'CCB', 'T' || i, i, {code}, :amount, now(),
             CASE WHEN i >= :first THEN :day ELSE :day - 1 - (i % 365) END, 'h', now()
           FROM generate_series(1, :n) i WHERE i < :first OR NOT ({unpaid})""",
        """INSERT INTO statement_files (id, account_id, source, format, sha256, line_count, new_line_count,
             first_date, last_date, warnings, imported_by, imported_at)
           SELECT d + 1, d + 1, 'province-' || d || '.csv', 'csv:ccb', 'x', 0, 0, :day - 365, :day, '[]',
             'bench', now()
           FROM generate_series(0, :divisions - 1) d""",
        # Each earlier payment's credit on the statement of its day.
        f"""INSERT INTO statement_lines (id, account_id, file_id, line_no, dedup_key, booked_on, booked_at,
             amount_fen, currency, counterparty_name, counterparty_account, remark, serial, payment_code)
           SELECT i, i % :divisions + 1, i % :divisions + 1, i, 'k' || i, :day - 1 - (i % 365),
             (time '08:00' + (i % 36000) * interval '1 second')::text, :amount, 'CNY', '缴款人' || (i % 5000),
             '6217000010001234567', '缴款', 'S' || i, {code}
           FROM generate_series(1, :first - 1) i""",
        # One credit per notice of the day on its division's account: 1% name no notice, 0.5% credit
        # the wrong amount; 0.2% are also credited earlier on the next division's account, so that
        # account's credit pays the notice and this one is a duplicate.
        f"""INSERT INTO statement_lines (id, account_id, file_id, line_no, dedup_key, booked_on, booked_at,
             amount_fen, currency, counterparty_name, counterparty_account, remark, serial, payment_code)
           SELECT i, i % :divisions + 1, i % :divisions + 1, i, 'k' || i, :day,
             (time '08:00' + (i % 36000) * interval '1 second')::text,
             CASE WHEN {bucket} BETWEEN 10 AND 14 THEN :amount + 100 ELSE :amount END, 'CNY',
             '缴款人' || (i % 5000), '6217000010001234567', '缴款', 'S' || i,
             CASE WHEN {bucket} < 10 THEN NULL ELSE {code} END
           FROM generate_series(:first, :n) i""",
        f"""INSERT INTO statement_lines (id, account_id, file_id, line_no, dedup_key, booked_on, booked_at,
             amount_fen, currency, counterparty_name, counterparty_account, remark, serial, payment_code)
           SELECT :n + i, (i + 1) % :divisions + 1, (i + 1) % :divisions + 1, :n + i, 'r' || i, :day,
             '07:00:00', :amount, 'CNY', '缴款人' || (i % 5000), '6217000010001234567', '缴款', 'R' || i,
             {code}
           FROM generate_series(:first, :n) i WHERE {bucket} BETWEEN 25 AND 26""",
    ]
    with engine.begin() as connection:
        for step in steps:
            connection.execute(sa.text(step), values)
        for table in ("cases", "notices", "payments", "statement_lines", "bank_accounts", "statement_files"):
            connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return time.perf_counter() - started


def fresh_copy(name: str) -> str:
    admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    return database_url(name)


def environment(url: str) -> dict[str, str]:
    return os.environ | {
        "FEECOLLECT_DATABASE_URL": url,
        "FEECOLLECT_BROKER_URL": REDIS,
        "FEECOLLECT_SCHEDULES_DIR": str(SCHEDULES),
        "FEECOLLECT_LOG_LEVEL": "WARNING",
    }


def one_process(url: str) -> tuple[float, dict[str, object]]:
    from feecollect.audit.service import Actor
    from feecollect.db.engine import make_engine, make_sessionmaker, unit_of_work
    from feecollect.reconcile.service import reconcile_day
    from feecollect.schedules.service import current_catalogue
    from feecollect.settings import Settings

    settings = Settings(database_url=url, schedules_dir=SCHEDULES)
    sessions = make_sessionmaker(make_engine(url))
    started = time.perf_counter()
    with unit_of_work(sessions) as session:
        outcome = reconcile_day(session, settings, current_catalogue(session), DAY, Actor("bench", "finance"))
    return time.perf_counter() - started, outcome.summary


def across_workers(url: str, workers: int, logs: Path) -> tuple[float, dict[str, object]]:
    import redis

    from feecollect.audit.service import Actor
    from feecollect.devtools.workers import worker_processes
    from feecollect.settings import Settings
    from feecollect.tasks import celery_app, reconcile_across_workers

    redis.Redis.from_url(REDIS).flushdb()
    run_logs = logs / f"{workers}-workers"
    run_logs.mkdir()
    # The parts' queue only: the bills the statement-path payments enqueue are left to other workers,
    # as the one-process run leaves them (they wait in the broker).
    with worker_processes(environment(url), workers, run_logs, queues="reconcile") as started:
        deadline = time.monotonic() + 120
        while len(celery_app.control.ping(timeout=0.5)) < workers:
            started.check_running()
            if time.monotonic() > deadline:
                raise SystemExit(f"{workers} workers not ready after 120 s")
        settings = Settings(database_url=url, schedules_dir=SCHEDULES, broker_url=REDIS)
        begun = time.perf_counter()
        summary = reconcile_across_workers(settings, DAY, Actor("bench", "finance"), timeout=3600)
        return time.perf_counter() - begun, summary


def _parts(url: str) -> int:
    from feecollect.db.engine import make_engine, make_sessionmaker, unit_of_work
    from feecollect.reconcile.service import parts_of_day

    engine = make_engine(url)
    with unit_of_work(make_sessionmaker(engine)) as session:
        found = len(parts_of_day(session, DAY))
    engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=10_000_000)
    parser.add_argument("--lines", type=int, default=100_000, help="the day's notices and statement lines")
    parser.add_argument("--keep-template", action="store_true", help="reuse the template of an earlier run")
    args = parser.parse_args()
    os.environ |= environment(database_url(TEMPLATE))  # the producer's Celery app reads these on import

    if not args.keep_template:
        seconds = generate(args.notices, args.lines)
        print(f"generated {args.notices:,} notices, {args.lines:,} of them for {DAY}, in {seconds:.0f} s")
    engine = sa.create_engine(database_url(TEMPLATE))
    with engine.connect() as connection:
        day_lines = connection.execute(
            sa.text("SELECT count(*) FROM statement_lines WHERE booked_on = :day"), {"day": DAY}
        ).scalar_one()
        on_file = connection.execute(sa.text("SELECT count(*) FROM notices")).scalar_one()
    engine.dispose()
    parts = _parts(database_url(TEMPLATE))

    with tempfile.TemporaryDirectory() as workdir:
        logs = Path(workdir)
        floor, expected = one_process(fresh_copy(RUN))
        timings = {}
        for workers in (1, 2):
            seconds, summary = across_workers(fresh_copy(RUN), workers, logs)
            assert summary == expected, f"{workers} workers: {summary} != {expected}"
            timings[workers] = seconds
    admin(f"DROP DATABASE IF EXISTS {RUN} WITH (FORCE)")

    print(
        f"cores: {os.cpu_count()}; notices on file: {on_file:,}; lines of {DAY}: {day_lines:,}; "
        f"divisions and special accounts: {DIVISIONS}; parts of the day: {parts}"
    )
    print(f"summary: matched {expected['matched']:,}, exceptions {expected['exceptions']}")
    print(f"floor: one process: {floor:.1f} s ({day_lines / floor:,.0f} lines/s)")
    for workers, seconds in timings.items():
        print(
            f"fanned out, {workers} worker{'s' if workers > 1 else ''}: {seconds:.1f} s, "
            f"{day_lines / seconds / workers:,.0f} lines/s per worker, "
            f"{floor / seconds:.2f}× the one-process speed"
        )
    print(
        f"ratio: 2 workers / 1 worker speed-up = {timings[1] / timings[2]:.2f} "
        "(the same summary in all three runs)"
    )


if __name__ == "__main__":
    main()
