"""Signed payment callbacks per second against uvicorn + PostgreSQL, next to the framework ceiling.

Starts the API (uvicorn, 2 workers) on 127.0.0.1 over a fresh PostgreSQL database, issues N notices
and looks each up as the bank (untimed), then drives N signed first-time callbacks echoing the confirm
codes (the heaviest path: verify, judge, pay, post, audit) over 64 connections with wrk, while the
audit sealer runs every second as beat would run it; in the same run the same load on a trivial
endpoint of the same app (GET /api/v1/health) is the ceiling. Prints requests/s, p50, p99 and the core
count.

Then, as a floor for the database's share, pgbench replays one callback's statements (the read and
the one write the service sends on PostgreSQL) over the same number of connections with no Python in
between: no server written in any language can pay notices faster than that on this host. The last
line is the ratio of the callbacks to that floor.

wrk cannot sign, so each callback is signed beforehand (its own nonce) and replayed from a Lua table;
wrk always sleeps its full duration, so the run is interrupted (SIGINT, which makes wrk report the
true elapsed time) as soon as the database holds all N payments.

    python bench/callbacks.py [--notices 20000] [--connections 64] [--seconds 10]
    needs: wrk (apt-get install wrk), PostgreSQL on 127.0.0.1 (FEECOLLECT_BENCH_POSTGRES_URL) and Redis
    as the broker the bill tasks are sent to (FEECOLLECT_BENCH_BROKER_URL, emptied before and after)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import psycopg
import redis
from sqlalchemy import func, make_url, select

from feecollect.api.app import create_app
from feecollect.audit import sealing
from feecollect.audit.service import Actor
from feecollect.bank.auth import BankCaller
from feecollect.bank.service import add_bank
from feecollect.bank.signing import signed_headers
from feecollect.cases import service as cases
from feecollect.cases.service import CaseData
from feecollect.db.engine import make_engine, make_sessionmaker, unit_of_work
from feecollect.devtools.bank_client import PAYMENTS, payment_body
from feecollect.money import format_yuan
from feecollect.notices import service as notices
from feecollect.payments.models import Payment
from feecollect.payments.service import look_up
from feecollect.schedules.service import CatalogueProvider
from feecollect.settings import Settings
from feecollect.users.principal import Principal
from feecollect.users.service import Role

ROOT = Path(__file__).resolve().parent.parent
BROKER_URL = os.environ.get("FEECOLLECT_BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
ADMIN_URL = os.environ.get(
    "FEECOLLECT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SECRET = "bench-secret-not-a-placeholder-0123456789"
THREADS = 2
# One callback's statements, as the service sends them on PostgreSQL (payments/pg_repository.py): the
# read of everything the rules need, then the one guarded write, each its own transaction. Each pgbench
# client pays random notices again and again, so the one-payment-per-notice constraint is dropped on the
# scratch database first and the write's guard (the notice still issued) is left out, keeping its work.
# pgbench reads any :name as a variable, hence chr(58) for the colons of 'revenue:ZRZY' and 'bank:FLOOR'.
FLOOR_SCRIPT = """
\\set n random(1, 2000000000)
\\set notice random(1, :notices)
SELECT k.bank_code, k.encrypted_secret, b.lookup_required,
       EXISTS (SELECT 1 FROM payments p WHERE p.bank_code = k.bank_code AND p.bank_txn_id = 'F' || :n)
    OR EXISTS (SELECT 1 FROM late_callbacks c WHERE c.bank_code = k.bank_code AND c.bank_txn_id = 'F' || :n)
       AS seen,
       n.id, n.payment_code, n.status, n.amount_fen, n.due_date, n.issued_at, n.project_id,
       l.confirm_code, l.looked_up_at, l.expires_at,
       (SELECT json_agg(json_build_array(d.department_code, d.amount) ORDER BY d.department_code)
          FROM (SELECT department_code, sum(amount_fen) AS amount FROM notice_lines
                 WHERE notice_id = n.id GROUP BY department_code) d) AS by_department
  FROM bank_keys k JOIN banks b ON b.code = k.bank_code
  LEFT JOIN notices n ON n.id = :notice
  LEFT JOIN notice_lookups l ON l.bank_code = k.bank_code AND l.notice_id = n.id
 WHERE k.key_id = :key AND k.retired_at IS NULL;
