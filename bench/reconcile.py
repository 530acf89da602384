"""Reconciliation end to end on a year's volume, next to a DuckDB join of the same files as the floor.

Generates N notices (with their cases) and callback payments straight into a fresh database, writes a
statement CSV of about N lines (≈95% clean; the rest amount mismatches, duplicates, unidentified
credits and notices paid without a callback, and callbacks missing from the statement), then times
`feecollect reconcile --statement FILE --account NO --date D --json` as a separate process (start-up,
parse, import, match, write), on SQLite and, where reachable, on PostgreSQL. In the same run it times
DuckDB joining the statement CSV with a notices CSV on the payment code: the floor.

    python bench/reconcile.py [--notices 1000000] [--skip-postgres]
    python bench/reconcile.py --against ../other-checkout [--pairs 3]

With ``--against DIR`` it times, on SQLite, this code and the code of another checkout (``DIR/src``)
in turn, each run on a fresh copy of the same generated database: a same-run A/B.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from alembic import command

from feecollect.db.engine import (
    alembic_config,
    make_engine,
    make_sessionmaker,
    migrate,
    migration_transaction,
    unit_of_work,
)
from feecollect.notices.payment_code import make_payment_code
from feecollect.schedules.service import load_schedules

DAY = date(2026, 11, 21)
SPECIAL = "43050162360800000001"
AMOUNT = 57_000
POSTGRES = os.environ.get(
    "FEECOLLECT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def plan(n: int, seed: int = 7) -> tuple[list[tuple], list[tuple], list[list[str]]]:
    """Notices, payments and statement rows. Shares of the non-clean 5%: see the module docstring."""
    rng = random.Random(seed)
    notices, payments, rows, lined = [], [], [], []
    serial = 0

    def line(code: str | None, fen: int) -> None:
        nonlocal serial
        serial += 1
        remark = f"缴款码:{code}" if code else "缴费"
        rows.append(
            [
                SPECIAL,
                f"{DAY} {serial % 24:02d}:{serial % 60:02d}:00",
                "",
                f"{fen // 100}.{fen % 100:02d}",
                "",
                f"缴款人{serial % 5000}",
                "6217000010001234567",
                remark,
                f"S{serial:09d}",
            ]
        )

    for i in range(1, n + 1):
        code = make_payment_code("430321", 2026, i)
        notices.append((i, code))
        roll = rng.random()
        if roll < 0.95:
            payments.append((i, code, DAY))
            line(code, AMOUNT)
        elif roll < 0.96:
            line(code, AMOUNT - 100)  # amount_mismatch
        elif roll < 0.97:
            payments.append((i, code, DAY))
            line(code, AMOUNT)
            line(code, AMOUNT)  # duplicate_payment
        elif roll < 0.98:
            payments.append((i, code, DAY - timedelta(days=2)))  # missing_on_statement
        elif roll < 0.99:
            line(None, AMOUNT + 1)  # unidentified_credit
        elif roll < 0.9902:
            line(code, AMOUNT)
            lined.append(i)  # paid_without_callback: few, as each then issues a signed bill
        # else: an issued notice nobody paid yet
    return notices, payments, rows, lined


def _timestamp(d: date) -> str:
    return f"{d} 01:00:00+00:00"


def load(url: str, notices: list[tuple], payments: list[tuple], lined: list[int]) -> None:
    engine = make_engine(url)
    migrate(engine)
    with unit_of_work(make_sessionmaker(engine)) as session:
        load_schedules(session, Path("fee_schedules"))
    with engine.connect() as connection:
        version_id = connection.exec_driver_sql(
            "SELECT id FROM fee_item_versions WHERE code = 'XZ-BDC-002' AND superseded_at IS NULL"
        ).scalar_one()
    cases = [
        (
            i,
            f"B-{i}",
            "W01",
            "ZRZY",
            str(DAY),
            f"缴款人{i % 5000}",
            "uscc",
            "91110000600037341L",
            "[]",
            "accepted",
            "bench",
            _timestamp(DAY),
        )
        for i, _ in notices
    ]
    paid_ids = {p[0] for p in payments}
    notice_rows = [
        (
            i,
            code,
            i,
            "ZRZY",
            f"缴款人{i % 5000}",
            "uscc",
            "91110000600037341L",
            "[]",
            str(DAY),
            AMOUNT,
            str(DAY),
            str(DAY + timedelta(days=15)),
            "paid" if i in paid_ids else "issued",
            "bench",
            _timestamp(DAY),
        )
        for i, code in notices
    ]
    payment_rows = [
        (i, "CCB", f"T{i}", i, code, AMOUNT, _timestamp(d), str(d), "h", _timestamp(d))
        for i, code, d in payments
    ]
    # Only the notices the statement will pay need their lines (the ledger credits each department).
    line_rows = [
        (
            i,
            1,
            version_id,
            "XZ-BDC-002",
            1,
            "不动产登记费（非住宅类）",
            "ZRZY",
            "自然资源和规划局",
            "件",
            "1",
            "570.00",
            "570.00",
            "570.00",
            AMOUNT,
            "bench",
            "bench",
        )
        for i in lined
    ]
    tables = {
        "cases": (
            'id, case_no, "window", department_code, service_date, applicant_name, applicant_id_type, '
            "applicant_id_no, payer_flags, status, registered_by, registered_at",
            cases,
        ),
        "notices": (
            "id, payment_code, case_id, department_code, payer_name, payer_id_type, payer_id_no, "
            "payer_flags, service_date, amount_fen, issue_date, due_date, status, issued_by, issued_at",
            notice_rows,
        ),
        "payments": (
            "id, bank_code, bank_txn_id, notice_id, payment_code, amount_fen, paid_at, business_date, "
            "body_hash, received_at",
            payment_rows,
        ),
        "notice_lines": (
            "notice_id, line_no, fee_item_version_id, item_code, item_version, item_name, department_code, "
            "department_name, unit, quantity, rate, lawful_min, lawful_max, amount_fen, basis, explanation",
            line_rows,
        ),
    }
    with engine.begin() as connection:
        raw = connection.connection.driver_connection
        for table, (columns, rows) in tables.items():
            if engine.dialect.name == "sqlite":
                marks = ", ".join("?" for _ in columns.split(","))
                raw.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
            else:
                with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        if engine.dialect.name == "postgresql":
            for table in ("cases", "notices", "payments"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
            connection.exec_driver_sql("ANALYZE")
    engine.dispose()


def _environment(url: str, source: Path | None) -> dict[str, str]:
    env = os.environ | {
        "FEECOLLECT_DATABASE_URL": url,
        "FEECOLLECT_SCHEDULES_DIR": str(Path("fee_schedules").resolve()),
        "FEECOLLECT_OPERATOR": "bench",
    }
    if source is not None:
        env["PYTHONPATH"] = str(source)
        env["FEECOLLECT_SCHEDULES_DIR"] = str(source.parent / "fee_schedules")  # the files it reads
    return env


def add_account(url: str, workdir: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "feecollect.cli", "accounts", "add", SPECIAL, "--kind", "special"],
        env=_environment(url, None),
        check=True,
        capture_output=True,
        cwd=workdir,
    )


def run_reconcile(
    url: str, statement: Path, workdir: Path, source: Path | None = None
) -> tuple[float, dict, int]:
    """``source``: the ``src`` directory of the code to run (default: the installed code)."""
    env = _environment(url, source)
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _PEAK_MEMORY_OF_CHILD,
            sys.executable,
            "-m",
            "feecollect.cli",
            "reconcile",
            "--statement",
            str(statement),
            "--account",
            SPECIAL,
            "--date",
            str(DAY),
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=workdir,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"feecollect reconcile failed: {done.stderr[-2000:]}")
    peak_kib = int(done.stderr.rsplit("peak_kib=", 1)[1])
    return elapsed, json.loads(done.stdout), peak_kib


# Runs the command given and reports its peak memory. The command is started from this small process,
# not from the benchmark's: a child forked from a process holding gigabytes of generated data reports
# that process's memory as its own peak (Linux carries the high-water mark across exec).
_PEAK_MEMORY_OF_CHILD = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
    "print(f'peak_kib={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', file=sys.stderr); "
    "sys.exit(code)"
)


def duckdb_floor(statement: Path, notices_csv: Path) -> float:
    import duckdb

    started = time.perf_counter()
    duckdb.sql(
        f"""
        WITH s AS (SELECT regexp_extract("摘要", '[0-9]{{20}}') AS code, "贷方发生额"::DECIMAL(18,2) AS amount
                   FROM read_csv('{statement}', header=true, all_varchar=true)),
             n AS (SELECT payment_code AS code, amount::DECIMAL(18,2) AS amount
                   FROM read_csv('{notices_csv}', header=true, all_varchar=true))
        SELECT CASE WHEN n.code IS NULL THEN 'unidentified' WHEN s.amount <> n.amount THEN 'mismatch'
                    ELSE 'matched' END AS class, count(*)
        FROM s LEFT JOIN n ON s.code = n.code GROUP BY 1
        """
    ).fetchall()
    return time.perf_counter() - started


def _at_schema_of(other: Path, template: Path, workdir: Path) -> Path:
    """A copy of ``template`` taken down (untimed) to the newest migration ``other`` knows, so that the
    older code runs on the schema it was written for, with the same rows."""
    versions = other / "feecollect" / "migrations" / "versions"  # other: the checkout's src
    newest = max(path.name.split("_", 1)[0] for path in versions.glob("[0-9]*.py"))
    copy = workdir / "template-other.db"
    shutil.copyfile(template, copy)
    engine = make_engine(f"sqlite:///{copy}")
    with migration_transaction(engine) as connection:
        command.downgrade(alembic_config(connection), newest)
    engine.dispose()
    return copy


def compare(
    other: Path,
    notices: list,
    payments: list,
    lined: list,
    statement: Path,
    workdir: Path,
    pairs: int,
    floor: float,
) -> None:
    """This code and ``other`` in turn on copies of one SQLite database; their summaries must agree."""
    template = workdir / "template.db"
    load(f"sqlite:///{template}", notices, payments, lined)
    add_account(f"sqlite:///{template}", workdir)
    templates = {"this code": template, "other code": _at_schema_of(other, template, workdir)}
    times: dict[str, list[float]] = {"this code": [], "other code": []}
    summaries = set()
    for _ in range(pairs):
        for name, source in (("other code", other), ("this code", None)):
            run = workdir / "run.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{run}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(templates[name], run)
            elapsed, summary, _ = run_reconcile(f"sqlite:///{run}", statement, workdir, source)
            times[name].append(elapsed)
            summaries.add(json.dumps(summary, sort_keys=True))
            print(f"{name}: {elapsed:.1f} s ({elapsed / floor:.1f}× the DuckDB floor)", flush=True)
    for name, runs in times.items():
        print(f"{name}: " + " / ".join(f"{t:.1f}" for t in runs) + f" s, best {min(runs):.1f} s")
    ratio = min(times["this code"]) / min(times["other code"])
    print(f"this code / other code, best against best: {ratio:.3f}")
    print("summaries agree" if len(summaries) == 1 else f"summaries DIFFER: {summaries}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notices", type=int, default=1_000_000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--against", type=Path, help="another checkout: time its code and this one in turn")
    parser.add_argument("--pairs", type=int, default=3, help="with --against: runs of each code")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; notices: {args.notices:,}")
    notices, payments, rows, lined = plan(args.notices)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        statement = workdir / "statement.csv"
        with statement.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [
                    "账号",
                    "交易时间",
                    "借方发生额",
                    "贷方发生额",
                    "余额",
                    "对方户名",
                    "对方账号",
                    "摘要",
                    "流水号",
                ]
            )
            writer.writerows(rows)
        notices_csv = workdir / "notices.csv"
        with notices_csv.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["payment_code", "amount"])
            writer.writerows((code, "570.00") for _, code in notices)
        print(f"statement: {len(rows):,} lines, {statement.stat().st_size / 2**20:.0f} MiB")
        floor = duckdb_floor(statement, notices_csv)
        print(f"floor: DuckDB join of the two CSV files on payment code: {floor:.2f} s")

        if args.against is not None:
            compare(
                args.against.resolve() / "src",
                notices,
                payments,
                lined,
                statement,
                workdir,
                args.pairs,
                floor,
            )
            return
        targets = [("sqlite", f"sqlite:///{workdir / 'bench.db'}")]
        if not args.skip_postgres:
            try:
                import psycopg

                admin = psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True)
                admin.execute("DROP DATABASE IF EXISTS feecollect_bench WITH (FORCE)")
                admin.execute("CREATE DATABASE feecollect_bench")
                targets.append(("postgresql", POSTGRES.rsplit("/", 1)[0] + "/feecollect_bench"))
            except Exception as exc:  # the benchmark still reports SQLite
                print(f"postgresql: skipped ({exc})")
        for name, url in targets:
            started = time.perf_counter()
            load(url, notices, payments, lined)
            print(
                f"{name}: generated {len(notices):,} notices and {len(payments):,} payments in "
                f"{time.perf_counter() - started:.1f} s (not timed below)"
            )
            add_account(url, workdir)
            elapsed, summary, peak_kib = run_reconcile(url, statement, workdir)
            print(
                f"{name}: feecollect reconcile end to end {elapsed:.1f} s, "
                f"{len(rows) / elapsed:,.0f} lines/s, "
                f"peak memory {peak_kib / 1024:.0f} MiB, {elapsed / floor:.1f}× the DuckDB floor"
            )
            print(f"{name}: summary {json.dumps(summary, ensure_ascii=False)}")
        if len(targets) > 1:
            admin.execute("DROP DATABASE IF EXISTS feecollect_bench WITH (FORCE)")


if __name__ == "__main__":
    main()
