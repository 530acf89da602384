from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from feecollect.audit import sealing
from feecollect.audit import service as audit
from feecollect.db.engine import alembic_config, make_engine, migrate
from feecollect.migrations.schema import Base


def test_migrations_build_exactly_the_models_and_rerun_harmlessly(database_url):
    engine = make_engine(database_url)
    migrate(engine)  # the fixture already migrated: a second run must be a no-op
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert differences == [], "a model changed without a migration: run alembic revision --autogenerate"
    assert {"fee_item_versions", "alembic_version"} <= tables


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("postgres_server").fresh(migrated=False)


def _old_chain(count: int) -> list[dict[str, Any]]:
    """Entries as revisions 0002–0005 wrote them: the hash covered seq and the fields, in one JSON."""
    rows, prev_hash = [], "0" * 64
    for seq in range(1, count + 1):
        fields = {
            "seq": seq,
            "recorded_at": f"2026-11-2{seq}T08:00:00+00:00",
            "actor": "clerk",
            "role": "clerk",
            "action": "notice.issued",
            "object_type": "notice",
            "object_id": f"4303212600000000{seq:04d}",
            "before": None,
            "after": {"status": "issued", "amount": f"{seq}0.00"},
        }
        canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256((prev_hash + canonical).encode()).hexdigest()
        rows.append(fields | {"prev_hash": prev_hash, "hash": digest})
        prev_hash = digest
    return rows


def _insert_old(engine, rows: list[dict[str, Any]]) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as connection:
        for row in rows:
            connection.execute(
                text(
                    "INSERT INTO audit_entries (seq, recorded_at, actor, role, action, object_type,"
                    " object_id, before, after, prev_hash, hash) VALUES (:seq, :recorded_at, :actor,"
                    " :role, :action, :object_type, :object_id, :before, :after, :prev_hash, :hash)"
                ),
                row | {"before": None, "after": json.dumps(row["after"])},
            )


def test_an_existing_audit_chain_is_checked_and_relinked_by_migration_0006(empty_database_url):
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0005")
    _insert_old(engine, _old_chain(5))
    migrate(engine)
    with Session(engine) as session:
        report = audit.verify(session)
        assert (report.ok, report.checked) == (True, 5)
        audit.record(session, audit.SYSTEM, "test.after_upgrade", "test", "1")
        session.commit()
        sealing.seal(session, sealing.checkpoint_key("a-key"))  # links it on PostgreSQL, as beat would
        session.commit()
        assert (audit.verify(session).ok, audit.verify(session).checked) == (True, 6)
    engine.dispose()


def test_migration_0006_refuses_to_relink_a_chain_that_was_already_broken(empty_database_url):
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0005")
    rows = _old_chain(4)
    rows[2]["actor"] = "somebody-else"  # edited after it was hashed
    _insert_old(engine, rows)
    with pytest.raises(RuntimeError, match="audit entry 3 does not verify"):
        migrate(engine)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == "0005"
    engine.dispose()


def test_a_database_holding_notices_and_payments_migrates_down_and_up(client, tokens, bank):
    """SQLite rebuilds a table to change it: rebuilding `notices` (migration 0008) under the rows that
    reference it must neither fail nor lose them, and foreign keys are enforced again afterwards."""
    from datetime import UTC, datetime

    from sqlalchemy.exc import IntegrityError

    from feecollect.db.engine import migration_transaction
    from tests.conftest import bearer, row_counts
    from tests.helpers import case_body

    clerk = bearer(tokens["clerk"])
    assert client.post("/api/v1/cases", json=case_body("MIG-1"), headers=clerk).status_code == 201
    notice = client.post("/api/v1/cases/MIG-1/notices", headers=clerk).json()
    assert bank.pay("TXN-MIG", notice["payment_code"], notice["amount"], datetime.now(UTC)).status_code == 200
    engine = client.app.state.engine
    before = row_counts(client)
    with migration_transaction(engine) as connection:
        command.downgrade(alembic_config(connection), "0007")
    migrate(engine)
    # Below 0013 there is no register of SM2 keys: it starts again empty, and fills as keys sign.
    assert row_counts(client) == before | {"signing_keys": 0}
    shown = client.get(f"/api/v1/notices/{notice['payment_code']}", headers=clerk).json()
    assert (shown["status"], shown["case_no"]) == ("paid", "MIG-1")
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("UPDATE notice_lines SET notice_id = 999999"))


def test_the_newest_revisions_read_from_the_scripts_are_alembics_heads():
    from alembic.script import ScriptDirectory

    from feecollect.db.engine import alembic_config, newest_revisions

    assert newest_revisions() == set(ScriptDirectory.from_config(alembic_config()).get_heads())
