"""Settlement at completion (SPEC §8): recompute on the actual parameters, top up or refund the
difference, then split the final amounts to each department's revenue."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.conftest import bearer, row_counts
from tests.helpers import approve_as_second_finance_user, project_body
from tests.projects.flows import DECLARED, allocations, balances, paid_project, revenue_by_department, settle


def test_a_larger_area_is_topped_up_and_split_once_the_top_up_is_paid(client, tokens, bank, cli):
    bundle = paid_project(client, tokens, bank)
    settled = settle(client, tokens, "P-S-1", floor_area_m2="15000.50")
    assert settled.status_code == 201, settled.text
    body = settled.json()
    top_up = body["top_up_notice"]
    assert body["refund_order"] is None and body["status"] == "pending"
    assert Decimal(body["final_amount"]) - Decimal(bundle["amount"]) == Decimal(body["difference"]) > 0
    assert Decimal(top_up["amount"]) == Decimal(body["difference"])
    grown = {fee["item"] for fee in body["fees"] if Decimal(fee["top_up"])}
    assert {line["item"] for line in top_up["lines"]} == grown and "JS-PT-001" in grown
    infrastructure = next(line for line in top_up["lines"] if line["item"] == "JS-PT-001")
    assert Decimal(infrastructure["amount"]) == Decimal("3000") * Decimal("115.00")  # 3,000 m² more
    assert "precollected" in balances(client, tokens)  # nothing is split while the top-up is unpaid
    assert balances(client, tokens)["precollected"] == -Decimal(bundle["amount"])

    paid = bank.pay("TXN-TOPUP-1", top_up["payment_code"], top_up["amount"], datetime.now(UTC))
    assert paid.status_code == 200, paid.text
    after_top_up = balances(client, tokens)
    assert after_top_up["precollected"] == 0
    assert after_top_up["special"] == Decimal(body["final_amount"])
    assert revenue_by_department(after_top_up) == allocations(body)
    assert len(allocations(body)) >= 7  # departments
    assert cli("ledger", "check").exit_code == 0
    shown = client.get(f"/api/v1/notices/{top_up['payment_code']}", headers=bearer(tokens["clerk"])).json()
    assert shown["status"] == "paid" and shown["bill"] is not None


def test_a_smaller_area_is_refunded_by_the_bank_then_rebilled_and_split(client, tokens, bank, cli):
    bundle = paid_project(client, tokens, bank)
    settled = settle(client, tokens, "P-S-1", floor_area_m2="10000.50")
    assert settled.status_code == 201, settled.text
    body = settled.json()
    order = body["refund_order"]
    assert body["top_up_notice"] is None and body["status"] == "pending"
    assert Decimal(order["amount"]) == -Decimal(body["difference"]) > 0
    # Proposed by the settling user when the answer was made; the helper's second user approved it since.
    assert order["status"] == "proposed" and order["original_bank_txn_id"] == "TXN-P-S-1"
    assert Decimal(bundle["amount"]) - Decimal(order["amount"]) == Decimal(body["final_amount"])
    waiting = bank.refunds("approved").json()["items"]
    assert [o["refund_id"] for o in waiting] == [order["refund_id"]]

    before = row_counts(client)
    too_much = Decimal(bundle["amount"]) + 1
    refused = bank.confirm_refund(order["refund_id"], "RTXN-1", f"{too_much:.2f}", datetime.now(UTC))
    assert refused.status_code == 422 and refused.json()["error"] == "amount_mismatch"
    unknown = bank.confirm_refund("RF0000", "RTXN-1", order["amount"], datetime.now(UTC))
    assert unknown.status_code == 422 and unknown.json()["error"] == "unknown_refund"
    assert row_counts(client) == before

    at = datetime.now(UTC)
    confirmed = bank.confirm_refund(order["refund_id"], "RTXN-1", order["amount"], at)
    assert confirmed.status_code == 200 and confirmed.json()["result"] == "accepted", confirmed.text
    after = row_counts(client)
    replay = bank.confirm_refund(order["refund_id"], "RTXN-1", order["amount"], at)
    assert replay.status_code == 200 and replay.json()["result"] == "duplicate"
    other_body = bank.confirm_refund(
        order["refund_id"], "RTXN-1", order["amount"], datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert other_body.status_code == 409
    second_txn = bank.confirm_refund(order["refund_id"], "RTXN-2", order["amount"], at)
    assert second_txn.status_code == 422 and second_txn.json()["error"] == "refund_not_confirmable"
    assert {k: v for k, v in row_counts(client).items() if k != "bank_nonces"} == {
        k: v for k, v in after.items() if k != "bank_nonces"
    }
    assert bank.refunds("approved").json()["items"] == []

    after_refund = balances(client, tokens)
    assert after_refund["special"] == Decimal(body["final_amount"])  # paid minus refunded
    assert after_refund["precollected"] == after_refund["refunds_payable"] == 0
    assert revenue_by_department(after_refund) == allocations(body)
    assert cli("ledger", "check").exit_code == 0

    # The bundle's bill is reversed in red and re-issued for what the developer finally paid.
    clerk = bearer(tokens["clerk"])
    shown = client.get(f"/api/v1/notices/{bundle['payment_code']}", headers=clerk).json()
    replacement = shown["bill"]
    assert replacement is not None
    query = {"code": replacement["code"], "number": replacement["number"], "check": replacement["check_code"]}
    verified = client.get("/verify", params=query).json()
    assert verified["valid"] and verified["total"] == body["final_amount"]
    original_no = f"{int(replacement['number']) - 2:010d}"  # normal, then reversal, then replacement
    original = client.get(
        f"/api/v1/bills/{replacement['code']}/{original_no}", headers=bearer(tokens["finance"])
    )
    assert original.json()["status"] == "reversed"


def test_settling_twice_before_payment_or_an_unknown_project_is_refused_and_writes_nothing(
    client, tokens, bank
):
    clerk = bearer(tokens["clerk"])
    before = row_counts(client)
    unknown = settle(client, tokens, "P-NONE")
    assert unknown.status_code == 404 and unknown.json()["error"] == "unknown_project"
    assert row_counts(client) == before

    client.post("/api/v1/projects", json=project_body("P-S-2"), headers=clerk)
    client.post("/api/v1/projects/P-S-2/bundle", headers=clerk)
    before = row_counts(client)
    unpaid = settle(client, tokens, "P-S-2")
    assert unpaid.status_code == 409 and unpaid.json()["error"] == "not_paid"
    assert row_counts(client) == before

    paid_project(client, tokens, bank, "P-S-3")
    assert settle(client, tokens, "P-S-3").status_code == 201
    before = row_counts(client)
    twice = settle(client, tokens, "P-S-3", floor_area_m2="1")
    assert twice.status_code == 409 and twice.json()["error"] == "already_settled"
    assert row_counts(client) == before


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"floor_area_m2": "-1"}, "params.floor_area_m2"),
        ({"parking_spaces": "3"}, "params.parking_spaces"),
    ],
)
def test_bad_actual_parameters_are_named(client, tokens, bank, params, field):
    paid_project(client, tokens, bank)
    before = row_counts(client)
    refused = settle(client, tokens, "P-S-1", **params)
    assert refused.status_code == 422, refused.text
    assert field in [p["field"] for p in refused.json()["problems"]]
    assert row_counts(client) == before


def test_a_missing_parameter_is_named(client, tokens, bank):
    paid_project(client, tokens, bank)
    params = {k: v for k, v in DECLARED.items() if k != "land_area_m2"}
    refused = client.post(
        "/api/v1/projects/P-S-1/settlement", json={"params": params}, headers=bearer(tokens["finance"])
    )
    assert refused.status_code == 422 and "params.land_area_m2" in refused.text


def test_an_unchanged_project_is_split_at_once(client, tokens, bank, cli):
    bundle = paid_project(client, tokens, bank)
    body = settle(client, tokens, "P-S-1").json()
    assert body["status"] == "split" and body["difference"] == "0.00"
    assert body["top_up_notice"] is None and body["refund_order"] is None
    assert sum(allocations(body).values()) == Decimal(bundle["amount"])
    assert revenue_by_department(balances(client, tokens)) == allocations(body)
    assert cli("ledger", "check").exit_code == 0


def test_a_refund_after_finance_reversed_the_bundle_bill_by_hand_still_gets_its_replacement(
    client, tokens, bank
):
    bundle = paid_project(client, tokens, bank)
    clerk, finance = bearer(tokens["clerk"]), bearer(tokens["finance"])
    bill = client.get(f"/api/v1/notices/{bundle['payment_code']}", headers=clerk).json()["bill"]
    reversed_by_hand = client.post(
        f"/api/v1/bills/{bill['code']}/{bill['number']}/reverse", json={"reason": "开错抬头"}, headers=finance
    )
    approve_as_second_finance_user(client, tokens, reversed_by_hand)
    order = settle(client, tokens, "P-S-1", floor_area_m2="10000.50").json()["refund_order"]
    confirmed = bank.confirm_refund(order["refund_id"], "RTXN-H", order["amount"], datetime.now(UTC))
    assert confirmed.status_code == 200, confirmed.text
    replacement = client.get(f"/api/v1/notices/{bundle['payment_code']}", headers=clerk).json()["bill"]
    assert replacement is not None and replacement["number"] != bill["number"]
    shown = client.get(f"/api/v1/bills/{replacement['code']}/{replacement['number']}", headers=finance).json()
    assert shown["kind"] == "replacement"


def test_a_fee_that_grew_and_one_that_shrank_get_a_top_up_and_a_refund_and_split_after_both(
    client, tokens, bank, cli
):
    paid_project(client, tokens, bank)
    body = settle(client, tokens, "P-S-1", floor_area_m2="12100.50", road_excavation_m2="50").json()
    top_up, order = body["top_up_notice"], body["refund_order"]
    assert top_up is not None and order is not None
    assert [line["item"] for line in order["fees"]] == ["JS-CG-001"]
    assert Decimal(order["amount"]) == Decimal("100") * Decimal("280.00")  # 100 m² less road at 280
    assert Decimal(top_up["amount"]) - Decimal(order["amount"]) == Decimal(body["difference"])

    assert bank.pay("TXN-TU", top_up["payment_code"], top_up["amount"], datetime.now(UTC)).status_code == 200
    assert "revenue:ZJJ" not in balances(client, tokens)  # the refund is still out: no split yet
    confirmed = bank.confirm_refund(order["refund_id"], "RTXN-M", order["amount"], datetime.now(UTC))
    assert confirmed.status_code == 200, confirmed.text
    after = balances(client, tokens)
    assert after["precollected"] == 0 and revenue_by_department(after) == allocations(body)
    assert cli("ledger", "check").exit_code == 0


def test_a_refund_order_reaches_the_bank_only_once_a_second_finance_user_approved_it(
    client, tokens, bank, cli
):
    paid_project(client, tokens, bank)
    settled = settle(client, tokens, "P-S-1", approve_refund=False, floor_area_m2="10000.50").json()
    order = settled["refund_order"]
    assert bank.refunds().json()["items"] == [] and bank.refunds(None).json()["items"] == []
    before = row_counts(client)
    early = bank.confirm_refund(order["refund_id"], "RTXN-E", order["amount"], datetime.now(UTC))
    assert early.status_code == 422 and early.json()["error"] == "refund_not_confirmable"
    (proposal,) = [
        p
        for p in client.get("/api/v1/proposals?status=proposed", headers=bearer(tokens["auditor"])).json()
        if p["action"] == "approve_refund"
    ]
    own = client.post(f"/api/v1/proposals/{proposal['id']}/approve", headers=bearer(tokens["finance"]))
    assert own.status_code == 403 and own.json()["error"] == "same_person"
    assert row_counts(client) == before, "nothing moved: no refunds payable, no bank listing"
    approved = client.post(f"/api/v1/proposals/{proposal['id']}/approve", headers=bearer(tokens["finance_2"]))
    assert approved.status_code == 200
    assert [o["refund_id"] for o in bank.refunds().json()["items"]] == [order["refund_id"]]
    assert cli("ledger", "check").exit_code == 0 and cli("audit", "verify").exit_code == 0
    listed = client.get("/api/v1/refunds", headers=bearer(tokens["auditor"])).json()["items"]
    assert (listed[0]["status"], listed[0]["approved_by"]) == ("approved", "finance_2")
    assert (
        bank.confirm_refund(order["refund_id"], "RTXN-E", order["amount"], datetime.now(UTC)).status_code
        == 200
    )
