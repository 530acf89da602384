"""The query helpers every reconciliation repository shares: bulk reads as plain tuples, IN lists bound
in chunks, and the origin (case or project) of a notice."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from feecollect.cases.models import Case
from feecollect.notices.models import Notice
from feecollect.projects.models import Project
from feecollect.reconcile.models import (
    BankAccount,
)

# What a notice was issued for, where findings name a case: a bundle notice has no case, and its
# project number stands in. Select it on a query passed through with_notice_origin.
NOTICE_ORIGIN = func.coalesce(Case.case_no, Project.project_no)

AnySelect = TypeVar("AnySelect", bound="Select[*tuple[Any, ...]]")


def with_notice_origin(query: AnySelect) -> AnySelect:
    return query.outerjoin(Case, Case.id == Notice.case_id).outerjoin(
        Project, Project.id == Notice.project_id
    )


def plain_rows(session: Session, query: Select[*tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Plain DBAPI tuples for the bulk reads of a run (a million rows): no ORM or Row objects, no
    per-row type processing. Only for queries whose values are dates, numbers and constants of ours,
    rendered inline; their selected columns are integers and text (no dates on SQLite)."""
    connection = session.connection()
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows
    finally:
        cursor.close()


def account_ids(kind: str | None = None) -> Select[int]:
    """The ids of the accounts (of one kind), as a subquery. A day's lines are asked for as "these
    accounts, this day", which the (account, day, key) index answers; joined to the accounts table
    instead, SQLite plans a scan of every statement line ever stored."""
    query = select(BankAccount.id)
    return query if kind is None else query.where(BankAccount.kind == kind)


# Values bound per IN list: PostgreSQL's protocol caps a statement at 65,535 parameters and SQLite at
# 32,766; every query that takes a caller's collection binds it in chunks of this size, one list each.
IN_CHUNK = 30_000


def chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    """The values, sorted, in lists of at most IN_CHUNK."""
    ordered = sorted(values)
    for start in range(0, len(ordered), IN_CHUNK):
        yield ordered[start : start + IN_CHUNK]


def in_chunks(
    session: Session,
    query: Select[*tuple[Any, ...]],
    column: InstrumentedAttribute[Any],
    values: Iterable[Any],
) -> Iterator[Row[*tuple[Any, ...]]]:
    """Run an IN query in chunks: SQLite and the drivers cap the number of bound parameters."""
    for chunk in chunks(values):
        yield from session.connection().execute(query.where(column.in_(chunk)))


def new_ids(session: Session, table: str, count: int) -> Iterator[int]:
    """Ids for ``count`` new rows of ``table``, drawn before the rows are written."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        drawn = connection.exec_driver_sql(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %(n)s)",
            {"n": count},
        )
        return iter(drawn.scalars().all())
    # This transaction holds SQLite's write lock (BEGIN IMMEDIATE): no other writer can take these.
    newest = connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar_one()
    return itertools.count(newest + 1)
