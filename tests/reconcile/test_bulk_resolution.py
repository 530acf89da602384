"""Exceptions worked in bulk by workbook (SPEC §16): 5,000 open exceptions downloaded, filled in and
uploaded back, dry and for real, then approved in bulk by a second finance user."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from tests.conftest import bearer, row_counts

COUNT = 5_000


def generated_exceptions(client, count: int = COUNT) -> None:  # type: ignore[no-untyped-def]
    """Unidentified credits of the last sixty days, as a busy office's backlog would be."""
    from feecollect.db.engine import unit_of_work
    from feecollect.devtools.backlog import backlog_rows
    from feecollect.reconcile import findings_repository

    today = date.today()
    rows = backlog_rows(count, today)
    with unit_of_work(client.app.state.sessionmaker) as session:
        findings_repository.insert_exceptions(session, rows)


def filled_in(content: bytes) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["待处理异常"]
    column = [c.value for c in sheet[1]].index("处理意见") + 1
    for row in range(2, min(4_002, sheet.max_row + 1)):  # the first 4,000; the others stay as they are
        sheet.cell(row=row, column=column, value=f"已核实，第 {row} 行")
    # Text that reads as a formula, typed as text: it comes back as the text it is, never evaluated.
    sheet.cell(row=2, column=column, value='=HYPERLINK("http://x","点我")').data_type = "s"
    sheet.cell(row=3, column=column, value="长" * 600)
    sheet.append([99_999_999, *([None] * (column - 2)), "无此编号"])
    sheet.append(["abc", *([None] * (column - 2)), "不是编号"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_bulk_round_trip_of_5000_exceptions_runs_dry_then_for_real(client, tokens):
    generated_exceptions(client)
    maker, checker = bearer(tokens["finance"]), bearer(tokens["finance_2"])
    downloaded = client.get("/api/v1/exceptions.xlsx", headers=maker)
    assert downloaded.status_code == 200
    sheet = load_workbook(io.BytesIO(downloaded.content))["待处理异常"]
    assert sheet.max_row == COUNT + 1 and sheet["N1"].value == "处理意见" and sheet["N2"].value is None
    upload = filled_in(downloaded.content)

    def send(dry_run: bool):  # type: ignore[no-untyped-def]
        files = {"file": ("待处理异常.xlsx", upload, "application/octet-stream")}
        return client.post(
            "/api/v1/exceptions/bulk", files=files, data={"dry_run": str(dry_run).lower()}, headers=maker
        )

    before = row_counts(client)
    dry = send(True)
    assert dry.status_code == 200, dry.text
    expected = (3_999, 1_000, [3, COUNT + 2, COUNT + 3])
    body = dry.json()
    assert (body["proposals"], body["unchanged"], [p["row"] for p in body["problems"]]) == expected
    assert "500" in body["problems"][0]["detail"] and "99999999" in body["problems"][1]["detail"]
    assert row_counts(client) == before, "a dry run writes nothing"

    real = send(False).json()
    assert (real["proposals"], real["unchanged"], [p["row"] for p in real["problems"]]) == expected
    waiting = client.get("/api/v1/proposals?status=proposed", headers=maker).json()
    assert len(waiting) == 500, "the listing pages; the proposals are all there"
    formula = next(p for p in waiting if p["object"] == "1")
    assert formula["reason"] == '=HYPERLINK("http://x","点我")'
    again = send(False).json()
    assert again["proposals"] == 0 and len(again["problems"]) == 3_999 + 3, "each row refused, by row"

    some = [p["id"] for p in waiting[:200]]
    assert client.post("/api/v1/proposals/approve", json={"ids": some}, headers=maker).status_code == 403
    approved = client.post("/api/v1/proposals/approve", json={"ids": some}, headers=checker)
    assert approved.status_code == 200 and len(approved.json()) == 200
    resolved = client.get("/api/v1/exceptions?status=resolved&limit=1", headers=maker).json()
    assert resolved["total"] == 200


def test_the_finance_page_downloads_the_workbook_and_tries_it_before_proposing(client, tokens):
    from feecollect.audit.service import Actor
    from feecollect.db.engine import unit_of_work
    from feecollect.users.service import set_password
    from tests.web.conftest import PASSWORDS, csrf_of, sign_in

    generated_exceptions(client, 20)
    with unit_of_work(client.app.state.sessionmaker) as session:
        set_password(session, Actor("tests", "operator"), "finance", PASSWORDS["finance"])
    sign_in(client, "finance", PASSWORDS["finance"])
    csrf = csrf_of(client.get("/finance").text)
    downloaded = client.get("/finance/exceptions.xlsx")
    assert (
        "filename*=UTF-8''%E5%BE%85%E5%A4%84%E7%90%86%E5%BC%82%E5%B8%B8-"
        in downloaded.headers["content-disposition"]
    )
    upload = filled_in(downloaded.content)
    files = {"file": ("待处理异常.xlsx", upload, "application/octet-stream")}
    before = row_counts(client)
    tried = client.post("/finance/exceptions/bulk", files=files, data={"csrf_token": csrf, "dry_run": "on"})
    assert (
        "试算（未写入）：19 项处理提议，0 项未填处理意见" in tried.text
        and "第 3 行：处理意见超过 500 个字" in tried.text
    )
    assert row_counts(client) == before
    done = client.post("/finance/exceptions/bulk", files=files, data={"csrf_token": csrf})
    assert "已提交审核：19 项处理提议" in done.text
    assert (
        len(client.get("/api/v1/proposals?status=proposed", headers=bearer(tokens["finance"])).json()) == 19
    )
