"""The clerk's registration form: it opens empty and keeps what was typed when it is refused."""

from __future__ import annotations

import html
import re

from tests.web.conftest import csrf_of, sign_in


def _items_box(page: str) -> str:
    found = re.search(r'<textarea name="items"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, "the form has its items box"
    return html.unescape(found.group(1))


def test_the_items_box_opens_empty(client, passwords):
    sign_in(client, "clerk", passwords["clerk"])
    assert _items_box(client.get("/clerk").text) == ""


def test_a_refused_registration_keeps_the_items_typed(client, passwords):
    sign_in(client, "clerk", passwords["clerk"])
    csrf = csrf_of(client.get("/clerk").text)
    typed = "XZ-BDC-003 2\nNO-SUCH-ITEM 1"
    refused = client.post(
        "/clerk/cases",
        data={
            "csrf_token": csrf,
            "case_no": "F-1",
            "window": "W01",
            "service_date": "2026-12-01",
            "applicant_name": "示范市星河商贸有限公司",
            "id_type": "uscc",
            "id_no": "91110000600037341L",
            "items": typed,
        },
    )
    assert "登记失败" in refused.text and "NO-SUCH-ITEM" in refused.text
    assert _items_box(refused.text) == typed
    assert 'value="示范市星河商贸有限公司"' in refused.text