WITH paid AS (
    UPDATE notices SET status = 'paid', closed_at = now() WHERE id = :notice RETURNING id
), payment AS (
    INSERT INTO payments (bank_code, bank_txn_id, notice_id, payment_code, amount_fen, paid_at,
                          business_date, body_hash, received_at)
    SELECT 'FLOOR', 'F' || :client_id || '-' || :n, id, '00000000000000000000', 100, now(), current_date,
           repeat('0', 64), now() FROM paid
 RETURNING id
), nonce AS (
    INSERT INTO bank_nonces (key_id, nonce, seen_at) SELECT :key, 'floor-' || :client_id || '-' || :n, now()
      FROM paid
), ledger AS (
    INSERT INTO ledger_transactions (kind, reference, memo, business_date, created_at)
    SELECT 'payment', 'FLOOR' || chr(58) || :client_id || '-' || :n, 'floor', current_date, now() FROM paid
 RETURNING id
), postings AS (
    INSERT INTO ledger_postings (transaction_id, account, amount_fen)
    SELECT ledger.id, p.account, p.amount
      FROM ledger, json_to_recordset(json_build_array(
             json_build_object('account', 'special', 'amount', 100),
             json_build_object('account', 'revenue' || chr(58) || 'ZRZY', 'amount', -100)))
           AS p(account text, amount bigint)
), audit AS (
    INSERT INTO audit_entries (recorded_at, actor, role, action, object_type, object_id, before, after,
                               content_hash)
    SELECT now()::text, 'bank' || chr(58) || 'FLOOR', 'bank', 'notice.paid', 'notice', '0',
           '{"status": "issued"}', '{"status": "paid"}', repeat('0', 64) FROM paid
)
SELECT id FROM payment;
"""
AIM_FLOOR_RATIO, AIM_P99_MS = 0.50, 100.0
BENCH = Actor("bench", "operator")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_database() -> tuple[str, str]:
    url = make_url(ADMIN_URL)
    name = f"feecollect_bench_{os.getpid()}"
    with psycopg.connect(
        url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
    ) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')
        c.execute(f'CREATE DATABASE "{name}"')
    return name, url.set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    url = make_url(ADMIN_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(settings: Settings, count: int) -> tuple[str, str, list[tuple[str, str, str]]]:
    """The bank, and ``count`` notices it has looked up: (payment code, amount, confirm code). The
    lookups are made here, untimed: the benchmark measures the callbacks."""
    app = create_app(settings)
    with unit_of_work(app.state.sessionmaker) as session:
        key, secret = add_bank(session, SECRET, BENCH, "BENCH", "基准测试银行")
    caller = BankCaller("BENCH", key, "seed")
    catalogue = None
    issued: list[tuple[str, str, str]] = []
    clerk = Principal("bench", Role.clerk, "ZRZY")
    for start in range(0, count, 1000):
        with unit_of_work(app.state.sessionmaker) as session:
            catalogue = catalogue or CatalogueProvider().get(session)
            for n in range(start, min(start + 1000, count)):
                data = CaseData(
                    f"B-{n:06d}",
                    "W01",
                    "ZRZY",
                    date.today(),
                    "示范市星河商贸有限公司",
                    "uscc",
                    "91110000600037341L",
                    (),
                    (("XZ-BDC-003", Decimal(1 + n % 7)),),
                )
                cases.register(session, catalogue, BENCH, data)
                notice = notices.issue(session, catalogue, settings, clerk, data.case_no)
                looked_up = look_up(session, settings, caller, notice.payment_code).confirm
                assert looked_up is not None
                issued.append((notice.payment_code, format_yuan(notice.amount_fen), looked_up.confirm_code))
    app.state.engine.dispose()
    return key, secret, issued


@contextmanager
def audit_sealer(settings: Settings) -> Iterator[None]:
    """The sealer every second, as beat runs it in production: its work is part of the load."""
    stop = threading.Event()
    key = sealing.checkpoint_key(settings.secret_key.get_secret_value())
    sessions = make_sessionmaker(make_engine(settings.database_url))

    def run() -> None:
        while not stop.wait(1.0):
            with unit_of_work(sessions) as session:
                sealing.seal(session, key)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def write_script(directory: Path, key: str, secret: str, issued: list[tuple[str, str, str]]) -> Path:
    """One Lua file of pre-signed requests per wrk thread, and the script that replays them."""
    paid_at = datetime.now(UTC)
    for thread in range(THREADS):
        lines = ["return {"]
        for n in range(thread, len(issued), THREADS):
            code, amount, confirm_code = issued[n]
            body = payment_body(f"BENCH{n:07d}", code, amount, paid_at, confirm_code=confirm_code).decode()
            headers = signed_headers(key, secret, "POST", PAYMENTS, body.encode()) | {
                "Content-Type": "application/json"
            }
            header_table = ", ".join(f'["{k}"] = {lua_string(v)}' for k, v in headers.items())
            lines.append(f"  {{ {lua_string(body)}, {{ {header_table} }} }},")
        lines.append("}")
        (directory / f"requests_{thread}.lua").write_text("\n".join(lines), encoding="utf-8")
    script = directory / "callbacks.lua"
    script.write_text(
        f"""
