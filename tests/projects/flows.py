"""Steps of a project's life shared by the settlement and ledger tests."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from tests.conftest import bearer
from tests.helpers import PROJECT_PARAMS, project_body

# Some farmland and forest too, so that every department of a residential project has a fee.
DECLARED = PROJECT_PARAMS | {"farmland_m2": "500", "forest_land_m2": "800"}


def paid_project(client, tokens, bank, project_no: str = "P-S-1", **changes):  # type: ignore[no-untyped-def]
    clerk = bearer(tokens["clerk"])
    declared = project_body(project_no, params=DECLARED, **changes)
    assert client.post("/api/v1/projects", json=declared, headers=clerk).status_code == 201
    notice = client.post(f"/api/v1/projects/{project_no}/bundle", headers=clerk).json()
    paid = bank.pay(f"TXN-{project_no}", notice["payment_code"], notice["amount"], datetime.now(UTC))
    assert paid.status_code == 200, paid.text
    return notice


def settle(client, tokens, project_no: str, *, approve_refund: bool = True, **params: str):  # type: ignore[no-untyped-def]
    """Finance settles; a refund order it makes is approved by the second finance user, as four eyes
    require before the bank sees it (``approve_refund=False`` leaves it proposed)."""
    body = {"params": DECLARED | params}
    settled = client.post(
        f"/api/v1/projects/{project_no}/settlement", json=body, headers=bearer(tokens["finance"])
    )
    order = settled.json().get("refund_order") if settled.status_code == 201 else None
    if order and approve_refund:
        waiting = client.get("/api/v1/proposals?status=proposed", headers=bearer(tokens["finance"])).json()
        (proposal,) = [
            p for p in waiting if p["action"] == "approve_refund" and p["object"] == order["refund_id"]
        ]
        approved = client.post(
            f"/api/v1/proposals/{proposal['id']}/approve", headers=bearer(tokens["finance_2"])
        )
        assert approved.status_code == 200, approved.text
    return settled


def balances(client, tokens) -> dict[str, Decimal]:  # type: ignore[no-untyped-def]
    accounts = client.get("/api/v1/ledger/balances", headers=bearer(tokens["auditor"])).json()["accounts"]
    return {a["account"]: Decimal(a["balance"]) for a in accounts}


def revenue_by_department(balances: dict[str, Decimal]) -> dict[str, Decimal]:
    return {a.removeprefix("revenue:"): -v for a, v in balances.items() if a.startswith("revenue:") and v}


def allocations(settlement: dict) -> dict[str, Decimal]:  # type: ignore[type-arg]
    return {a["department"]: Decimal(a["amount"]) for a in settlement["allocations"] if Decimal(a["amount"])}
