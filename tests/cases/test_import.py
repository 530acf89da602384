from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from feecollect.cases.importing import MAX_BYTES
from tests.conftest import bearer, row_counts
from tests.helpers import RIC, USCC, USCC_2

CHINESE_HEADER = "办件编号,窗口,部门,办理日期,申请人,证件类型,证件号码,减免标识,收费项目,数量"
GOOD_ROWS = [
    f"IMP-001,W02,ZRZY,2026-11-20,示范市星河商贸有限公司,统一社会信用代码,{USCC},small_micro_enterprise,XZ-BDC-002,",
    f"IMP-001,W02,ZRZY,2026-11-20,示范市星河商贸有限公司,统一社会信用代码,{USCC},small_micro_enterprise,XZ-BDC-003,2",
    f"IMP-002,W02,ZRZY,2026/11/21,张三,居民身份证,{RIC},,XZ-BDC-001,1",
]


def csv_file(rows: list[str], header: str = CHINESE_HEADER, encoding: str = "gb18030") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode(encoding)


def upload(client, token, content: bytes, name: str = "cases.csv"):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/cases/import", files={"file": (name, content)}, headers=bearer(token))


def test_gbk_csv_with_chinese_headers_imports_once(client, tokens):
    content = csv_file(GOOD_ROWS)
    first = upload(client, tokens["clerk"], content)
    assert first.status_code == 200, first.text
    assert first.json() == {"created": ["IMP-001", "IMP-002"], "unchanged": []}
    case = client.get("/api/v1/cases/IMP-001", headers=bearer(tokens["clerk"])).json()
    assert case["payer"]["flags"] == ["small_micro_enterprise"] and len(case["items"]) == 2
    assert (
        client.get("/api/v1/cases/IMP-002", headers=bearer(tokens["clerk"])).json()["service_date"]
        == "2026-11-21"
    )
    before = row_counts(client)
    second = upload(client, tokens["clerk"], content)
    assert second.json() == {"created": [], "unchanged": ["IMP-001", "IMP-002"]}
    assert row_counts(client) == before, "importing the same file twice changes nothing"


def test_utf8_bom_with_english_headers(client, tokens):
    header = "case_no,window,department,service_date,applicant_name,id_type,id_no,flags,item,quantity"
    rows = [f"IMP-101,W02,ZRZY,20261120,示范市城建置业有限公司,uscc,{USCC_2},,XZ-BDC-002,"]
    response = upload(client, tokens["clerk"], "\ufeff".encode() + csv_file(rows, header, "utf-8"))
    assert response.status_code == 200 and response.json()["created"] == ["IMP-101"]


@pytest.mark.parametrize(
    ("rows", "header", "fragment"),
    [
        (
            [GOOD_ROWS[0], GOOD_ROWS[2].replace(RIC, "110105194912310021")],
            CHINESE_HEADER,
            "row 3, column 证件号码: resident ID 110105194912310021: its check digit is wrong",
        ),
        (
            [GOOD_ROWS[0].replace("2026-11-20", "2026-02-30")],
            CHINESE_HEADER,
            "row 2, column 办理日期: '2026-02-30' is not a date",
        ),
        (
            [GOOD_ROWS[0], GOOD_ROWS[1].replace("张三", "x").replace("W02", "W09")],
            CHINESE_HEADER,
            "row 3, column 窗口: 'W09' differs from 'W02' in row 2 of case IMP-001",
        ),
        (
            [GOOD_ROWS[1].removesuffix(",2") + ",two"],
            CHINESE_HEADER,
            "row 2, column 数量: 'two' is not a number",
        ),
        (
            [GOOD_ROWS[2].replace("XZ-BDC-001", "JS-QG-001")],
            CHINESE_HEADER,
            "row 2, column 收费项目: item_cancelled",
        ),
        (
            [GOOD_ROWS[2].replace("居民身份证", "护照")],
            CHINESE_HEADER,
            "row 2, column 证件类型: '护照' is not one of",
        ),
        ([GOOD_ROWS[2].replace("张三", "")], CHINESE_HEADER, "row 2, column 申请人: empty"),
        (GOOD_ROWS, CHINESE_HEADER.replace("证件号码", "号码"), "row 1: missing column(s) id_no (证件号码)"),
        ([], CHINESE_HEADER, "no case rows below the header"),
    ],
)
def test_one_bad_row_refuses_the_whole_file_naming_row_and_column(client, tokens, rows, header, fragment):
    before = row_counts(client)
    response = upload(client, tokens["clerk"], csv_file(rows, header))
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "invalid_import" and body["detail"].startswith("cases.csv: nothing imported")
    assert fragment in body["detail"], body["detail"]
    assert len(body["problems"]) == 1, "each file carries exactly one fault"
    assert row_counts(client) == before


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary content"),
        (b"PK\x03\x04 not really a workbook", "not a readable XLSX workbook"),
        (bytes(range(128, 256)) * 3, "neither UTF-8 nor GB18030"),
    ],
)
def test_files_that_are_not_case_exports_are_refused(client, tokens, content, fragment):
    before = row_counts(client)
    response = upload(client, tokens["clerk"], content, name="upload.bin")
    assert response.status_code == 422 and fragment in response.json()["detail"], response.text
    assert row_counts(client) == before


