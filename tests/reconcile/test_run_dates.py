"""A run is for a business day that has happened and that the data reaches: a day in the future would
find every open notice overdue and every callback missing, permanently."""

from __future__ import annotations

import pytest

from tests.conftest import bearer, row_counts
from tests.helpers import case_body


@pytest.mark.parametrize("day", ["2252-11-25", "9999-12-31", "0001-01-01", "2001-01-01"])
def test_a_run_outside_the_days_that_happened_is_refused_naming_the_date(client, tokens, day):
    clerk = bearer(tokens["clerk"])
    assert client.post("/api/v1/cases", json=case_body("D-1"), headers=clerk).status_code == 201
    client.post("/api/v1/cases/D-1/notices", headers=clerk)
    before = row_counts(client)
    response = client.post("/api/v1/reconciliations", json={"date": day}, headers=bearer(tokens["finance"]))
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid_date"
    assert [p["field"] for p in response.json()["problems"]] == ["date"]
    assert row_counts(client) == before


def test_a_run_on_a_day_the_data_reaches_goes_ahead(client, tokens):
    clerk = bearer(tokens["clerk"])
    assert client.post("/api/v1/cases", json=case_body("D-2"), headers=clerk).status_code == 201
    response = client.post(
        "/api/v1/reconciliations", json={"date": "2026-11-20"}, headers=bearer(tokens["finance"])
    )
    assert response.status_code == 200, response.text
    assert response.json()["date"] == "2026-11-20"
