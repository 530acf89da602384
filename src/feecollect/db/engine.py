from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

# Read by Alembic from the file system: the migrations (and the model registry they import) stand above
# every domain, while this module stands below them all.
MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"
# Arbitrary constants naming PostgreSQL advisory locks that serialise start-up work across workers.
MIGRATION_LOCK = 7_310_001
SCHEDULE_LOCK = 7_310_002


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    """``pool_size`` connections are kept open and no more are made: a connection opened for a burst and
    closed after it costs PostgreSQL a new backend process each time, which under load costs more than
    the queries themselves. Whoever needs more concurrency sizes the pool to it (the API does)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
            dbapi_connection.isolation_level = None  # transactions are begun below, not by sqlite3
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            # 16 KiB pages, set while a new database is still empty (later it is a no-op): a daily
            # statement writes its lines twice, to the WAL and at the checkpoint, and with four times
            # fewer, fuller pages that commit of a million lines took 1.0 s instead of 1.5-1.7 s.
            cursor.execute("PRAGMA page_size=16384")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            # 128 MiB of page cache (SQLite's default is 2 MiB): a year's statement is a million index
            # inserts and lookups, which thrash a small cache. Memory is taken only as pages are read.
            cursor.execute("PRAGMA cache_size=-131072")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection: Connection) -> None:
            # Take the write lock up front: a transaction that reads, then writes (next payment code,
            # last audit hash) must not act on what another writer is about to change.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=pool_size, max_overflow=0, pool_timeout=30)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextlib.contextmanager
def exclusive(connection: Connection, key: int) -> Iterator[None]:
    """Hold a PostgreSQL advisory lock for the current transaction; SQLite serialises writers itself."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    yield


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextlib.contextmanager
def migration_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction to change the schema in. SQLite changes a table by copying it, dropping the old one
    and renaming the copy: with foreign keys enforced, dropping a table that other rows reference
    fails. So on SQLite they are off while the migrations run (the pragma works only outside a
    transaction), every reference is checked before commit, and they are on again afterwards."""
    with engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            with connection.begin():
                yield connection
            return
        raw = connection.connection.driver_connection
        raw.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                yield connection
                broken = raw.execute("PRAGMA foreign_key_check").fetchall()  # type: ignore[union-attr]
                if broken:
                    raise RuntimeError(f"a migration left rows that reference nothing: {broken[:5]}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


_REVISION = re.compile(r'^(down_revision|revision) = "?(\w+|None)"?$', re.MULTILINE)


def newest_revisions() -> set[str]:
    """The heads of the migration graph, read from the scripts' text: loading them through Alembic
    imports every script, a fifth of a second that each command and server start would pay to learn
    that there is nothing to do."""
    revisions, parents = set(), set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict((key, value) for key, value in _REVISION.findall(script.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
            parents.add(found.get("down_revision", "None"))
    return revisions - parents


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration; safe when several processes start at once. A database
    already there is left alone: the migration transaction checks every foreign key of the database
    on SQLite, which on a year's data costs each start-up most of a second."""
    with engine.connect() as connection:
        if _stored_revisions(connection) == newest_revisions():
            return
    from alembic import command  # only when there is something to do: importing Alembic costs 70 ms

    with migration_transaction(engine) as connection, exclusive(connection, MIGRATION_LOCK):
        command.upgrade(alembic_config(connection), "head")


def _stored_revisions(connection: Connection) -> set[str]:
    if not inspect(connection).has_table("alembic_version"):
        return set()
    return set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


@contextlib.contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """The request or task boundary: commit once at the end, roll back on any failure."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
