from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import bearer


@pytest.fixture
def client(client, tokens):  # type: ignore[no-untyped-def]
    """Quotes belong to clerks, finance and auditors (SPEC §11): these tests quote as a clerk."""
    client.headers.update(bearer(tokens["clerk"]))
    return client


SPEC_LINE_FIELDS = {"item", "version", "rate", "min", "max", "quantity", "amount", "basis", "relief"}


def post(client, lines, **extra):
    return client.post("/api/v1/quotes", json={"service_date": "2026-11-22", "lines": lines, **extra})


def test_construction_quote_is_min_rate_times_area_with_its_basis(client):
    response = post(
        client, [{"item": "JS-PT-001", "quantity": "12345.67"}, {"item": "JS-RF-001", "quantity": 8000}]
    )
    assert response.status_code == 200, response.text
    body = response.json()
    infrastructure, shelter = body["lines"]
    assert set(infrastructure) >= SPEC_LINE_FIELDS
    assert infrastructure["rate"] == infrastructure["min"] == "115.00" and infrastructure["max"] == "150.00"
    assert infrastructure["amount"] == str((Decimal("115") * Decimal("12345.67")).quantize(Decimal("0.01")))
    assert "财综函〔2002〕3号" in infrastructure["basis"] and infrastructure["relief"] is None
    assert shelter["amount"] == "163840.00"  # 512 × 8000 m² × 4%
    assert body["total"] == "1583592.05"


def test_relief_is_applied_and_explained(client):
    body = post(
        client,
        [{"item": "XZ-BDC-002"}, {"item": "XZ-BDC-001", "quantity": "2"}],
        payer={"kind": "enterprise", "flags": ["small_micro_enterprise"]},
    ).json()
    registration, housing = body["lines"]
    assert registration["amount"] == "0.00" and housing["amount"] == "160.00"
    assert (
        registration["relief"]["flag"] == "small_micro_enterprise"
        and "财税〔2016〕79号" in registration["relief"]["basis"]
    )
    assert body["total"] == "160.00"


@pytest.mark.parametrize(
    ("lines", "payload", "error", "fragment"),
    [
        ([{"item": "JS-QG-001", "quantity": "100"}], {}, "item_cancelled", "line 1 (JS-QG-001)"),
        ([{"item": "NOPE", "quantity": "1"}], {}, "unknown_item", "no fee item with code 'NOPE'"),
        ([{"item": "JS-PT-001", "quantity": "-5"}], {}, "bad_quantity", "is negative"),
        ([{"item": "JS-PT-001", "quantity": "abc"}], {}, "bad_quantity", "is not a number"),
        ([{"item": "JS-PT-001"}], {}, "missing_parameter", "floor_area_m2"),
        ([{"item": "JS-PT-001", "quantity": 1.5}], {}, "invalid_request", "lines[0].quantity"),
        ([{"item": "JS-PT-001", "quantity": "1"}], {"payer": {"flags": ["vip"]}}, "unknown_flag", "vip"),
        (
            [{"item": "JS-PT-001", "quantity": "1"}],
            {"payer": {"kind": "robot"}},
            "invalid_request",
            "payer.kind",
        ),
        (
            [{"item": "JS-PT-001", "quantity": "1"}],
            {"service_date": "tomorrow"},
            "invalid_request",
            "service_date",
        ),
    ],
)
def test_bad_quotes_get_a_4xx_naming_the_line_and_reason(client, lines, payload, error, fragment):
    response = client.post("/api/v1/quotes", json={"service_date": "2026-11-22", "lines": lines, **payload})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == error and fragment in body["detail"], body


def test_malformed_json_is_a_clear_422(client):
    response = client.post(
        "/api/v1/quotes", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422 and response.json()["error"] == "invalid_request"


def test_quote_defaults_to_today_in_the_centre_time_zone(client):
    body = client.post("/api/v1/quotes", json={"lines": [{"item": "XZ-GA-001"}]}).json()
    assert body["total"] == "20.00" and body["service_date"]


def test_quotes_need_a_reading_role(client, tokens):
    body = {"service_date": "2026-11-22", "lines": [{"item": "XZ-GA-001"}]}
    anonymous = client.post("/api/v1/quotes", json=body, headers={"Authorization": ""})
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "unauthorized"
    admin = client.post("/api/v1/quotes", json=body, headers=bearer(tokens["admin"]))
    assert admin.status_code == 403 and admin.json()["error"] == "forbidden"
    assert client.post("/api/v1/quotes", json=body, headers=bearer(tokens["auditor"])).status_code == 200
