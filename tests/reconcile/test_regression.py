"""Closed days stay closed (SPEC §16): a re-run of a reconciled day whose findings change reports what
came and went, and keeps the run before beside the run after."""

from __future__ import annotations

from tests.conftest import bearer, row_counts

ACCOUNT = "43050162360800000001"
HEADER = "账号,交易时间,借方发生额,贷方发生额,余额,对方户名,对方账号,摘要,流水号\n"


def _statement(tmp_path, name: str, *lines: str):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{ACCOUNT},{line}\n" for line in lines), encoding="utf-8")
    return path


def test_a_late_statement_for_a_reconciled_day_is_reported_as_a_regression(client, tokens, cli, tmp_path):
    finance = bearer(tokens["finance"])
    assert cli("accounts", "add", ACCOUNT, "--kind", "special").exit_code == 0
    first = _statement(tmp_path, "a.csv", "2026-03-02 09:00:00,,10.00,,无名氏,6223,货款,S1")
    assert cli("reconcile", "--statement", str(first), "--date", "2026-03-02").exit_code == 0
    before = client.get("/api/v1/reconciliations/2026-03-02", headers=finance).json()
    assert before["exceptions"]["unidentified_credit"] == 1 and before["regressions"] == []

    late = _statement(tmp_path, "late.csv", "2026-03-02 15:00:00,,20.00,,某公司,6224,往来,S2")
    assert cli("statements", "import", str(late)).exit_code == 0
    rerun = client.post("/api/v1/reconciliations", json={"date": "2026-03-02"}, headers=finance)
    assert rerun.status_code == 200
    regression = rerun.json()["regression"]
    assert len(regression["added"]) == 1 and regression["gone"] == []
    added = client.get(f"/api/v1/exceptions/{regression['added'][0]}", headers=finance).json()
    assert added["evidence"]["amount"] == "20.00"

    kept = client.get("/api/v1/reconciliations/2026-03-02", headers=finance).json()
    assert kept["exceptions"]["unidentified_credit"] == 2
    (report,) = kept["regressions"]
    assert report["previous"]["exceptions"]["unidentified_credit"] == 1, "the run before is kept"
    assert report["added"] == regression["added"]

    counts = row_counts(client)
    again = client.post("/api/v1/reconciliations", json={"date": "2026-03-02"}, headers=finance).json()
    assert "regression" not in again and row_counts(client) == counts, "nothing new, nothing reported"


def test_the_finance_page_flags_a_day_whose_rerun_changed(client, tokens, cli, tmp_path):
    from feecollect.audit.service import Actor
    from feecollect.db.engine import unit_of_work
    from feecollect.users.service import set_password
    from tests.web.conftest import PASSWORDS, sign_in

    assert cli("accounts", "add", ACCOUNT, "--kind", "special").exit_code == 0
    first = _statement(tmp_path, "a.csv", "2026-03-02 09:00:00,,10.00,,无名氏,6223,货款,S1")
    assert cli("reconcile", "--statement", str(first), "--date", "2026-03-02").exit_code == 0
    late = _statement(tmp_path, "late.csv", "2026-03-02 15:00:00,,20.00,,某公司,6224,往来,S2")
    assert cli("reconcile", "--statement", str(late), "--date", "2026-03-02").exit_code == 0
    with unit_of_work(client.app.state.sessionmaker) as session:
        set_password(session, Actor("tests", "operator"), "finance", PASSWORDS["finance"])
    sign_in(client, "finance", PASSWORDS["finance"])
    page = client.get("/finance?date=2026-03-02").text
    assert 'id="regressed-days"' in page and "新增 1 项异常、0 项不再出现；前一次的结果已保留" in page
