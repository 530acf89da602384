from __future__ import annotations

import io
import shutil
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from feecollect.notices.payment_code import describe, is_payment_code
from tests.conftest import SHIPPED_SCHEDULES, bearer, row_counts
from tests.helpers import case_body

SPEC_LINE_FIELDS = {"item", "name", "department", "quantity", "rate", "amount", "basis"}


def register(client, tokens, case_no="N-1", **changes):  # type: ignore[no-untyped-def]
    department = changes.get("department", "ZRZY")
    clerk = "clerk" if department == "ZRZY" else "clerk_zjj"
    response = client.post("/api/v1/cases", json=case_body(case_no, **changes), headers=bearer(tokens[clerk]))
    assert response.status_code == 201, response.text


def issue(client, token, case_no="N-1"):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/cases/{case_no}/notices", headers=bearer(token))


def test_clerk_issues_fetches_prints_and_voids_a_notice(client, tokens, cli):
    clerk = bearer(tokens["clerk"])
    register(client, tokens, items=[{"item": "XZ-BDC-002"}, {"item": "XZ-BDC-003", "quantity": "3"}])
    issued = issue(client, tokens["clerk"])
    assert issued.status_code == 201, issued.text
    notice = issued.json()
    code = notice["payment_code"]
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert is_payment_code(code) and describe(code) == ("430321", today.year, 1)
    assert (notice["amount"], notice["status"], notice["bill"]) == ("580.00", "issued", None)
    assert notice["due_date"] == (today + timedelta(days=15)).isoformat()
    registration, certificates = notice["lines"]
    assert set(registration) >= SPEC_LINE_FIELDS
    assert registration["department"] == {"code": "ZRZY", "name": "自然资源和规划局"}
    assert (registration["rate"], registration["amount"], registration["version"]) == ("550.00", "550.00", 1)
    assert "发改价格规〔2016〕2559号" in registration["basis"]
    assert (certificates["quantity"], certificates["amount"]) == ("3", "30.00")

    fetched = client.get(f"/api/v1/notices/{code}", headers=bearer(tokens["auditor"]))
    assert fetched.status_code == 200 and fetched.json()["amount"] == "580.00"

    pdf = client.get(f"/api/v1/notices/{code}.pdf", headers=clerk)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert code in text and "580.00" in text and "伍佰捌拾元整" in text
    unwrapped = "".join(text.split())  # the basis wraps in its narrow column
    assert "示范市星河商贸有限公司" in text and "发改价格规〔2016〕2559号" in unwrapped
    assert "经办人：clerk" in unwrapped, "a clerk without a display name is shown by login name"
    assert cli("users", "rename", "clerk", "李娜").exit_code == 0
    renamed = client.get(f"/api/v1/notices/{code}.pdf", headers=clerk).content
    printed = "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(renamed)).pages).split())
    assert "经办人：李娜" in printed, "the notice names the clerk as people know them"

    voided = client.post(f"/api/v1/notices/{code}/void", json={"reason": "申请人信息有误"}, headers=clerk)
    assert voided.status_code == 200 and voided.json()["status"] == "voided"
    assert voided.json()["void_reason"] == "申请人信息有误"
    again = client.post(f"/api/v1/notices/{code}/void", json={"reason": "再次作废"}, headers=clerk)
    assert again.status_code == 409 and again.json()["error"] == "notice_not_voidable"

    corrected = issue(client, tokens["clerk"])
    assert corrected.status_code == 201
    assert corrected.json()["payment_code"] != code and describe(corrected.json()["payment_code"])[2] == 2
    case = client.get("/api/v1/cases/N-1", headers=clerk).json()
    assert [(n["payment_code"], n["status"]) for n in case["notices"]] == [
        (corrected.json()["payment_code"], "issued"),
        (code, "voided"),
    ]


def test_one_live_notice_per_case(client, tokens):
    register(client, tokens)
    code = issue(client, tokens["clerk"]).json()["payment_code"]
    before = row_counts(client)
    second = issue(client, tokens["clerk"])
    assert (
        second.status_code == 409
        and second.json()["error"] == "notice_exists"
        and code in second.json()["detail"]
    )
    withdraw = client.post(
        "/api/v1/cases/N-1/withdraw", json={"reason": "x"}, headers=bearer(tokens["clerk"])
    )
    assert withdraw.status_code == 409 and withdraw.json()["error"] == "notice_exists"
    assert row_counts(client) == before


