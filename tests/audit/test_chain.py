from __future__ import annotations

import itertools
import json

import pytest
from sqlalchemy import text

from tests.conftest import bearer
from tests.helpers import case_body


@pytest.fixture
def history(client, tokens, cli):  # type: ignore[no-untyped-def]
    """A clerk registers a case, issues a notice and voids it; the sealer then runs, as beat would."""
    clerk = bearer(tokens["clerk"])
    client.post("/api/v1/cases", json=case_body("AU-1"), headers=clerk)
    code = client.post("/api/v1/cases/AU-1/notices", headers=clerk).json()["payment_code"]
    client.post(f"/api/v1/notices/{code}/void", json={"reason": "信息有误"}, headers=clerk)
    assert cli("audit", "seal").exit_code == 0
    return code


def test_every_state_change_is_chained(client, tokens, history):
    entries = client.get("/api/v1/audit", headers=bearer(tokens["auditor"])).json()
    actions = [(e["action"], e["object_id"], e["actor"]) for e in reversed(entries)]
    assert actions[:6] == [
        ("user.created", name, "tests")
        for name in ("clerk", "clerk_zjj", "finance", "finance_2", "auditor", "admin")
    ]
    assert actions[6:] == [
        ("case.registered", "AU-1", "clerk"),
        ("notice.issued", history, "clerk"),
        ("notice.voided", history, "clerk"),
    ]
    voided = entries[0]
    assert (voided["before"]["status"], voided["after"]["status"], voided["after"]["reason"]) == (
        "issued",
        "voided",
        "信息有误",
    )
    for newer, older in itertools.pairwise(entries):
        assert newer["prev_hash"] == older["hash"] and newer["seq"] == older["seq"] + 1
    verified = client.get("/api/v1/audit/verify", headers=bearer(tokens["auditor"])).json()
    assert verified == {
        "ok": True,
        "checked": 9,
        "first_bad_seq": None,
        "reason": None,
        "pending": 0,
        "checkpoints": 1,
    }


def test_a_refused_request_leaves_no_entry(client, tokens, history):
    count = len(client.get("/api/v1/audit", headers=bearer(tokens["auditor"])).json())
    assert (
        client.post("/api/v1/cases", json=case_body("AU-1"), headers=bearer(tokens["clerk"])).status_code
        == 409
    )
    assert len(client.get("/api/v1/audit", headers=bearer(tokens["auditor"])).json()) == count


def test_changing_one_byte_of_a_past_entry_breaks_verification(client, tokens, history, cli):
    assert cli("audit", "verify").output.strip() == "审计日志链完整：9 条记录，1 个封存点"
    with client.app.state.engine.begin() as connection:
        after = connection.execute(text("SELECT after FROM audit_entries WHERE seq = 8")).scalar_one()
        after = after if isinstance(after, dict) else json.loads(after)
        tampered = after["amount"][:-1] + ("1" if after["amount"][-1] != "1" else "2")  # one byte
        assert tampered != after["amount"]
        after["amount"] = tampered
        connection.execute(
            text("UPDATE audit_entries SET after = :after WHERE seq = 8"), {"after": json.dumps(after)}
        )
    result = cli("audit", "verify")
    assert result.exit_code == 1
    assert f"审计日志链在第 8 条处断开：entry 8 (notice.issued {history}) was altered" in result.output
    api = client.get("/api/v1/audit/verify", headers=bearer(tokens["finance"])).json()
    assert (api["ok"], api["first_bad_seq"], api["checked"]) == (False, 8, 7)


def test_a_deleted_entry_breaks_verification(client, tokens, history, cli):
    with client.app.state.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_entries WHERE seq = 3"))
    result = cli("audit", "verify")
    assert result.exit_code == 1 and "entry 3 is missing (next is 4)" in result.output


def test_a_rewritten_hash_still_fails_at_the_next_link(client, tokens, history, cli):
    """Recomputing an edited entry's hash does not help: the next entry still links to the old hash."""
    from feecollect.audit.service import chain_hash, content_hash

    with client.app.state.engine.begin() as connection:
        row = connection.execute(text("SELECT * FROM audit_entries WHERE seq = 6")).mappings().one()
        fields = dict(row) | {
            "actor": "somebody-else",
            "before": None,
            "after": json.loads(row["after"]) if isinstance(row["after"], str) else row["after"],
        }
        content = content_hash(fields)
        connection.execute(
            text(
                "UPDATE audit_entries SET actor = 'somebody-else', content_hash = :c, hash = :h WHERE seq = 6"
            ),
            {"c": content, "h": chain_hash(row["prev_hash"], 6, content)},
        )
    result = cli("audit", "verify")
    assert result.exit_code == 1 and "entry 7 does not link to entry 6" in result.output


def test_writers_committing_at_once_each_get_their_own_link(settings):
    """Twenty transactions recording at the same moment: one unbroken chain, no number given twice."""
    import threading

    from feecollect.api.app import create_app
    from feecollect.audit import sealing
    from feecollect.audit import service as audit
    from feecollect.db.engine import unit_of_work

    app = create_app(settings)
    key = sealing.checkpoint_key(settings.secret_key.get_secret_value())
    start = threading.Barrier(20)
    failures: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with unit_of_work(app.state.sessionmaker) as session:
                audit.record(session, audit.SYSTEM, "test.concurrent", "test", str(n))
                audit.record(session, audit.SYSTEM, "test.concurrent.second", "test", str(n))
                start.wait(timeout=30)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with unit_of_work(app.state.sessionmaker) as session:
        sealing.seal(session, key)
    with unit_of_work(app.state.sessionmaker) as session:
        report = sealing.verify(session, key)
        rows = session.execute(
            text("SELECT seq, action, object_id FROM audit_entries WHERE object_type = 'test' ORDER BY seq")
        ).all()
    app.state.engine.dispose()
    assert report.ok and report.checked == len(rows) == 40
    by_writer: dict[str, list[tuple[int, str]]] = {}
    for seq, action, writer_no in rows:
        by_writer.setdefault(writer_no, []).append((seq, action))
    assert len(by_writer) == 20
    for entries in by_writer.values():  # one transaction's entries keep their order
        (first, first_action), (second, second_action) = entries
        assert second > first and (first_action, second_action) == (
            "test.concurrent",
            "test.concurrent.second",
        )
