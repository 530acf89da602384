from __future__ import annotations

import sqlite3

from feecollect.db.engine import make_engine, migrate


def test_a_new_sqlite_database_gets_16k_pages_and_an_existing_one_keeps_its_own(tmp_path):
    fresh = tmp_path / "fresh.db"
    engine = make_engine(f"sqlite:///{fresh}")
    migrate(engine)
    engine.dispose()
    assert sqlite3.connect(fresh).execute("PRAGMA page_size").fetchone() == (16384,)

    older = tmp_path / "older.db"
    with sqlite3.connect(older) as made_before:
        made_before.execute("PRAGMA page_size=4096")
        made_before.execute("CREATE TABLE kept (id INTEGER PRIMARY KEY)")
    engine = make_engine(f"sqlite:///{older}")
    migrate(engine)
    engine.dispose()
    reopened = sqlite3.connect(older)
    assert reopened.execute("PRAGMA page_size").fetchone() == (4096,)
    assert reopened.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert reopened.execute("SELECT count(*) FROM statement_lines").fetchone() == (0,)
