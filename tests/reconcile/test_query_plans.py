"""A run reads one day's statement lines; a year of them is stored. The day's reads must reach the
lines through the (account, day, key) index, never by a scan of every line ever stored, which would
make each daily run as slow as the whole year (SQLite plans it so when the accounts are joined)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from feecollect.db.engine import make_engine, make_sessionmaker, unit_of_work
from feecollect.reconcile import repository

DAY = date(2026, 11, 21)


def test_a_days_reads_use_the_day_index_and_scan_no_statement_lines(sqlite_template: Path, tmp_path: Path):
    database = tmp_path / "plans.db"
    database.write_bytes(sqlite_template.read_bytes())
    engine = make_engine(f"sqlite:///{database}")
    executed: list[str] = []
    with unit_of_work(make_sessionmaker(engine)) as session:
        raw = session.connection().connection.driver_connection
        raw.set_trace_callback(executed.append)
        repository.lines_of_day(session, DAY, except_files=[1])
        repository.notices_credited_on(session, DAY)
        repository.earlier_special_credits(session, DAY)
        raw.set_trace_callback(None)
        plans = {
            sql: [step[3] for step in raw.execute(f"EXPLAIN QUERY PLAN {sql}")]
            for sql in executed
            if "statement_lines" in sql and sql.lstrip().upper().startswith("SELECT")
        }
    engine.dispose()
    assert len(plans) == 3, executed
    for sql, plan in plans.items():
        assert not [step for step in plan if step.startswith("SCAN statement_lines")], (sql, plan)
        assert any("(account_id=? AND booked_on=?)" in step for step in plan), (sql, plan)