def test_a_changed_case_in_a_later_file_is_refused(client, tokens):
    upload(client, tokens["clerk"], csv_file(GOOD_ROWS))
    before = row_counts(client)
    changed = [row.removesuffix(",2") + ",3" if row.endswith(",2") else row for row in GOOD_ROWS]
    response = upload(client, tokens["clerk"], csv_file(changed))
    assert response.status_code == 422
    assert (
        "row 2, column 办件编号: case IMP-001 is already registered with different content"
        in response.json()["detail"]
    )
    assert row_counts(client) == before


def test_a_clerk_imports_only_their_department(client, tokens):
    before = row_counts(client)
    response = upload(client, tokens["clerk_zjj"], csv_file(GOOD_ROWS))
    assert response.status_code == 403 and "other departments' cases" in response.json()["detail"]
    assert row_counts(client) == before


def xlsx_file(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(CHINESE_HEADER.split(","))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_cli_imports_an_xlsx_export_once(cli, tmp_path):
    path = tmp_path / "办件导出.xlsx"
    path.write_bytes(
        xlsx_file(
            [
                [
                    "X-1",
                    "W03",
                    "ZJJ",
                    datetime(2026, 11, 20),
                    "示范市城建置业有限公司",
                    "统一社会信用代码",
                    USCC_2,
                    None,
                    "JS-PT-001",
                    1200.5,
                ],
                [
                    "X-1",
                    "W03",
                    "ZJJ",
                    datetime(2026, 11, 20),
                    "示范市城建置业有限公司",
                    "统一社会信用代码",
                    USCC_2,
                    None,
                    "JS-RF-001",
                    8000,
                ],
            ]
        )
    )
    first = cli("cases", "import", str(path), "--json")
    assert first.exit_code == 0, first.output
    assert '"created": [\n    "X-1"\n  ]' in first.output
    second = cli("cases", "import", str(path))
    assert second.output.strip() == "办件导出.xlsx: 0 cases created, 1 already registered"


def test_cli_refuses_a_bad_file_with_row_and_column(cli, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_file([GOOD_ROWS[0].replace(",ZRZY,", ",NOPE,")]))
    result = cli("cases", "import", str(path))
    assert result.exit_code == 1
    assert (
        "bad.csv: nothing imported: row 2, column 部门: 'NOPE' is not a collecting department"
        in result.output
    )


def _with_sheet_xml(workbook: bytes, rows_xml: bytes) -> bytes:
    """The workbook with ``rows_xml`` in place of its first sheet's rows (a crafted file, as an
    attacker or a broken exporter would make it: its stated dimension still says one row)."""
    import re
    import zipfile

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb"<sheetData>.*</sheetData>|<sheetData/>",
                    b"<sheetData>" + rows_xml + b"</sheetData>",
                    data,
                    flags=re.S,
                )
            target.writestr(member, data)
    return out.getvalue()


def test_a_small_workbook_of_a_million_rows_is_refused_at_the_row_limit(client, tokens):
    import time

    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(1, 1_000_001))
    content = _with_sheet_xml(xlsx_file([]), rows)
    assert len(content) < MAX_BYTES  # a million rows within the upload limit
    started = time.process_time()
    response = upload(client, tokens["clerk"], content, "cases.xlsx")
    assert response.status_code == 422
    assert "工作表超过 10,100 行" in response.json()["detail"]
    assert time.process_time() - started < 10  # reading stopped at the limit, not at the millionth row


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_read(client, tokens):
    padding = (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b" " * (110 * 1024 * 1024) + b"</t></is></c></row>"
    )
    response = upload(client, tokens["clerk"], _with_sheet_xml(xlsx_file([]), padding), "cases.xlsx")
    assert response.status_code == 422
    assert "工作簿解压后为 110 MiB" in response.json()["detail"]


def test_a_statement_workbook_stops_at_its_row_limit(monkeypatch):
    from feecollect.reconcile.statements import StatementError, read_statements, spreadsheet

    monkeypatch.setattr(spreadsheet, "MAX_SHEET_ROWS", 50)
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(1, 200))
    with pytest.raises(StatementError, match="工作表超过 50 行"):
        read_statements("day.xlsx", _with_sheet_xml(xlsx_file([]), rows))
