from __future__ import annotations

import json
from pathlib import Path

import pytest

from feecollect.settings import get_settings
from tests.conftest import SHIPPED_SCHEDULES


@pytest.fixture
def run(cli):  # type: ignore[no-untyped-def]
    return cli


def test_quote_a_construction_item_gives_min_rate_times_area_with_basis(run):
    result = run("quote", "JS-PT-001=1200.5", "--on", "2026-11-22")
    assert result.exit_code == 0, result.output
    assert "115.00 × 1200.5 = 138057.50" in result.output
    assert "财综函〔2002〕3号" in result.output and "Total: 138057.50 yuan" in result.output


def test_quote_json_matches_the_api_shape(run):
    result = run(
        "quote", "XZ-BDC-002", "--payer-flag", "small_micro_enterprise", "--on", "2026-11-22", "--json"
    )
    body = json.loads(result.output)
    assert body["total"] == "0.00" and body["lines"][0]["relief"]["flag"] == "small_micro_enterprise"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("quote", "JS-QG-001=100"),
            "Error: line 1 (JS-QG-001): JS-QG-001 新型墙体材料专项基金 was cancelled on 2017-04-01",
        ),
        (("quote", "JS-PT-001=lots"), "'lots' is not a number"),
        (("quote", "JS-PT-001=1", "--on", "2026-02-30"), "is not a date"),
        (("quote", "JS-PT-001=1", "--payer-flag", "vip"), "payer flag(s) vip match no relief"),
        (("schedules", "show", "NOPE"), "no fee item with code 'NOPE'"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line_reason(run, args, message):
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.output


def test_schedules_check_reports_file_item_field_and_fails(run, tmp_path: Path):
    text = (SHIPPED_SCHEDULES / "construction.toml").read_text(encoding="utf-8")
    (tmp_path / "construction.toml").write_text(
        text.replace('min = "115.00", max = "150.00"', 'min = "160.00", max = "150.00"').replace(
            'unit = "平方米"\n', "", 1
        ),
        encoding="utf-8",
    )
    result = run("schedules", "check", str(tmp_path))
    assert result.exit_code == 1
    assert "construction.toml:JS-PT-001:rate.min: min 160.00 is above max 150.00" in result.output
    assert "construction.toml:JS-PT-001:unit: missing" in result.output
    assert run("schedules", "check", str(SHIPPED_SCHEDULES)).exit_code == 0


def test_schedules_list_and_show(run):
    listed = run("schedules", "list", "--on", "2026-11-22", "--department", "RFB")
    assert listed.exit_code == 0 and "JS-RF-001" in listed.output and "JS-PT-001" not in listed.output
    shown = run("schedules", "show", "JS-QG-001")
    assert "cancelled on 2017-04-01: 《财政部关于取消、调整部分政府性基金有关政策的通知》" in shown.output
    data = json.loads(run("schedules", "list", "--json").output)
    assert len(data["items"]) == 20


def test_bad_settings_are_one_line(run, monkeypatch):
    monkeypatch.setenv("FEECOLLECT_TIMEZONE", "Mars/Olympus")
    get_settings.cache_clear()
    result = run("quote", "XZ-GA-001")
    assert result.exit_code == 1 and "invalid settings: timezone" in result.output


def test_a_command_that_writes_names_its_operator_never_the_system_account_alone(
    cli, monkeypatch, client, tokens
):
    from tests.conftest import bearer

    monkeypatch.delenv("FEECOLLECT_OPERATOR")
    refused = cli("accounts", "add", "43050162360800000009", "--kind", "special")
    assert refused.exit_code == 2 and "未指明操作人" in refused.output
    assert cli("accounts", "list").exit_code == 0, "reading needs no operator"
    done = cli("--as", "王芳", "accounts", "add", "43050162360800000009", "--kind", "special")
    assert done.exit_code == 0 and "已登记账户 43050162360800000009（财政专户）" in done.output
    entries = client.get("/api/v1/audit", headers=bearer(tokens["auditor"])).json()
    added = next(e for e in entries if e["action"] == "account.added")
    assert added["actor"].startswith("王芳（cli:"), added["actor"]
