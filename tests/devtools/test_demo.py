"""`make demo` runs the main job on demo data: notices, a bank payment, a bill and a reconciliation."""

from __future__ import annotations

from openpyxl import load_workbook


def test_demo_runs_the_daily_reconciliation_and_a_second_run_finds_the_same(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = cli("demo", "--no-serve")
    assert first.exit_code == 0, first.output
    line = next(text for text in first.output.splitlines() if "reconciliation of" in text)
    assert "2 statement credits matched; unidentified_credit 1, paid_without_callback 1" in line
    assert "bill 4303" in first.output and "/verify?code=" in first.output
    again = cli("demo", "--no-serve")
    assert again.exit_code == 0, again.output
    assert line in again.output.splitlines()
    report = next(text for text in again.output.splitlines() if "report:" in text).split("report: ")[1]
    workbook = load_workbook(tmp_path / report)
    assert workbook["汇总"]["C2"].value == 1  # one unidentified credit, in the first class row
