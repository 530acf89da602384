"""The bulk exception workbook round trip against openpyxl alone, in the same run.

5,000 open exceptions (generated) on a fresh SQLite database: the service writes the workbook of open
exceptions, a 处理意见 is filled in for 4,000 of them, and the upload runs dry (rolled back) and then
for real (4,000 proposals). The floor is what the round trip cannot avoid: openpyxl alone writing the
same rows to a workbook once and reading the filled workbook back twice (dry and real). Prints both,
their ratio, the core count and the issue's aim (within 3× of the floor). Only same-run ratios mean
something on this host.

    python bench/exceptions_bulk.py [--exceptions N]
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from datetime import date
from pathlib import Path

from openpyxl import Workbook, load_workbook

from feecollect.audit.service import Actor
from feecollect.db.engine import make_engine, make_sessionmaker, migrate, unit_of_work
from feecollect.devtools.backlog import backlog_rows
from feecollect.reconcile import bulk_resolution, findings_repository

AIM = 3.0
MAKER = Actor("bench-finance", "finance")


def seed(sessions, count: int, today: date) -> None:  # type: ignore[no-untyped-def]
    rows = backlog_rows(count, today)
    with unit_of_work(sessions) as session:
        findings_repository.insert_exceptions(session, rows)


def fill(content: bytes, filled: int) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook[bulk_resolution.SHEET]
    column = bulk_resolution.RESOLUTION_COLUMN + 1
    for row in range(2, filled + 2):
        sheet.cell(row=row, column=column, value=f"已核实，第 {row} 行")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def floor_seconds(exported: bytes, upload: bytes) -> float:
    """openpyxl alone: write the exported rows to a new workbook, read the filled one twice."""
    rows = list(load_workbook(io.BytesIO(exported), read_only=True).worksheets[0].iter_rows(values_only=True))
    started = time.perf_counter()
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(io.BytesIO())
    for _ in range(2):
        reading = load_workbook(io.BytesIO(upload), read_only=True, data_only=True)
        for _row in reading.worksheets[0].iter_rows(values_only=True):
            pass
        reading.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exceptions", type=int, default=5_000)
    args = parser.parse_args()
    today = date.today()
    with tempfile.TemporaryDirectory() as workdir:
        engine = make_engine(f"sqlite:///{Path(workdir) / 'bench.db'}")
        migrate(engine)
        sessions = make_sessionmaker(engine)
        seed(sessions, args.exceptions, today)
        filled = args.exceptions * 4 // 5

        started = time.perf_counter()
        with unit_of_work(sessions) as session:
            _, exported = bulk_resolution.open_exceptions_file(session, today, {})
        exporting = time.perf_counter() - started
        upload = fill(exported, filled)
        started = time.perf_counter()
        with sessions() as session:
            dry = bulk_resolution.upload(session, MAKER, upload, today=today)
            session.rollback()
        dry_seconds = time.perf_counter() - started
        started = time.perf_counter()
        with unit_of_work(sessions) as session:
            real = bulk_resolution.upload(session, MAKER, upload, today=today)
        real_seconds = time.perf_counter() - started
        assert dry.proposals == real.proposals == filled, (dry.as_dict(), real.as_dict())
        floor = floor_seconds(exported, upload)
        engine.dispose()
    total = exporting + dry_seconds + real_seconds
    print(f"cores: {os.cpu_count()}; {args.exceptions:,} open exceptions, {filled:,} filled in")
    print(f"  export {exporting:.2f} s, dry run {dry_seconds:.2f} s, real run {real_seconds:.2f} s")
    print(f"  {real.proposals:,} proposals, {real.unchanged:,} unchanged, {len(real.problems)} problems")
    print(f"  round trip {total:.2f} s; floor (openpyxl alone: write once, read twice) {floor:.2f} s")
    print(f"ratio: round trip / openpyxl floor = {total / floor:.2f} (aim ≤ {AIM:.0f})")


if __name__ == "__main__":
    main()
