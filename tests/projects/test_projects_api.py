"""Declaring a construction project at the one-form window (SPEC §8, §13)."""

from __future__ import annotations

import pytest

from tests.conftest import bearer, row_counts
from tests.helpers import PROJECT_PARAMS, project_body


def test_a_declared_project_owes_every_construction_fee_of_its_type(client, tokens):
    clerk = bearer(tokens["clerk"])
    created = client.post("/api/v1/projects", json=project_body(), headers=clerk)
    assert created.status_code == 201, created.text
    project = created.json()
    assert (project["project_no"], project["status"], project["declared_by"]) == (
        "P-2026-001",
        "declared",
        "clerk",
    )
    assert project["params"] == PROJECT_PARAMS
    fees = {fee["item"]: fee for fee in project["fees"]}
    assert len({fee["department"]["code"] for fee in fees.values()}) >= 7
    assert fees["JS-PT-001"]["parameter"] == "floor_area_m2" and fees["JS-PT-001"]["quantity"] == "12000.50"
    assert all(
        fee["quantity"] == PROJECT_PARAMS[fee["parameter"]] for fee in fees.values() if fee["parameter"]
    )

    for role in ("clerk_zjj", "finance", "auditor"):
        shown = client.get("/api/v1/projects/P-2026-001", headers=bearer(tokens[role]))
        assert shown.status_code == 200 and shown.json() == project
    listed = client.get("/api/v1/projects", headers=bearer(tokens["finance"])).json()
    assert [p["project_no"] for p in listed["items"]] == ["P-2026-001"]
    audit = client.get("/api/v1/audit?object_id=P-2026-001", headers=bearer(tokens["auditor"])).json()
    assert [(e["action"], e["actor"]) for e in audit] == [("project.declared", "clerk")]
    assert audit[0]["after"]["params"] == PROJECT_PARAMS


def test_an_industrial_project_is_not_charged_what_only_other_types_pay(client, tokens):
    params = {k: v for k, v in PROJECT_PARAMS.items() if k != "above_ground_area_m2"}
    created = client.post(
        "/api/v1/projects",
        json=project_body("P-IND", project_type="industrial", params=params),
        headers=bearer(tokens["clerk"]),
    )
    assert created.status_code == 201, created.text
    assert "above_ground_area_m2" not in {fee["parameter"] for fee in created.json()["fees"]}


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        (
            {"params": {k: v for k, v in PROJECT_PARAMS.items() if k != "land_area_m2"}},
            "params.land_area_m2",
            "is required",
        ),
        ({"params": PROJECT_PARAMS | {"seats": "300"}}, "params.seats", "no construction fee"),
        ({"params": PROJECT_PARAMS | {"floor_area_m2": "-5"}}, "params.floor_area_m2", "at least 0"),
        ({"params": PROJECT_PARAMS | {"floor_area_m2": "很大"}}, "params.floor_area_m2", "at least 0"),
        ({"developer": {"name": "某公司", "uscc": "91110000600037341X"}}, "developer.uscc", ""),
        ({"division": "4303"}, "division", "six-digit"),
        ({"project_type": "castle"}, "project_type", "residential"),
        ({"payer": {"flags": ["friends_of_the_mayor"]}}, "payer.flags", ""),
    ],
)
def test_a_bad_declaration_gets_a_422_naming_the_field_and_writes_nothing(
    client, tokens, change, field, fragment
):
    before = row_counts(client)
    refused = client.post("/api/v1/projects", json=project_body(**change), headers=bearer(tokens["clerk"]))
    assert refused.status_code == 422, refused.text
    error = refused.json()
    assert error["error"] == "invalid_project"
    assert any(p["field"] == field and fragment in p["detail"] for p in error["problems"]), error
    assert row_counts(client) == before


def test_a_float_parameter_is_refused_before_it_can_lose_precision(client, tokens):
    body = project_body(params=PROJECT_PARAMS | {"floor_area_m2": 12000.5})
    refused = client.post("/api/v1/projects", json=body, headers=bearer(tokens["clerk"]))
    assert refused.status_code == 422 and "floor_area_m2" in refused.text


def test_a_project_number_is_declared_once_and_unknown_ones_are_404(client, tokens):
    clerk = bearer(tokens["clerk"])
    assert client.post("/api/v1/projects", json=project_body(), headers=clerk).status_code == 201
    before = row_counts(client)
    again = client.post("/api/v1/projects", json=project_body(name="另一个项目"), headers=clerk)
    assert again.status_code == 409 and again.json()["error"] == "duplicate_project"
    assert row_counts(client) == before
    missing = client.get("/api/v1/projects/P-NONE", headers=clerk)
    assert missing.status_code == 404 and missing.json()["error"] == "unknown_project"
