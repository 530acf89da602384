"""Property: the lines stored from one statement file are the lines stored from the same statement cut
into daily files (or daily files joined into one), and importing one after the other adds nothing.

Lines without a bank serial (MT940 ``NONREF``) are told apart by their content and their rank among
identical lines of the same day; a cut falls between days, as banks cut their files, because two
identical serial-less lines of one day in two files cannot be told from one line sent twice.
"""

from __future__ import annotations

import itertools
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from feecollect.audit.service import SYSTEM
from feecollect.db.engine import make_engine, make_sessionmaker, unit_of_work
from feecollect.reconcile.accounts import add_account
from feecollect.reconcile.importing import import_statements, parse_files
from feecollect.reconcile.models import StatementLine

DAY = date(2026, 11, 2)
ACCOUNT = "43050162360800000001"
written_lines = st.lists(
    st.tuples(
        st.integers(0, 4),  # day
        st.sampled_from([1000, -250, 5000, 1000]),  # few amounts, so that lines repeat exactly
        st.sampled_from(["缴款码 43032126000000000365", "转账", "手续费"]),
        st.booleans(),  # whether the bank gives its own reference
    ),
    min_size=1,
    max_size=14,
).map(
    lambda drawn: [
        (day, fen, text, f"B{n}" if referenced else "")
        for n, (day, fen, text, referenced) in enumerate(sorted(drawn))
    ]
)


def yuan(fen: int) -> str:
    return f"{abs(fen) // 100},{abs(fen) % 100:02d}"


def balance(fen: int, day: date) -> str:
    return f"{'C' if fen >= 0 else 'D'}{day:%y%m%d}CNY{yuan(fen)}"


def mt940(lines: list[tuple[int, int, str, str]], opening: int) -> bytes:
    rows = [":20:STMT", f":25:{ACCOUNT}", ":28C:1/1", f":60F:{balance(opening, DAY)}"]
    for offset, fen, text, reference in lines:
        day = DAY + timedelta(days=offset)
        reference = f"//{reference}" if reference else ""
        rows += [
            f":61:{day:%y%m%d}{day:%m%d}{'C' if fen > 0 else 'D'}{yuan(fen)}NTRFNONREF{reference}",
            f":86:{text}",
        ]
    rows.append(f":62F:{balance(opening + sum(line[1] for line in lines), DAY)}")
    return ("\n".join(rows) + "\n-\n").encode()


def by_day(lines: list[tuple[int, int, str, str]]) -> list[bytes]:
    files, opening = [], 0
    for _, day_lines in itertools.groupby(lines, key=lambda line: line[0]):
        listed = list(day_lines)
        files.append(mt940(listed, opening))
        opening += sum(line[1] for line in listed)
    return files


def fresh_database(template: Path, directory: Path, name: str):  # type: ignore[no-untyped-def]
    path = directory / f"{name}.db"
    shutil.copy(template, path)
    engine = make_engine(f"sqlite:///{path}")
    sessions = make_sessionmaker(engine)
    with unit_of_work(sessions) as session:
        add_account(session, SYSTEM, ACCOUNT, "special", None, None, set())
    return engine, sessions


def store(sessions, files: list[bytes]) -> int:  # type: ignore[no-untyped-def]
    """Import each file in turn; the number of new lines."""
    new = 0
    for number, content in enumerate(files):
        with unit_of_work(sessions) as session:
            report = import_statements(session, SYSTEM, parse_files([(f"day{number}.sta", content)]))
            new += sum(statement.new_lines for statement in report.statements)
    return new


def stored(sessions) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    with unit_of_work(sessions) as session:
        rows = session.execute(
            select(
                StatementLine.booked_on, StatementLine.amount_fen, StatementLine.remark, StatementLine.serial
            )
        )
        return sorted(tuple(row) for row in rows)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=written_lines)
def test_a_file_cut_by_day_or_joined_stores_the_same_lines(lines, sqlite_template, tmp_path_factory):
    directory = tmp_path_factory.mktemp("split")
    whole_engine, whole = fresh_database(sqlite_template, directory, "whole")
    split_engine, split = fresh_database(sqlite_template, directory, "split")
    try:
        assert store(whole, [mt940(lines, 0)]) == len(lines)
        assert store(split, by_day(lines)) == len(lines)
        assert stored(whole) == stored(split)
        # The other way round, nothing is new: the same lines, however the files were cut.
        assert store(whole, by_day(lines)) == 0
        assert store(split, [mt940(lines, 0)]) == 0
        assert len(stored(whole)) == len(lines)
    finally:
        whole_engine.dispose()
        split_engine.dispose()


@pytest.mark.parametrize("repeat", [2, 3])
def test_identical_lines_without_a_serial_are_each_stored(repeat, sqlite_template, tmp_path):
    """The same fee paid several times on one day, the bank giving no reference: each is a payment."""
    engine, sessions = fresh_database(sqlite_template, tmp_path, "same")
    try:
        lines = [(0, 1000, "缴款码 43032126000000000365", "")] * repeat
        assert store(sessions, [mt940(lines, 0)]) == repeat
        assert store(sessions, [mt940(lines, 0)]) == 0
    finally:
        engine.dispose()
