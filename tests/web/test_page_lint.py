"""The page lint over the demo's whole day: every page each role reaches by following links shows
Chinese, names, local times, and no Python artefacts."""

from __future__ import annotations

import pytest

from tests.web.conftest import DEMO_PASSWORD, DEMO_ROLES, sign_in
from tests.web.page_lint import crawl, lint_pages, visible

ROLES = DEMO_ROLES
PUBLIC = ["/", "/fees", "/verify", "/login", "/no-such-page"]
DEPARTMENTS = ("ZRZY", "ZJJ", "GAJ", "CGJ", "SCJG", "RFB", "SLJ", "QXJ", "FGJ", "LYJ")


def _fetch(client):  # type: ignore[no-untyped-def]
    def fetch(url: str) -> tuple[int, str]:
        answer = client.get(url, headers={"accept": "text/html,application/xhtml+xml"})
        return answer.status_code, answer.text

    return fetch


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_page_a_role_reaches_passes_the_lint(client, demo_day, role):
    assert sign_in(client, role, DEMO_PASSWORD.format(role=role)).status_code == 303
    pages = crawl(_fetch(client), [ROLES[role], *PUBLIC[:3]])
    assert len(pages) >= 4, pages.keys()
    found = [p for p in lint_pages(pages, DEPARTMENTS) if not p.startswith("/no-such-page")]
    assert found == [], "\n".join(found)


def test_public_pages_and_the_error_page_pass_the_lint(client, demo_day):
    pages = crawl(_fetch(client), PUBLIC)
    assert "HTTP 404" in pages["/no-such-page"]
    pages["/no-such-page"] = pages["/no-such-page"].removeprefix("HTTP 404: ")
    refused = client.get("/finance")  # a page that needs a sign-in shows the sign-in page, saying why
    assert refused.status_code == 401 and "请先登录" in refused.text
    pages["/finance (anonymous)"] = visible(refused.text)[0]
    assert lint_pages(pages, DEPARTMENTS) == []


def test_the_auditor_opens_the_demo_projects_ledger_and_its_workbook(client, demo_day):
    import io
    from datetime import datetime

    from openpyxl import load_workbook

    assert sign_in(client, "auditor", DEMO_PASSWORD.format(role="auditor")).status_code == 303
    home = client.get("/auditor").text
    assert "XM-2026-001" in home and "住宅" in home and "已决算分割" in home
    page = client.get("/auditor/projects/XM-2026-001").text
    assert "人民防空办公室" in page or "住房和城乡建设局" in page
    assert "分割入部门收入" in page and "示范代收银行" in page, "the bank by its name as 经办"
    answer = client.get("/auditor/projects/XM-2026-001/ledger.xlsx")
    assert (
        "filename*=UTF-8''%E9%A1%B9%E7%9B%AE%E5%8F%B0%E8%B4%A6-XM-2026-001.xlsx"
        in answer.headers["content-disposition"]
    )
    events = load_workbook(io.BytesIO(answer.content))["全部事件"]
    rows = list(events.iter_rows(min_row=2, values_only=True))
    assert all(isinstance(row[0], datetime) for row in rows)
    assert events["A2"].number_format == "yyyy-mm-dd hh:mm" and events.column_dimensions["A"].width >= 16
    actors = {row[6] for row in rows}
    assert "示范代收银行" in actors and "系统（自动处理）" in actors
    assert not any(str(a).startswith(("bank:", "feecollect", "cli:")) for a in actors), actors
    declared = next(row for row in rows if row[1] == "项目申报")
    assert "建筑面积 12000.50" in declared[8] and "_m2" not in declared[8]
    split = next(row for row in rows if row[1] == "分割入部门收入")
    assert "分割记账凭证 第 " in split[7] and "#" not in split[7]
