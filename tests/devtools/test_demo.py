"""`make demo` builds a whole day: cases of several departments, bank payments and their bills, a
construction project paid, billed and settled, and the day's reconciliation with a few exceptions."""

from __future__ import annotations

from openpyxl import load_workbook


def test_demo_runs_the_daily_reconciliation_and_a_second_run_finds_the_same(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = cli("demo", "--no-serve")
    assert first.exit_code == 0, first.output
    line = next(text for text in first.output.splitlines() if " 对账：" in text)
    assert "到账 4 笔已匹配；异常：未明款项 1，金额不符 1，到账未回调 1" in line
    assert first.output.count("财政电子票据 4303") == 3 and "/verify?code=" in first.output
    assert "项目 XM-2026-001：已决算（已决算分割）" in first.output
    again = cli("demo", "--no-serve")
    assert again.exit_code == 0, again.output
    assert line in again.output.splitlines()
    report = next(text for text in again.output.splitlines() if "对账报告：" in text).split("对账报告：")[1]
    workbook = load_workbook(tmp_path / report)
    assert workbook["汇总"]["C2"].value == 1  # one unidentified credit, in the first class row
