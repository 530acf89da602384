from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from feecollect.schedules.loader import ScheduleErrors, check_directory, load_directory, parse_schedule_text
from tests.conftest import SHIPPED_SCHEDULES

HEADER = """
[family]
code = "sample"
name = "样例"
revenue_classification = "2026年政府收支分类科目（示意）"

[departments.ZJJ]
name = "住房和城乡建设局"
"""

GOOD_ITEM = """
[[items]]
code = "T-001"
name = "测试收费"
department = "ZJJ"
revenue_account = "1030114"
basis = "测试依据（示意）"
enterprise_related = true
pricing = "per_unit"
unit = "平方米"
parameter = "floor_area_m2"
rate = { min = "1.20", max = "2.00" }
effective_from = 2020-01-01
"""


def issues_of(text: str) -> list[str]:
    _, issues = parse_schedule_text(HEADER + text, "sample.toml")
    return [str(issue) for issue in issues]


def test_shipped_schedules_load_without_problems():
    items, issues = check_directory(SHIPPED_SCHEDULES)
    assert issues == []
    admin = [i for i in items if i.family == "administrative" and i.cancellation is None]
    construction = [i for i in items if i.family == "construction" and i.cancellation is None]
    assert len(admin) >= 6 and len({i.department.code for i in admin}) >= 3
    assert any(i.enterprise_related for i in admin)
    assert len(construction) >= 7 and len({i.department.code for i in construction}) >= 7
    assert all(i.pricing in ("per_unit", "tiered", "percent") and i.parameter for i in construction)
    assert [i for i in items if i.cancellation and i.cancellation.basis]
    assert len({r.flag for i in items for r in i.reliefs}) >= 2
    uncited = [i.code for i in items if not ("〔" in i.basis or "令第" in i.basis)]
    assert uncited == [], "every item cites a numbered document"


def test_a_good_item_parses_exactly():
    (item,), issues = parse_schedule_text(HEADER + GOOD_ITEM, "sample.toml")
    assert issues == []
    assert item.rate is not None and item.rate.min == Decimal("1.20") and item.rate.max == Decimal("2.00")
    assert item.effective_from == date(2020, 1, 1)
    assert item.department.name == "住房和城乡建设局"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('rate = { min = "1.20", max = "2.00" }', "rate = { min = 1.2, max = 2.0 }"),
            'sample.toml:T-001:rate.min: write decimals as strings, e.g. "1.2", not as TOML floats',
        ),
        (
            ('rate = { min = "1.20", max = "2.00" }', 'rate = { min = "3", max = "2" }'),
            "sample.toml:T-001:rate.min: min 3 is above max 2",
        ),
        (
            ('pricing = "per_unit"', 'pricing = "per_metre"'),
            "sample.toml:T-001:pricing: 'per_metre' is not one of fixed, per_unit, tiered, percent",
        ),
        (
            ('department = "ZJJ"', 'department = "XXX"'),
            "sample.toml:T-001:department: 'XXX' is not declared in [departments] (declared: ZJJ)",
        ),
        (('basis = "测试依据（示意）"\n', ""), "sample.toml:T-001:basis: missing"),
        (
            ('unit = "平方米"', 'unit = "平方米"\nbasis_note = "typo"'),
            "sample.toml:T-001:basis_note: unknown field",
        ),
        (
            ("effective_from = 2020-01-01", 'effective_from = "2020-13-01"'),
            "sample.toml:T-001:effective_from: '2020-13-01' is not a date (write 2024-01-31)",
        ),
        (
            ("effective_from = 2020-01-01", "effective_from = 2020-01-01\neffective_to = 2019-01-01"),
            "sample.toml:T-001:effective_to: 2019-01-01 is not after effective_from 2020-01-01",
        ),
        (('code = "T-001"', 'code = "t 001"'), "sample.toml:t 001:code: 't 001' does not match"),
        (
            (
                "effective_from = 2020-01-01",
                "effective_from = 2020-01-01\ncancellation = { on = 2021-01-01 }",
            ),
            "sample.toml:T-001:cancellation.basis: missing",
        ),
        (
            ('rate = { min = "1.20", max = "2.00" }', 'rate = { min = "-1", max = "2" }'),
            "sample.toml:T-001:rate.min: -1 is below 0",
        ),
    ],
)
def test_each_broken_field_is_named_by_file_item_and_field(change, expected):
    old, new = change
    assert old in GOOD_ITEM
    issues = issues_of(GOOD_ITEM.replace(old, new))
    assert any(issue.startswith(expected) for issue in issues), issues


