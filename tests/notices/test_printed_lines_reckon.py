"""The notice and its bill print lines a person can redo: quantity × factor × standard − relief = amount
(SPEC §13 round 2), in the API and on paper."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from pypdf import PdfReader

from tests.conftest import bearer
from tests.helpers import backdate_notice, case_body


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
    assert "减免550.00" in "".join(text.split())  # the cell may wrap