local counter = 0
local threads = {{}}
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  pending = dofile("{directory}/requests_" .. id .. ".lua")
  index = 0
  statuses = {{}}
end
function request()
  index = index + 1
  if index == 1 then
    -- wrk calls request() once on thread 0 to check the script: spend that call on a harmless request.
    return wrk.format("GET", "/api/v1/health")
  end
  local entry = pending[index - 1]
  if entry == nil then
    wrk.thread:stop()
    return wrk.format("GET", "/api/v1/health")
  end
  return wrk.format("POST", "{PAYMENTS}", entry[2], entry[1])
end
""",
        encoding="utf-8",
    )
    return script


def parse_wrk(output: str) -> tuple[int, float, float, float, int]:
    """(requests, seconds, requests/s, p50 ms, p99 ms, non-2xx)."""

    def ms(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        if not match:
            raise SystemExit(f"wrk printed no {label}th percentile:\n{output}")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not done or not rate:
        raise SystemExit(f"cannot read wrk's output:\n{output}")
    seconds = float(done.group(2)) * {"ms": 0.001, "s": 1, "m": 60}[done.group(3)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return (
        int(done.group(1)),
        seconds,
        float(rate.group(1)),
        ms("50"),
        ms("99"),
        int(errors.group(1)) if errors else 0,
    )


def database_floor(database_url: str, key: str, notices: int, connections: int, transactions: int) -> str:
    """pgbench's output for ``transactions`` callback-shaped transactions over ``connections`` clients."""
    url = make_url(database_url)
    with psycopg.connect(
        url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
    ) as c:
        c.execute("ALTER TABLE payments DROP CONSTRAINT uq_payments_notice_id")
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as script:
        script.write(FLOOR_SCRIPT)
        script.flush()
        run = subprocess.run(
            [
                "pgbench",
                "--no-vacuum",
                "--protocol=prepared",
                f"--client={connections}",
                f"--jobs={THREADS}",
                f"--transactions={max(1, transactions // connections)}",
                f"--define=key={key}",
                f"--define=notices={notices}",
                f"--file={script.name}",
                "--host",
                url.host or "127.0.0.1",
                "--port",
                str(url.port or 5432),
                "--username",
                url.username or "postgres",
                url.database or "",
            ],
            capture_output=True,
            text=True,
        )
    if run.returncode != 0:
        raise SystemExit(f"pgbench failed:\n{run.stdout}\n{run.stderr}")
    return run.stdout