def test_refusals_write_nothing(client, tokens):
    register(client, tokens, "FREE", items=[{"item": "XZ-BDC-001"}], flags=["affordable_housing"])
    register(client, tokens, "GONE")
    client.post("/api/v1/cases/GONE/withdraw", json={"reason": "撤件"}, headers=bearer(tokens["clerk"]))
    before = row_counts(client)
    nothing = issue(client, tokens["clerk"], "FREE")
    assert nothing.status_code == 422 and nothing.json()["error"] == "nothing_due"
    withdrawn = issue(client, tokens["clerk"], "GONE")
    assert withdrawn.status_code == 409 and withdrawn.json()["error"] == "case_not_open"
    assert issue(client, tokens["clerk_zjj"], "GONE").status_code == 403
    assert issue(client, tokens["finance"], "GONE").status_code == 403
    assert issue(client, tokens["clerk"], "NOPE").status_code == 404
    bad_code = client.get("/api/v1/notices/12345", headers=bearer(tokens["clerk"]))
    assert bad_code.status_code == 422 and bad_code.json()["error"] == "invalid_request"
    unknown = client.get("/api/v1/notices/43032126000000009999", headers=bearer(tokens["clerk"]))
    assert unknown.status_code == 404 and unknown.json()["error"] == "unknown_payment_code"
    assert row_counts(client) == before


def test_listing_filters_and_department_scope(client, tokens):
    register(client, tokens, "A-1")
    register(client, tokens, "B-1", department="ZJJ", items=[{"item": "JS-PT-001", "quantity": "100"}])
    a = issue(client, tokens["clerk"], "A-1").json()["payment_code"]
    b = issue(client, tokens["clerk_zjj"], "B-1").json()["payment_code"]
    client.post(f"/api/v1/notices/{a}/void", json={"reason": "重开"}, headers=bearer(tokens["clerk"]))

    def codes(query: str, who: str = "finance") -> list[str]:
        response = client.get(f"/api/v1/notices{query}", headers=bearer(tokens[who]))
        assert response.status_code == 200, response.text
        return [n["payment_code"] for n in response.json()["items"]]

    assert codes("") == [b, a]
    assert codes("?department=ZJJ") == [b] and codes("?status=voided") == [a]
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    assert codes(f"?date_from={today}&date_to={today}") == [b, a]
    assert codes(f"?date_from={today + timedelta(days=1)}") == []
    assert codes("", who="clerk") == [a]
    assert client.get("/api/v1/notices?department=ZJJ", headers=bearer(tokens["clerk"])).status_code == 403
    assert client.get(f"/api/v1/notices/{b}", headers=bearer(tokens["clerk"])).status_code == 403
    assert client.get(f"/api/v1/notices/{b}.pdf", headers=bearer(tokens["clerk"])).status_code == 403


def test_notices_past_their_due_date_expire(client, tokens, cli):
    register(client, tokens)
    notice = issue(client, tokens["clerk"]).json()
    due = date.fromisoformat(notice["due_date"])
    assert "0 notice(s) expired" in cli("notices", "expire", "--date", due.isoformat()).output
    result = cli("notices", "expire", "--date", (due + timedelta(days=1)).isoformat())
    assert result.exit_code == 0 and f"1 notice(s) expired as of {due + timedelta(days=1)}" in result.output
    code = notice["payment_code"]
    assert (
        client.get(f"/api/v1/notices/{code}", headers=bearer(tokens["clerk"])).json()["status"] == "expired"
    )
    late_void = client.post(
        f"/api/v1/notices/{code}/void", json={"reason": "x"}, headers=bearer(tokens["clerk"])
    )
    assert late_void.status_code == 409
    assert issue(client, tokens["clerk"]).status_code == 201, "an expired notice no longer blocks a new one"


def test_a_notice_keeps_the_item_version_it_was_priced_with(settings, tmp_path):
    from fastapi.testclient import TestClient

    from feecollect.api.app import create_app
    from tests.conftest import add_test_users

    schedules = tmp_path / "schedules"
    shutil.copytree(SHIPPED_SCHEDULES, schedules)
    app = create_app(settings.model_copy(update={"schedules_dir": schedules}))
    with TestClient(app) as client:
        tokens = add_test_users(app)
        register(client, tokens)
        old = issue(client, tokens["clerk"]).json()
        path = schedules / "administrative.toml"
        path.write_text(
            path.read_text(encoding="utf-8").replace('"550.00", max = "550.00"', '"500.00", max = "550.00"'),
            encoding="utf-8",
        )
        reload = client.post("/api/v1/schedules/reload", headers=bearer(tokens["admin"]))
        assert reload.status_code == 200 and reload.json()["added"] == ["XZ-BDC-002 v2"]
        client.post(
            f"/api/v1/notices/{old['payment_code']}/void",
            json={"reason": "标准调整"},
            headers=bearer(tokens["clerk"]),
        )
        new = issue(client, tokens["clerk"]).json()
        kept = client.get(f"/api/v1/notices/{old['payment_code']}", headers=bearer(tokens["clerk"])).json()
    app.state.engine.dispose()
    assert (kept["lines"][0]["version"], kept["lines"][0]["rate"], kept["amount"]) == (1, "550.00", "570.00")
    assert (new["lines"][0]["version"], new["lines"][0]["rate"], new["amount"]) == (2, "500.00", "520.00")
