"""Finance's pages beyond the browser walk: settling a project by form, overdue notices, refusals."""

from __future__ import annotations

from tests.conftest import bearer, row_counts
from tests.helpers import case_body
from tests.projects.flows import DECLARED, paid_project
from tests.web.conftest import csrf_of, sign_in


def test_finance_settles_a_project_from_the_page(client, tokens, bank, passwords):
    bundle = paid_project(client, tokens, bank, "P-PAGE-1")
    sign_in(client, "finance", passwords["finance"])
    csrf = csrf_of(client.get("/finance").text)
    params = "\n".join(f"{k}={v}" for k, v in (DECLARED | {"floor_area_m2": "9000.50"}).items())
    settled = client.post(
        "/finance/settlements", data={"csrf_token": csrf, "project_no": "P-PAGE-1", "params": params}
    )
    assert settled.status_code == 200 and "待银行退付" in settled.text
    assert bundle["amount"].replace(",", "") in settled.text.replace(",", "")
    before = row_counts(client)
    again = client.post(
        "/finance/settlements", data={"csrf_token": csrf, "project_no": "P-PAGE-1", "params": params}
    )
    assert "决算未完成" in again.text and "already settled" in again.text
    bad = client.post(
        "/finance/settlements", data={"csrf_token": csrf, "project_no": "P-PAGE-1", "params": "floor_area_m2"}
    )
    assert bad.status_code == 422 and "第 1 行" in bad.text
    assert row_counts(client) == before


def test_overdue_notices_are_listed_per_department(client, tokens, passwords):
    from datetime import date

    from sqlalchemy import update

    from feecollect.db.engine import unit_of_work
    from feecollect.notices.models import Notice

    clerk = bearer(tokens["clerk"])
    client.post("/api/v1/cases", json=case_body("OVERDUE-1"), headers=clerk)
    late = client.post("/api/v1/cases/OVERDUE-1/notices", headers=clerk).json()
    client.post("/api/v1/cases", json=case_body("ON-TIME-1"), headers=clerk)
    on_time = client.post("/api/v1/cases/ON-TIME-1/notices", headers=clerk).json()
    with unit_of_work(client.app.state.sessionmaker) as session:
        session.execute(
            update(Notice)
            .where(Notice.payment_code == late["payment_code"])
            .values(due_date=date(2026, 1, 1))
        )
    sign_in(client, "finance", passwords["finance"])
    page = client.get("/finance/overdue")
    assert page.status_code == 200 and "自然资源和规划局 · 1 件" in page.text
    assert late["payment_code"] in page.text and on_time["payment_code"] not in page.text


def test_finance_opens_on_the_day_it_reconciled_and_says_when_an_upload_needs_a_rerun(client, passwords, cli):
    from tests.web.test_browser import SPECIAL

    assert cli("accounts", "add", SPECIAL, "--kind", "special").exit_code == 0
    sign_in(client, "finance", passwords["finance"])
    csrf = csrf_of(client.get("/finance").text)
    header = "账号,交易时间,借方发生额,贷方发生额,余额,对方户名,对方账号,摘要,流水号\n"

    def upload(serial: str) -> str:
        line = f"{SPECIAL},2026-03-02 09:00:00,,10.00,,无名氏,6223,货款,{serial}\n"
        files = {"file": ("ccb.csv", (header + line).encode(), "text/csv")}
        return client.post("/finance/statements", data={"csrf_token": csrf}, files=files).text

    assert "需重新对账" not in upload("S1")
    client.post("/finance/reconciliations", data={"csrf_token": csrf, "date": "2026-03-02"})
    home = client.get("/finance").text
    assert "2026-03-02" in home and 'id="summary"' in home, "the page opens on the reconciled day"
    assert "2026-03-02 已对账，新导入的明细需重新对账" in upload("S2")
    assert "需重新对账" not in upload("S2"), "nothing new, nothing to re-run"