def parse_pgbench(output: str) -> tuple[int, float, float]:
    """(transactions, tps, mean latency ms)."""
    done = re.search(r"number of transactions actually processed: (\d+)", output)
    tps = re.search(r"tps = ([\d.]+)", output)
    latency = re.search(r"latency average = ([\d.]+) ms", output)
    if not (done and tps and latency):
        raise SystemExit(f"cannot read pgbench's output:\n{output}")
    return int(done.group(1)), float(tps.group(1)), float(latency.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--notices", type=int, default=20_000, help="callbacks sent, one first payment per notice"
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--seconds", type=int, default=10, help="duration of the ceiling run")
    args = parser.parse_args()
    for tool, package in (("wrk", "wrk"), ("pgbench", "postgresql-client")):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed: apt-get install {package}")

    name, database_url = fresh_database()
    settings = Settings(
        environment="test", database_url=database_url, schedules_dir=ROOT / "fee_schedules", secret_key=SECRET
    )
    server = None
    try:
        started = time.perf_counter()
        key, secret, issued = seed(settings, args.notices)
        print(f"seeded {len(issued):,} notices in {time.perf_counter() - started:.1f} s")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log = open(tempfile.mkstemp(prefix="uvicorn-", suffix=".log")[1], "w")  # noqa: SIM115
        # As in production, the bill each payment calls for goes to the broker, to be issued by a
        # worker: without one, tasks run eagerly and every callback would render its bill's PDF inline.
        redis.Redis.from_url(BROKER_URL).flushdb()
        environment = os.environ | {
            "FEECOLLECT_DATABASE_URL": database_url,
            "FEECOLLECT_SECRET_KEY": SECRET,
            "FEECOLLECT_SCHEDULES_DIR": str(settings.schedules_dir),
            "FEECOLLECT_ENVIRONMENT": "test",
            "FEECOLLECT_BROKER_URL": BROKER_URL,
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "feecollect.cli",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--no-access-log",
            ],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(300):
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        wrk = ["wrk", f"-t{THREADS}", f"-c{args.connections}", "--latency"]
        subprocess.run([*wrk, "-d3s", f"{url}/api/v1/health"], capture_output=True, check=True)  # warm-up

        ceiling = subprocess.run(
            [*wrk, f"-d{args.seconds}s", f"{url}/api/v1/health"], capture_output=True, text=True, check=True
        ).stdout
        with tempfile.TemporaryDirectory() as directory, audit_sealer(settings):
            script = write_script(Path(directory), key, secret, issued)
            app = create_app(settings)
            run = subprocess.Popen(
                [*wrk, "-d280s", "-s", str(script), url], stdout=subprocess.PIPE, text=True
            )
            while run.poll() is None:
                time.sleep(0.05)
                with unit_of_work(app.state.sessionmaker) as session:
                    if session.scalar(select(func.count()).select_from(Payment)) >= len(issued):
                        run.send_signal(signal.SIGINT)
                        break
            callbacks = run.communicate()[0]
            with unit_of_work(app.state.sessionmaker) as session:
                paid = session.scalar(select(func.count()).select_from(Payment))
            app.state.engine.dispose()
        server.terminate()
        server.wait(timeout=30)
        server = None
        floor = database_floor(database_url, key, len(issued), args.connections, max(len(issued), 10_000))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop_database(name)
        redis.Redis.from_url(BROKER_URL).flushdb()

    c_n, c_s, c_rate, c_p50, c_p99, c_err = parse_wrk(ceiling)
    b_n, b_s, b_rate, b_p50, b_p99, b_err = parse_wrk(callbacks)
    ratio = b_rate / c_rate
    print(
        f"cores: {os.cpu_count()}; uvicorn {args.workers} workers, PostgreSQL; "
        f"wrk {THREADS} threads, {args.connections} connections"
    )
    print(
        f"ceiling   GET /api/v1/health      {c_n:>7,} requests in {c_s:6.2f} s: {c_rate:8,.0f} req/s, "
        f"p50 {c_p50:6.1f} ms, p99 {c_p99:6.1f} ms, non-2xx {c_err}"
    )
    print(
        f"callbacks POST /api/v1/bank/payments {b_n:>4,} requests in {b_s:6.2f} s: {b_rate:8,.0f} req/s, "
        f"p50 {b_p50:6.1f} ms, p99 {b_p99:6.1f} ms, non-2xx {b_err}"
    )
    print(f"payments recorded: {paid:,} of {len(issued):,}")
    f_n, f_tps, f_latency = parse_pgbench(floor)
    print(
        f"floor     pgbench, one callback's SQL {f_n:>6,} transactions: {f_tps:8,.0f} tx/s, "
        f"mean {f_latency:6.1f} ms ({f_tps / c_rate:.1%} of the ceiling; callbacks reach "
        f"{b_rate / f_tps:.1%} of it)"
    )
    print(f"aim: callbacks ≥ {AIM_FLOOR_RATIO:.2f} of the pgbench floor, p99 < {AIM_P99_MS:.0f} ms")
    print(
        f"ratio: callbacks/pgbench-floor = {b_rate / f_tps:.2f}, p99 = {b_p99:.0f} ms, "
        f"ceiling ratio = {ratio:.2f}"
    )


if __name__ == "__main__":
    main()