def test_relief_and_tier_errors_point_into_the_list():
    text = (
        GOOD_ITEM.replace('pricing = "per_unit"', 'pricing = "tiered"').replace(
            'rate = { min = "1.20", max = "2.00" }',
            'tiers = [{ up_to = "100", min = "1", max = "2" }, { up_to = "50", min = "1", max = "1" }]',
        )
        + """
  [[items.reliefs]]
  flag = "small_micro_enterprise"
  percent = "120"
  basis = "x"
"""
    )
    issues = issues_of(text)
    assert "sample.toml:T-001:tiers[2].up_to: 50 must be above the previous bracket's 100" in issues
    assert "sample.toml:T-001:tiers[2].up_to: the last tier must be open-ended (no up_to)" in issues
    assert (
        "sample.toml:T-001:reliefs[1].percent: 120 is not a reduction between 0 (excluded) and 100" in issues
    )


def test_toml_syntax_error_names_the_file():
    (issue,) = issues_of("[[items]\ncode = ")
    assert issue.startswith("sample.toml:-:-: not valid TOML:")


def test_a_directory_reports_every_problem_and_loads_nothing(tmp_path: Path):
    (tmp_path / "a.toml").write_text(HEADER + GOOD_ITEM, encoding="utf-8")
    (tmp_path / "b.toml").write_text(HEADER + GOOD_ITEM.replace('unit = "平方米"\n', ""), encoding="utf-8")
    (tmp_path / "c.toml").write_text(
        HEADER.replace("住房和城乡建设局", "住建局") + GOOD_ITEM.replace("T-001", "T-002"), encoding="utf-8"
    )
    _, issues = check_directory(tmp_path)
    text = [str(i) for i in issues]
    assert "b.toml:T-001:unit: missing" in text
    assert any(
        t.startswith("c.toml:T-002:department: ZJJ is named '住建局' here but '住房和城乡建设局' in a.toml")
        for t in text
    )
    with pytest.raises(ScheduleErrors) as raised:
        load_directory(tmp_path)
    assert len(raised.value.issues) == len(issues)


def test_overlapping_periods_of_one_code_are_refused(tmp_path: Path):
    later = GOOD_ITEM.replace("effective_from = 2020-01-01", "effective_from = 2021-06-01")
    (tmp_path / "a.toml").write_text(HEADER + GOOD_ITEM + later, encoding="utf-8")
    _, issues = check_directory(tmp_path)
    assert [str(i) for i in issues] == [
        "a.toml:T-001:effective_from: period 2021-06-01.. overlaps 2020-01-01.. in a.toml"
    ]
    bounded = GOOD_ITEM.replace(
        "effective_from = 2020-01-01", "effective_from = 2020-01-01\neffective_to = 2021-06-01"
    )
    (tmp_path / "a.toml").write_text(HEADER + bounded + later, encoding="utf-8")
    items, issues = check_directory(tmp_path)
    assert issues == [] and len(items) == 2


def test_missing_directory_and_unreadable_file(tmp_path: Path):
    assert "is not a directory" in str(check_directory(tmp_path / "nope")[1][0])
    (tmp_path / "gbk.toml").write_bytes("名称".encode("gbk"))
    assert "cannot be read as UTF-8" in str(check_directory(tmp_path)[1][0])


@pytest.mark.parametrize("code", ["1020114", "103", "10301141", "1030114x"])
def test_a_revenue_code_outside_the_non_tax_class_or_its_levels_is_refused(code):
    issues = issues_of(GOOD_ITEM.replace('"1030114"', f'"{code}"'))
    assert any("revenue_account" in issue for issue in issues), issues


def test_a_family_without_the_source_of_its_revenue_codes_is_refused():
    _, issues = parse_schedule_text(
        HEADER.replace('revenue_classification = "2026年政府收支分类科目（示意）"\n', "") + GOOD_ITEM,
        "x.toml",
    )
    assert any("family.revenue_classification" in str(issue) for issue in issues)


def test_every_shipped_item_has_a_non_tax_revenue_code():
    codes = [item.revenue_account for item in load_directory(SHIPPED_SCHEDULES)]
    assert len(codes) == 20 and all(code.startswith("103") for code in codes)
