"""The sealer: entries are appended without a global lock, then linked and checkpointed in order."""

from __future__ import annotations

import json

from sqlalchemy import text

from feecollect.audit.service import chain_hash, content_hash
from tests.conftest import bearer
from tests.helpers import case_body


def _register(client, tokens, case_no: str) -> None:  # type: ignore[no-untyped-def]
    clerk = bearer(tokens["clerk"])
    assert client.post("/api/v1/cases", json=case_body(case_no), headers=clerk).status_code == 201


def test_entries_wait_for_the_sealer_on_postgresql_and_a_second_run_writes_nothing(
    client, tokens, cli, database_url
):
    _register(client, tokens, "SE-1")
    newest = client.get("/api/v1/audit?limit=1", headers=bearer(tokens["auditor"])).json()[0]
    assert newest["action"] == "case.registered", "the newest entry is listed first, sealed or not"
    if database_url.startswith("postgresql"):
        assert newest["seq"] is None, "no writer links its own entry: that would queue every writer"
        pending = client.get("/api/v1/audit/verify", headers=bearer(tokens["auditor"])).json()
        assert pending["ok"] and pending["pending"] >= 1
    else:
        assert newest["seq"] is not None, "SQLite's one writer links at commit"

    sealed = cli("audit", "seal")
    assert sealed.exit_code == 0 and "封存点至第" in sealed.output
    again = cli("audit", "seal")
    assert again.output.strip() == "已封存 0 条记录", "nothing new: no entry, no checkpoint"
    verified = client.get("/api/v1/audit/verify", headers=bearer(tokens["auditor"])).json()
    assert (verified["ok"], verified["pending"], verified["checkpoints"]) == (True, 0, 1)
    entries = client.get("/api/v1/audit", headers=bearer(tokens["auditor"])).json()
    assert [e["seq"] for e in entries] == list(range(len(entries), 0, -1))


def test_a_chain_rewritten_from_an_entry_on_is_caught_by_its_checkpoint(client, tokens, cli):
    """Whoever edits an entry and recomputes every hash after it passes the link check, not the seal."""
    _register(client, tokens, "SE-2")
    assert cli("audit", "seal").exit_code == 0
    with client.app.state.engine.begin() as connection:
        rows = connection.execute(text("SELECT * FROM audit_entries ORDER BY seq")).mappings().all()
        prev_hash = rows[1]["prev_hash"]
        for number, row in enumerate(rows[1:], start=2):
            fields = dict(row) | {
                "after": json.loads(row["after"]) if isinstance(row["after"], str) else row["after"],
                "before": json.loads(row["before"]) if isinstance(row["before"], str) else row["before"],
            }
            if number == 2:
                fields["actor"] = "somebody-else"
            content = content_hash(fields)
            prev_hash_of_row, prev_hash = prev_hash, chain_hash(prev_hash, row["seq"], content)
            connection.execute(
                text(
                    "UPDATE audit_entries SET actor = :actor, content_hash = :c, prev_hash = :p, hash = :h"
                    " WHERE id = :id"
                ),
                {
                    "actor": fields["actor"],
                    "c": content,
                    "p": prev_hash_of_row,
                    "h": prev_hash,
                    "id": row["id"],
                },
            )
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert "differs from its checkpoint: rewritten since" in result.output


def test_a_forged_checkpoint_fails_its_mac(client, tokens, cli):
    _register(client, tokens, "SE-3")
    assert cli("audit", "seal").exit_code == 0
    with client.app.state.engine.begin() as connection:
        connection.execute(text("UPDATE audit_checkpoints SET sealed_at = '2000-01-01T00:00:00+00:00'"))
    result = cli("audit", "verify")
    assert result.exit_code == 1 and "was altered or removed" in result.output


def test_beat_seals_every_second():
    from feecollect.tasks import SEAL_AUDIT, celery_app

    entry = celery_app.conf.beat_schedule["seal-audit-log"]
    assert (entry["task"], entry["schedule"]) == (SEAL_AUDIT, 1.0)
