"""Statement files on their own (SPEC §14): check one without writing anything, or store it without
reconciling."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from feecollect.cli.common import cli_operator, echo_json, load_settings, main, open_database
from feecollect.db.engine import unit_of_work

if TYPE_CHECKING:
    from feecollect.reconcile.statements import StatementError

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@main.group("statements")
def statements_group() -> None:
    """Bank statement files: check (writes nothing) or import (stores, does not reconcile)."""


def _refuse(exc: StatementError, as_json: bool) -> None:
    """Exit 1 with the refusal: the JSON object alone on stdout, or one line for a person."""
    detail = f"对账单文件无法读取：{exc}"
    if as_json:
        refusal = {"error": exc.code, "detail": detail, "line": exc.line, "field": exc.field}
        click.echo(json.dumps(refusal, ensure_ascii=False))
    else:
        click.echo(f"错误：{detail}", err=True)
    sys.exit(1)


@statements_group.command("check")
@click.argument("file", type=FILE)
@click.option("--account", help="the account the file belongs to, where it names none (or overriding it)")
@click.option("--json", "as_json", is_flag=True)
def statements_check(file: Path, account: str | None, as_json: bool) -> None:
    """Read and validate a statement file; nothing is written."""
    from feecollect.reconcile.statements import StatementError, read_statements
    from feecollect.reconcile.statements.checking import report

    try:
        zone = load_settings().zone
        found = report(file.name, read_statements(file.name, file.read_bytes(), zone), account)
    except StatementError as exc:
        _refuse(exc, as_json)
        return
    if as_json:
        echo_json(found)
        return
    click.echo(f"{found['file']}：格式 {found['format']}，{len(found['statements'])} 份对账单")
    for number, statement in enumerate(found["statements"], 1):
        balanced = {True: "余额相符", False: "余额不符", None: "未列余额"}[statement["balanced"]]
        click.echo(
            f"  {number}. 账户 {statement['account'] or '（文件未写明）'}，{statement['first_day']} 至 "
            f"{statement['last_day']}，{statement['lines']} 笔：收入 {statement['credits']} 笔 "
            f"{statement['credit_total']} 元，支出 {statement['debits']} 笔 {statement['debit_total']} 元；"
            f"期初 {statement['opening'] or '—'}，期末 {statement['closing'] or '—'}，{balanced}"
        )
    for warning in found["warnings"]:
        click.echo(f"  注意（第 {warning['statement'] + 1} 份）：{warning['message']}")


@statements_group.command("import")
@click.argument("file", type=FILE)
@click.option("--account", help="the account the file belongs to, where it names none (or overriding it)")
@click.option("--json", "as_json", is_flag=True)
def statements_import(file: Path, account: str | None, as_json: bool) -> None:
    """Store a statement file's lines, every statement to its own registered account; no reconciliation."""
    from feecollect.reconcile.importing import import_statements, parse_files

    settings = load_settings()
    parsed = parse_files([(file.name, file.read_bytes())], settings.zone)  # before the database opens
    with unit_of_work(open_database(settings)) as session:
        report = import_statements(session, cli_operator(), parsed, account)
    if as_json:
        echo_json({"statements": [s.as_dict() for s in report.statements]})
        return
    for statement in report.statements:
        click.echo(
            f"{statement.source}：账户 {statement.account_no}，{statement.lines} 笔，"
            f"新增 {statement.new_lines} 笔（{statement.first_date} 至 {statement.last_date}）"
        )
        for warning in statement.warnings:
            click.echo(f"  注意：{warning}")
