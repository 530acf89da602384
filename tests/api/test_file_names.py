"""Downloads are named after their content; nothing in a name can break out of its header."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from feecollect.api.files import disposition


def test_a_chinese_name_travels_as_utf8_with_a_plain_fallback():
    header = disposition("attachment", "对账报告-2026-12-02.xlsx")
    plain, encoded = header.split("; filename*=UTF-8''")
    assert plain == 'attachment; filename="2026-12-02.xlsx"'
    assert unquote(encoded) == "对账报告-2026-12-02.xlsx"


def test_a_plain_name_stays_as_it_is():
    assert (
        disposition("inline", "bill-43030126-0000000001.pdf")
        == 'inline; filename="bill-43030126-0000000001.pdf"'
    )


@pytest.mark.parametrize(
    "name", ['项目台账-X"; evil=1.xlsx', "a\r\nSet-Cookie: x=1.xlsx", "../../etc/passwd"]
)
def test_quotes_line_breaks_and_separators_stay_inside_the_name(name):
    header = disposition("attachment", name)
    assert "\r" not in header and "\n" not in header
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert set(fallback) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
    assert unquote(header.split("filename*=UTF-8''", 1)[1]) == name
