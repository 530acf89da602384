"""The pages in a real browser: Debian's Chromium driven by Playwright against uvicorn, as people at desks
use them. Screenshots go to test-output/screenshots/ (docs/web-pages.md shows the main page of each role)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import REQUIRE_SERVICES, bearer
from tests.helpers import USCC, case_body
from tests.projects.flows import paid_project
from tests.web.conftest import PASSWORDS

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
SPECIAL = "43050162360800000001"
REGISTER = "form[action='/clerk/cases']"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """Once, on SQLite: the pages run the same services the API tests run on both databases."""
    path = tmp_path / "feecollect.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = os.environ.get("FEECOLLECT_CHROMIUM") or shutil.which("chromium")
    if executable is None:
        reason = "Debian's chromium is not installed (apt-get install chromium; .ci/run does)"
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason} (FEECOLLECT_REQUIRE_SERVICES=1: CI must run the browser tests)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser, live_server, passwords):  # type: ignore[no-untyped-def]
    """A fresh browser context per person, signed in through the login form."""
    contexts = []

    def signed_in(name: str | None):  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if name is not None:
            page.goto(f"{live_server}/login")
            page.fill("input[name=username]", name)
            page.fill("input[name=password]", PASSWORDS[name])
            page.click("button[type=submit]")
            page.wait_for_load_state()
        return page

    yield signed_in
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_a_clerk_registers_a_case_issues_and_prints_its_notice(open_page, live_server):
    page = open_page("clerk")
    assert page.url.endswith("/clerk")
    shot(page, "clerk-home")
    page.fill(f"{REGISTER} input[name=case_no]", "WEB-0001")
    page.fill(f"{REGISTER} input[name=window]", "A03")
    page.fill(f"{REGISTER} input[name=applicant_name]", "示范市星河房地产开发有限公司")
    page.fill(f"{REGISTER} input[name=id_no]", USCC)
    rows = page.locator(f"{REGISTER} #items select[name=item]")
    rows.nth(0).select_option(label="不动产登记费（住宅类）（按件）")
    rows.nth(1).select_option(label="不动产权属证书工本费（每增加一本）（按本）")
    page.locator(f"{REGISTER} input[name=quantity]").nth(1).fill("2")
    page.click(f"{REGISTER} button[type=submit]")
    page.wait_for_url("**/clerk/cases/WEB-0001")
    assert "收费测算" in page.content() and "XZ-BDC-003" in page.content()
    page.click("text=开具缴款通知书")
    page.wait_for_url("**/notices/*?issued=1")
    code = page.inner_text("#payment-code")
    assert len(code) == 20 and page.inner_text("#status") == "待缴款"
    shot(page, "clerk-notice")
    printed = page.request.get(f"{live_server}/notices/{code}.pdf")
    assert printed.status == 200 and printed.body().startswith(b"%PDF")
    page.goto(f"{live_server}/clerk")
    assert code in page.inner_text("body")  # the day's notices of the window


def test_finance_uploads_a_statement_sees_an_exception_and_resolves_it(
    open_page, client, tokens, bank, tmp_path, settings, cli
):
    clerk = bearer(tokens["clerk"])
    client.post("/api/v1/cases", json=case_body("WEB-F1"), headers=clerk)
    notice = client.post("/api/v1/cases/WEB-F1/notices", headers=clerk).json()
    assert (
        bank.pay("TXN-WEB-F1", notice["payment_code"], notice["amount"], datetime.now(UTC)).status_code == 200
    )
    assert cli("accounts", "add", SPECIAL, "--kind", "special").exit_code == 0
    day = datetime.now(settings.zone).date()
    statement = tmp_path / "ccb.csv"
    statement.write_text(
        "账号,交易时间,借方发生额,贷方发生额,余额,对方户名,对方账号,摘要,流水号\n"
        f"{SPECIAL},{day} 09:00:00,,{Decimal(notice['amount']):.2f},,张三,6222,"
        f"缴款码{notice['payment_code']},S1\n"
        f"{SPECIAL},{day} 10:00:00,,123.45,,无名氏,6223,货款,S2\n",
        encoding="utf-8",
    )

    page = open_page("finance")
    assert page.url.endswith("/finance")
    page.set_input_files("input[name=file]", str(statement))
    page.click("form[action='/finance/statements'] button[type=submit]")
    page.wait_for_selector("text=已导入")
    page.fill("form[action='/finance/reconciliations'] input[name=date]", day.isoformat())
    page.click("form[action='/finance/reconciliations'] button[type=submit]")
    page.wait_for_selector("#summary")
    assert "未明款项" in page.inner_text("#summary") and "unidentified_credit" not in page.inner_text(
        "#summary"
    )
    shot(page, "finance-home")
    page.click("#exceptions a")
    page.wait_for_selector("#evidence")
    assert page.inner_text("#status") == "待处理"
    assert "摘要中没有缴款码" in page.inner_text("body"), "the exception is explained in Chinese"
    page.fill("input[name=reason]", "已联系付款人，系误汇，原路退回")
    page.click("text=提交审核")
    page.wait_for_selector("#proposed")
    assert page.inner_text("#status") == "待处理", "nothing is closed by one person"
    page.goto(page.url.split("/finance")[0] + "/finance/proposals")
    assert (
        "自己的提议，待他人审核" in page.inner_text("#proposals")
        and page.locator("#proposals button:has-text('批准')").count() == 0
    )
    shot(page, "finance-exception")

    checker = open_page("finance_2")  # the second finance user: the 待审核 page, with the evidence
    checker.click("text=待审核")
    checker.wait_for_selector("#proposals")
    assert "摘要中没有缴款码" in checker.inner_text("#proposals") and "已联系付款人" in checker.inner_text(
        "#proposals"
    )
    shot(checker, "finance-proposals")
    checker.click("#proposals button:has-text('批准')")
    checker.wait_for_selector("text=已批准")
    exception = client.get("/api/v1/exceptions", headers=bearer(tokens["finance"])).json()["items"][0]
    assert exception["status"] == "resolved" and exception["resolved_by"] == "finance"


def test_an_auditor_opens_a_project_ledger_and_follows_an_evidence_link(open_page, client, tokens, bank):
    bundle = paid_project(client, tokens, bank, "P-WEB-1")
    page = open_page("auditor")
    assert page.url.endswith("/auditor")
    assert "完整" in page.inner_text("#chain")
    shot(page, "auditor-home")
    page.click("text=P-WEB-1")
    page.wait_for_selector("#events")
    assert "缴款入财政专户" in page.inner_text("#events")
    shot(page, "auditor-ledger")
    page.click(f"#events a:has-text('{bundle['payment_code']}')")
    page.wait_for_selector("#payment-code")
    assert page.inner_text("#payment-code") == bundle["payment_code"]
    assert page.inner_text("#status") == "已缴款"


def test_the_public_page_verifies_a_bill(open_page, live_server, client, tokens, bank):
    clerk = bearer(tokens["clerk"])
    client.post("/api/v1/cases", json=case_body("WEB-V1"), headers=clerk)
    notice = client.post("/api/v1/cases/WEB-V1/notices", headers=clerk).json()
    bank.pay("TXN-WEB-V1", notice["payment_code"], notice["amount"], datetime.now(UTC))
    bill = client.get(f"/api/v1/notices/{notice['payment_code']}", headers=clerk).json()["bill"]

    page = open_page(None)
    page.goto(f"{live_server}/verify")
    page.fill("input[name=code]", bill["code"])
    page.fill("input[name=number]", bill["number"])
    page.fill("input[name=check]", bill["check_code"])
    page.click("button[type=submit]")
    page.wait_for_selector("#result")
    assert "查验通过" in page.inner_text("#result") and notice["amount"] in page.inner_text("#result")
    shot(page, "public-verify")
    page.fill("input[name=check]", "XXXXXX")
    page.click("button[type=submit]")
    page.wait_for_selector("#result")
    assert "查验未通过" in page.inner_text("#result")


def test_the_page_lint_passes_in_the_browser_on_every_page_of_every_role(browser, live_server, demo_day):
    """The demo's whole day, each role signed in through the form; the lint reads the DOM as
    Chromium built it, page by page, following every link a person could click."""
    from tests.web.conftest import DEMO_PASSWORD
    from tests.web.page_lint import crawl, lint_pages
    from tests.web.test_page_lint import DEPARTMENTS, PUBLIC, ROLES

    found = []
    for role, home in sorted(ROLES.items()):
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server}/login")
        page.fill("input[name=username]", role)
        page.fill("input[name=password]", DEMO_PASSWORD.format(role=role))
        page.click("button[type=submit]")
        page.wait_for_url(f"**{home}")
        shot(page, f"demo-{role}-home")

        def fetch(url: str) -> tuple[int, str]:
            answer = page.goto(f"{live_server}{url}")  # noqa: B023 (used within this iteration)
            return (answer.status if answer else 0), page.content()  # noqa: B023

        pages = crawl(fetch, [home, *PUBLIC[:3]])
        assert len(pages) >= 4
        if role == "auditor":
            assert "/auditor/projects/XM-2026-001" in pages, "the demo's project ledger is reachable"
            assert "分割入部门收入" in pages["/auditor/projects/XM-2026-001"]
        found += [p for p in lint_pages(pages, DEPARTMENTS) if not p.startswith("/no-such-page")]
        context.close()
    assert found == [], "\n".join(found)


def test_the_public_fee_page_states_every_pricing_kind(open_page, live_server):
    page = open_page(None)
    page.goto(f"{live_server}/fees")

    def cells(code: str) -> list[str]:
        return [c.strip() for c in page.locator(f"tr[id='{code}'] td").all_inner_texts()]

    assert cells("XZ-BDC-001")[2:5] == ["每件", "80.00 元", "80.00 元"]  # fixed
    assert cells("XZ-CG-001")[3] == "0.70 元/平方米·天"  # per unit, a range
    assert cells("XZ-TD-001")[3:5] == ["20%", "20%"]  # percent, not "元 20"
    assert cells("XZ-SC-001")[3].startswith("不超过 10,000,000 元的部分按 0.08%")  # tiered
    assert "计费数量为申报数量的 4%" in " ".join(cells("JS-RF-001"))  # a share of the parameter
    assert "最低收费 300.00 元" in " ".join(cells("JS-FL-001"))  # a floor
    shot(page, "public-fees")
