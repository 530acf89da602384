from __future__ import annotations

import pytest

from feecollect.api.app import create_app
from feecollect.schedules.loader import ScheduleErrors

SPEC_ITEM_FIELDS = {
    "code",
    "name",
    "department",
    "basis",
    "pricing",
    "unit",
    "parameter",
    "min",
    "max",
    "enterprise_related",
    "effective_from",
    "effective_to",
    "cancelled_on",
    "cancellation_basis",
    "version",
}


def test_schedules_list_every_shipped_item_in_the_contract_shape(client):
    response = client.get("/api/v1/schedules")
    assert response.status_code == 200
    items = {item["code"]: item for item in response.json()["items"]}
    assert len(items) == 20
    for item in items.values():
        assert set(item) >= SPEC_ITEM_FIELDS, SPEC_ITEM_FIELDS - set(item)
        assert set(item["department"]) == {"code", "name"}
    shelter = items["JS-RF-001"]
    assert (shelter["min"], shelter["max"], shelter["unit"], shelter["parameter"], shelter["version"]) == (
        "512.00",
        "512.00",
        "平方米",
        "above_ground_area_m2",
        1,
    )
    assert "计价格〔2000〕474号" in shelter["basis"]
    fund = items["JS-QG-001"]
    assert fund["cancelled_on"] == "2017-04-01" and "财税〔2017〕18号" in fund["cancellation_basis"]
    assert items["XZ-SC-001"]["min"] is None and len(items["XZ-SC-001"]["tiers"]) == 3


def test_schedules_filter_by_department_and_date(client):
    on_today = {
        i["code"] for i in client.get("/api/v1/schedules", params={"on": "2026-11-22"}).json()["items"]
    }
    assert "JS-QG-001" not in on_today and "JS-PT-001" in on_today
    in_2016 = {
        i["code"] for i in client.get("/api/v1/schedules", params={"on": "2016-06-01"}).json()["items"]
    }
    assert {"JS-QG-001", "XZ-SC-001"} <= in_2016 and "JS-PT-001" not in in_2016 and "JS-SN-001" not in in_2016
    police = client.get("/api/v1/schedules", params={"department": "GAJ"}).json()["items"]
    assert {i["code"] for i in police} == {"XZ-GA-001", "XZ-GA-002", "XZ-GA-003"}


def test_bad_filter_and_unknown_item_are_json_errors(client):
    bad = client.get("/api/v1/schedules", params={"on": "2026-02-30"})
    assert (
        bad.status_code == 422 and bad.json()["error"] == "invalid_request" and "on" in bad.json()["detail"]
    )
    missing = client.get("/api/v1/schedules/NOPE-1")
    assert missing.status_code == 404 and missing.json() == {
        "error": "unknown_item",
        "detail": "no fee item with code 'NOPE-1'",
    }
    route = client.get("/api/v1/nothing-here")
    assert route.status_code == 404 and route.json()["error"] == "not_found"


def test_item_history_lists_versions(client):
    body = client.get("/api/v1/schedules/JS-PT-001").json()
    assert [v["version"] for v in body["versions"]] == [1]
    assert body["versions"][0]["superseded_at"] is None and len(body["versions"][0]["content_hash"]) == 64


def test_openapi_docs_are_served(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/schedules", "/api/v1/quotes"} <= set(paths)


def test_the_service_refuses_to_start_on_broken_schedules(settings, tmp_path):
    broken = '[family]\ncode = "x"\nname = "x"\n[[items]]\ncode = "A-1"\n'
    (tmp_path / "bad.toml").write_text(broken, encoding="utf-8")
    with pytest.raises(ScheduleErrors, match=r"bad\.toml:A-1:name: missing"):
        create_app(settings.model_copy(update={"schedules_dir": tmp_path}))
