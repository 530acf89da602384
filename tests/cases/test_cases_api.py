from __future__ import annotations

import pytest

from tests.conftest import bearer, row_counts
from tests.helpers import RIC, USCC, case_body


def test_a_clerk_registers_reads_and_completes_a_case(client, tokens):
    clerk = bearer(tokens["clerk"])
    created = client.post("/api/v1/cases", json=case_body(id_no=" 9111 0000 6000 3734 1l "), headers=clerk)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["status"], body["applicant"]["id_no"], body["registered_by"]) == ("accepted", USCC, "clerk")
    assert body["items"] == [
        {"item": "XZ-BDC-002", "quantity": None},
        {"item": "XZ-BDC-003", "quantity": "2"},
    ]
    for reader in ("clerk", "finance", "auditor"):
        assert client.get("/api/v1/cases/C-0001", headers=bearer(tokens[reader])).status_code == 200
    other = client.get("/api/v1/cases/C-0001", headers=bearer(tokens["clerk_zjj"]))
    assert other.status_code == 403 and "belongs to department ZRZY" in other.json()["detail"]
    done = client.post("/api/v1/cases/C-0001/complete", headers=clerk)
    assert done.status_code == 200 and done.json()["status"] == "completed"
    again = client.post("/api/v1/cases/C-0001/complete", headers=clerk)
    assert again.status_code == 409 and again.json()["error"] == "case_not_open"


def test_withdraw_needs_a_reason(client, tokens):
    clerk = bearer(tokens["clerk"])
    client.post("/api/v1/cases", json=case_body(), headers=clerk)
    assert client.post("/api/v1/cases/C-0001/withdraw", json={}, headers=clerk).status_code == 422
    withdrawn = client.post("/api/v1/cases/C-0001/withdraw", json={"reason": "申请人撤回申请"}, headers=clerk)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        ({"id_no": "91110000600037341X"}, "applicant.id_no", "check character is wrong"),
        ({"id_type": "ric", "id_no": "110105194912310021"}, "applicant.id_no", "check digit is wrong"),
        ({"id_type": "ric", "id_no": "11010519491231002"}, "applicant.id_no", "must be 18 characters"),
        ({"items": [{"item": "NOPE-1"}]}, "items[0]", "unknown_item"),
        ({"items": [{"item": "JS-QG-001", "quantity": "100"}]}, "items[0]", "财税〔2017〕18号"),
        ({"items": [{"item": "JS-PT-001", "quantity": "-1"}]}, "items[0]", "bad_quantity"),
        ({"items": [{"item": "JS-PT-001"}]}, "items[0]", "missing_parameter"),
        ({"flags": ["vip"]}, "payer.flags", "unknown_flag"),
    ],
)
def test_invalid_cases_get_a_422_naming_the_field_and_write_nothing(client, tokens, change, field, fragment):
    body = case_body(**change)
    headers = bearer(tokens["clerk"])
    before = row_counts(client)
    response = client.post("/api/v1/cases", json=body, headers=headers)
    assert response.status_code == 422, response.text
    error = response.json()
    assert error["error"] == "invalid_case"
    assert any(p["field"] == field and fragment in p["detail"] for p in error["problems"]), error
    assert row_counts(client) == before


def test_duplicate_case_numbers_are_refused_and_write_nothing(client, tokens):
    clerk = bearer(tokens["clerk"])
    assert client.post("/api/v1/cases", json=case_body(), headers=clerk).status_code == 201
    before = row_counts(client)
    duplicate = client.post(
        "/api/v1/cases", json=case_body(id_type="ric", id_no=RIC, name="张三"), headers=clerk
    )
    assert duplicate.status_code == 409 and duplicate.json()["error"] == "duplicate_case"
    assert row_counts(client) == before


def test_a_clerk_cannot_register_for_another_department(client, tokens):
    before = row_counts(client)
    response = client.post("/api/v1/cases", json=case_body(department="ZJJ"), headers=bearer(tokens["clerk"]))
    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert row_counts(client) == before


def test_a_clerk_cannot_bill_another_departments_item(client, tokens):
    """A ZJJ clerk putting ZRZY's item on a ZJJ case would hide ZRZY's revenue from ZRZY's clerks."""
    before = row_counts(client)
    items = [{"item": "JS-PT-001", "quantity": "100"}, {"item": "XZ-BDC-002"}]
    body = case_body("MIX-1", department="ZJJ", items=items)
    response = client.post("/api/v1/cases", json=body, headers=bearer(tokens["clerk_zjj"]))
    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert "XZ-BDC-002 (ZRZY)" in response.json()["detail"]
    assert row_counts(client) == before
    own = case_body("MIX-2", department="ZJJ", items=items[:1])
    assert client.post("/api/v1/cases", json=own, headers=bearer(tokens["clerk_zjj"])).status_code == 201


def test_a_clerk_cannot_import_another_departments_item(client, tokens):
    from tests.cases.test_import import CHINESE_HEADER, csv_file

    row = "IMP-9,W02,ZJJ,2026-11-20,示范市星河商贸有限公司,统一社会信用代码,91110000600037341L,,XZ-BDC-002,"
    before = row_counts(client)
    response = client.post(
        "/api/v1/cases/import",
        files={"file": ("cases.csv", csv_file([row], CHINESE_HEADER))},
        headers=bearer(tokens["clerk_zjj"]),
    )
    assert response.status_code == 403 and "XZ-BDC-002 (ZRZY)" in response.json()["detail"]
    assert row_counts(client) == before


def test_case_listing_is_scoped_for_clerks(client, tokens):
    client.post("/api/v1/cases", json=case_body("Z-1"), headers=bearer(tokens["clerk"]))
    zjj = case_body("J-1", department="ZJJ", items=[{"item": "JS-PT-001", "quantity": "100"}])
    client.post("/api/v1/cases", json=zjj, headers=bearer(tokens["clerk_zjj"]))
    mine = client.get("/api/v1/cases", headers=bearer(tokens["clerk"])).json()["items"]
    assert [c["case_no"] for c in mine] == ["Z-1"]
    every = client.get("/api/v1/cases", headers=bearer(tokens["finance"])).json()["items"]
    assert {c["case_no"] for c in every} == {"Z-1", "J-1"}
    assert client.get("/api/v1/cases?department=ZJJ", headers=bearer(tokens["clerk"])).status_code == 403
