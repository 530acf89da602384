"""Finance's pages beyond the browser walk: settling a project by form, overdue notices, refusals."""

from __future__ import annotations

from tests.conftest import bearer, row_counts
from tests.helpers import case_body
from tests.projects.flows import DECLARED, paid_project
from tests.web.conftest import csrf_of, sign_in


def _settlement_form(csrf: str, project_no: str, values: dict[str, str]) -> dict[str, object]:
    return {
        "csrf_token": csrf,
        "project_no": project_no,
        "param": list(values),
        "value": list(values.values()),
    }


def test_finance_settles_a_project_from_the_page(client, tokens, bank, passwords):
    bundle = paid_project(client, tokens, bank, "P-PAGE-1")
    sign_in(client, "finance", passwords["finance"])
    home = client.get("/finance").text
    csrf = csrf_of(home)
    assert (
        "建筑面积（平方米）" in home
        and "floor_area_m2" not in home.split("settlement-params")[1].split('type="hidden"')[0]
    ), "parameters by name and unit"
    actual = DECLARED | {"floor_area_m2": "9000.50"}
    settled = client.post("/finance/settlements", data=_settlement_form(csrf, "P-PAGE-1", actual))
    assert settled.status_code == 200 and "待银行退付" in settled.text
    assert bundle["amount"].replace(",", "") in settled.text.replace(",", "")
    before = row_counts(client)
    again = client.post("/finance/settlements", data=_settlement_form(csrf, "P-PAGE-1", actual))
    assert "决算未完成：该项目已决算" in again.text and "already settled" not in again.text
    missing = {k: v for k, v in actual.items() if k != "land_area_m2"} | {"floor_area_m2": "九千"}
    bad = client.post("/finance/settlements", data=_settlement_form(csrf, "P-PAGE-2", missing))
    assert bad.status_code == 422 and "建筑面积：九千 不是数字" in bad.text and 'value="九千"' in bad.text
    assert row_counts(client) == before, "refusals write nothing"
    paid_project(client, tokens, bank, "P-PAGE-2")
    before = row_counts(client)
    unsaid = client.post(
        "/finance/settlements", data=_settlement_form(csrf, "P-PAGE-2", missing | {"floor_area_m2": "9000"})
    )
    assert unsaid.status_code == 422 and "用地面积：必须填写" in unsaid.text
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


def test_refused_pages_say_why_in_chinese_with_the_services_detail_as_technical_information(
    client, passwords
):
    sign_in(client, "finance", passwords["finance"])
    csrf = csrf_of(client.get("/finance").text)
    bad_date = client.post("/finance/reconciliations", data={"csrf_token": csrf, "date": "12/01/2026"})
    assert bad_date.status_code == 422 and "日期：不是有效日期（格式 YYYY-MM-DD）" in bad_date.text
    assert "Input should" not in bad_date.text
    missing = client.get("/clerk/cases/NO-SUCH-CASE")
    assert missing.status_code == 404 and "<p>没有这个办件</p>" in missing.text
    assert "<summary>技术信息</summary><code>no case &#39;NO-SUCH-CASE&#39;</code>" in missing.text
