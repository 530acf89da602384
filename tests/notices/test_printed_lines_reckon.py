"""The notice and its bill print lines a person can redo: quantity × factor × standard − relief = amount
(SPEC §13 round 2), in the API and on paper."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from pypdf import PdfReader

from tests.conftest import bearer
from tests.helpers import backdate_notice, case_body
from tests.projects.flows import paid_project, settle


def reckons(line: dict) -> bool:  # type: ignore[type-arg]
    gross = (Decimal(line["quantity"]) * Decimal(line["factor"]) * Decimal(line["rate"])).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    relief = Decimal(line["relief"]["amount"]) if line["relief"] else Decimal(0)
    return gross - relief == Decimal(line["amount"])


def test_a_relief_that_zeroes_a_line_says_so_and_the_line_still_reckons(client, tokens, bank):
    clerk = bearer(tokens["clerk"])
    body = case_body("RK-1", flags=["small_micro_enterprise"])
    assert client.post("/api/v1/cases", json=body, headers=clerk).status_code == 201
    notice = client.post("/api/v1/cases/RK-1/notices", headers=clerk).json()
    lines = notice["lines"]
    assert all(line["factor"] == "1" for line in lines) and all(reckons(line) for line in lines)
    relieved = next(line for line in lines if line["relief"])
    assert (relieved["amount"], relieved["relief"]["amount"]) == ("0.00", "550.00")
    assert relieved["relief"]["name"]

    backdate_notice(client, notice["payment_code"], datetime.now(UTC) - timedelta(days=1))
    bank.pay("TXN-RK-1", notice["payment_code"], notice["amount"], datetime.now(UTC))
    bill = client.get(f"/api/v1/notices/{notice['payment_code']}", headers=clerk).json()["bill"]
    content = client.get(f"/api/v1/bills/{bill['code']}/{bill['number']}", headers=clerk).json()["content"]
    item = next(d for d in content["Details"] if d["ItemAmount"] == "0.00")
    assert (item["ItemFactor"], item["ItemRelief"]) == ("1", "550.00")
    pdf = client.get(f"/api/v1/bills/{bill['code']}/{bill['number']}.pdf", headers=clerk).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "减550.00" in "".join(text.split())  # the cell may wrap


def test_a_top_up_notice_charges_the_final_quantity_less_what_was_collected(client, tokens, bank):
    bundle = paid_project(client, tokens, bank)
    top_up = settle(client, tokens, "P-S-1", floor_area_m2="15000.50").json()["top_up_notice"]
    collected = {line["item"]: Decimal(line["amount"]) for line in bundle["lines"]}
    for line in top_up["lines"]:
        assert reckons(line), line
        assert line["relief"]["amount"] == f"{collected[line['item']]:.2f}"  # with no relief of its own
    infrastructure = next(line for line in top_up["lines"] if line["item"] == "JS-PT-001")
    assert infrastructure["quantity"] == "15000.50"
    pdf = client.get(f"/api/v1/notices/{top_up['payment_code']}.pdf", headers=bearer(tokens["clerk"])).content
    text = "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "已预收" in text and "决算补缴" in text


def test_a_replacement_bill_prints_the_final_quantity_of_a_fee_that_shrank(client, tokens, bank):
    bundle = paid_project(client, tokens, bank)
    order = settle(client, tokens, "P-S-1", floor_area_m2="10000.50").json()["refund_order"]
    assert (
        bank.confirm_refund(order["refund_id"], "RTXN-1", order["amount"], datetime.now(UTC)).status_code
        == 200
    )
    clerk = bearer(tokens["clerk"])
    bill = client.get(f"/api/v1/notices/{bundle['payment_code']}", headers=clerk).json()["bill"]
    content = client.get(f"/api/v1/bills/{bill['code']}/{bill['number']}", headers=clerk).json()["content"]
    for item in content["Details"]:
        gross = (
            Decimal(item["ItemQuantity"]) * Decimal(item["ItemFactor"]) * Decimal(item["ItemStd"])
        ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert gross - Decimal(item["ItemRelief"]) == Decimal(item["ItemAmount"]), item
    infrastructure = next(d for d in content["Details"] if d["ItemLocalCode"] == "JS-PT-001")
    assert infrastructure["ItemQuantity"] == "10000.5000"
    assert sum(Decimal(d["ItemAmount"]) for d in content["Details"]) == Decimal(
        content["Main"]["TotalAmount"]
    )


def test_the_notice_names_the_special_account_as_payee(client, tokens, cli):
    clerk = bearer(tokens["clerk"])
    notice = client.post("/api/v1/cases", json=case_body("PAYEE-1"), headers=clerk)
    assert notice.status_code == 201, notice.text
    client.post("/api/v1/cases/PAYEE-1/complete", headers=clerk)
    issued = client.post("/api/v1/cases/PAYEE-1/notices", headers=clerk).json()

    def printed() -> str:
        pdf = client.get(f"/api/v1/notices/{issued['payment_code']}.pdf", headers=clerk).content
        return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())

    assert "收款人全称（财政专户尚未登记）" in printed()
    added = cli(
        "accounts", "add", "6217 0000 1234 5678 901", "--kind", "special",
        "--bank", "中国建设银行示范市分行", "--name", "示范市财政局非税收入财政专户",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    text = printed()
    assert "收款人全称示范市财政局非税收入财政专户" in text
    assert "收款账号6217000012345678901" in text and "开户银行中国建设银行示范市分行" in text
