"""The public fee page (七公开) states every pricing kind so that a person can redo the charge."""

from __future__ import annotations

import html
import re

import pytest

from feecollect.schedules.loader import load_directory
from tests.conftest import SHIPPED_SCHEDULES


def _row(page: str, code: str) -> list[str]:
    found = re.search(rf'<tr id="{code}">(.*?)</tr>', page, re.S)
    assert found, f"{code} is published"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", " ", cell)).strip() for cell in cells]


@pytest.mark.parametrize(
    ("code", "unit", "lower", "upper"),
    [
        ("XZ-BDC-001", "每件", "80.00 元", "80.00 元"),  # fixed
        ("XZ-CG-001", "平方米·天", "0.70 元/平方米·天", "1.00 元/平方米·天"),  # per unit, a range
        ("XZ-TD-001", "按计费基数（元）的比例", "20%", "20%"),  # percent
    ],
)
def test_fixed_per_unit_and_percent_items(client, code, unit, lower, upper):
    cells = _row(client.get("/fees").text, code)
    assert cells[2:5] == [unit, lower, upper]


def test_a_tiered_item_states_every_bracket(client):
    cells = _row(client.get("/fees").text, "XZ-SC-001")
    assert cells[2] == "按金额分档累进"
    assert cells[3] == (
        "不超过 10,000,000 元的部分按 0.08%；10,000,000–100,000,000 元的部分按 0.04%；"
        "超过 100,000,000 元的部分不收"
    )


def test_shares_and_floors_are_stated_beside_the_basis(client):
    page = client.get("/fees").text
    assert "计费数量为申报数量的 4%" in " ".join(_row(page, "JS-RF-001"))
    assert "最低收费 300.00 元" in " ".join(_row(page, "JS-FL-001"))


def test_no_published_standard_is_empty_or_shows_field_codes(client):
    page = client.get("/fees").text
    for item in load_directory(SHIPPED_SCHEDULES):
        cells = _row(page, item.code)
        assert cells[3] and cells[4], f"{item.code}: its standard is stated"
        assert not re.search(r"[a-z]+_[a-z]+", " ".join(cells[2:5])), f"{item.code}: no field codes"
    assert "（ZRZY）" not in page, "departments by name"
