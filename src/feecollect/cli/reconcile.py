"""Daily reconciliation: accounts, statements, exceptions and finance reports."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from feecollect.cli.common import (
    cli_operator,
    echo_json,
    load_settings,
    main,
    open_database,
    parse_date,
)
from feecollect.db.engine import unit_of_work
from feecollect.reconcile.wording import chinese_detail
from feecollect.schedules.service import current_catalogue
from feecollect.wording import exception_class_name, status_name

if TYPE_CHECKING:
    from feecollect.settings import Settings


@main.group("accounts")
def accounts_group() -> None:
    """Bank accounts whose statements are reconciled."""


@accounts_group.command("add")
@click.argument("account_no")
@click.option("--kind", required=True, type=click.Choice(["special", "department"]))
@click.option("--department", help="the department that owns a department account")
@click.option("--bank", help="the bank's name, e.g. 中国建设银行示范市分行")
@click.option("--name", "account_name", help="the account's name (户名), printed as payee on notices")
def accounts_add(
    account_no: str, kind: str, department: str | None, bank: str | None, account_name: str | None
) -> None:
    """Register the special account (财政专户) or a department's own account."""
    from feecollect.reconcile.accounts import add_account

    with unit_of_work(open_database(load_settings())) as session:
        known = set(current_catalogue(session).department_names())
        account = add_account(
            session, cli_operator(), account_no, kind, department, bank, known, account_name=account_name
        )
    kind_name = "财政专户" if kind == "special" else f"部门账户 {department or ''}".strip()
    click.echo(f"已登记账户 {account.account_no}（{kind_name}）")


@accounts_group.command("list")
def accounts_list() -> None:
    from feecollect.reconcile.accounts import registered

    with unit_of_work(open_database(load_settings())) as session:
        for account in registered(session):
            click.echo(
                f"{account.account_no:<24} {account.kind:<10} {account.department_code or '-':<6} "
                f"{account.bank_name or ''}"
            )


@main.command("reconcile")
@click.option(
    "--statement",
    "statements",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="a bank statement file (CSV, XLSX, XLS, camt.053, MT940); repeat for several",
)
@click.option("--account", help="the account the statements belong to, where a file does not name it")
@click.option("--date", "on_text", help="the business date to reconcile (default: the statements' last day)")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="write the xlsx report here")
@click.option(
    "--all-accounts",
    is_flag=True,
    help="send one task per account (and division) to the workers and gather their summaries",
)
@click.option("--timeout", default=3600.0, show_default=True, help="seconds to wait for the workers")
@click.option("--json", "as_json", is_flag=True)
def reconcile_command(
    statements: tuple[Path, ...],
    account: str | None,
    on_text: str | None,
    report: Path | None,
    all_accounts: bool,
    timeout: float,
    as_json: bool,
) -> None:
    """Import statements, then reconcile one business date; prints the SPEC §10 summary."""
    from feecollect.reconcile.bulk import cyclic_gc_paused
    from feecollect.reconcile.daily import import_and_reconcile
    from feecollect.reconcile.importing import parse_files
    from feecollect.reconcile.results import day_report

    settings = load_settings()
    day = parse_date(on_text, "--date")
    if all_accounts:
        if statements or day is None:
            raise click.UsageError(
                "--all-accounts 对已导入的对账单按账户分派给工作进程：请只给 --date 日期"
                "（对账单先用 feecollect statements import 导入）"
            )
        _reconcile_across_workers(settings, day, report, timeout, as_json)
        return
    if not statements and day is None:
        raise click.UsageError("give --statement FILE, --date DATE, or both")
    # The collector stays paused for the whole command, not only inside the bulk steps: each time it
    # resumed, its next passes rescanned the millions of objects made while it was paused.
    with (
        cyclic_gc_paused(),
        click.progressbar(length=3, label="对账中", file=sys.stderr) as progress,
    ):
        # Every file is read and checked before the database is opened: a bad one writes nothing.
        parsed = parse_files([(path.name, path.read_bytes()) for path in statements], settings.zone)
        progress.update(1)
        sessions = open_database(settings)
        with unit_of_work(sessions) as session:
            done = import_and_reconcile(
                session,
                settings,
                current_catalogue(session),
                cli_operator(),
                parsed,
                account_no=account,
                day=day,
            )
        progress.update(1)
        if report:
            with unit_of_work(sessions) as session:
                report.write_bytes(day_report(session, done.day))
        progress.update(1)
    day, outcome = done.day, done.outcome
    for statement in done.imported:
        click.echo(
            f"{statement.source}：格式 {statement.format}，账户 {statement.account_no}，"
            f"{statement.lines} 笔，新增 {statement.new_lines} 笔"
            f"（{statement.first_date} 至 {statement.last_date}）",
            err=True,
        )
        for warning in statement.warnings:
            click.echo(f"注意：{warning}", err=True)
    if done.earlier_days:
        click.echo(
            f"注意：对账单自 {done.earlier_days[0]} 起，本次只对账 {day}；"
            "更早的每一天请运行 feecollect reconcile --date 日期",
            err=True,
        )
    _echo_summary(day, outcome.summary, report, as_json)


def _reconcile_across_workers(
    settings: Settings, day: date, report: Path | None, timeout: float, as_json: bool
) -> None:
    from feecollect.reconcile.results import day_report
    from feecollect.tasks import reconcile_across_workers

    sessions = open_database(settings)  # the schema is current before any worker is sent a part
    summary = reconcile_across_workers(settings, day, cli_operator(), timeout)
    if report:
        with unit_of_work(sessions) as session:
            report.write_bytes(day_report(session, day))
    _echo_summary(day, summary, report, as_json)


def _echo_summary(day: date, summary: dict[str, Any], report: Path | None, as_json: bool) -> None:
    if as_json:
        echo_json(summary)
        return
    click.echo(f"{day} 对账：到账 {summary['matched']} 笔已匹配")
    for name, count in summary["exceptions"].items():
        click.echo(f"  {exception_class_name(name)}\t{count} 笔\t（{name}）")
    if report:
        click.echo(f"对账报告：{report}")


@main.group("exceptions")
def exceptions_group() -> None:
    """Reconciliation exceptions."""


@exceptions_group.command("list")
@click.option("--date", "on_text", help="only those found by the run of this date")
@click.option("--class", "exception_class", help="only this class, e.g. unidentified_credit")
@click.option("--status", type=click.Choice(["open", "resolved"]))
@click.option("--json", "as_json", is_flag=True)
def exceptions_list(
    on_text: str | None, exception_class: str | None, status: str | None, as_json: bool
) -> None:
    from feecollect.reconcile import results
    from feecollect.reconcile.schemas import ExceptionOut

    with unit_of_work(open_database(load_settings())) as session:
        _, found = results.exceptions(
            session, day=parse_date(on_text, "--date"), exception_class=exception_class, status=status
        )
        rows = [ExceptionOut.of(e) for e in found]
    if as_json:
        echo_json({"exceptions": [r.model_dump(mode="json") for r in rows]})
        return
    for row in rows:
        national = row.national_code or ""
        click.echo(
            f"{row.id:>7} {exception_class_name(row.exception_class)}\t{national:<5} {row.amount:>14} 元 "
            f"{status_name(row.status)}\t{chinese_detail(row.exception_class, row.evidence)}"
        )


@exceptions_group.command("resolve")
@click.argument("exception_id", type=int)
@click.option("--reason", required=True, help="why the exception is resolved (kept in the audit log)")
def exceptions_resolve(exception_id: int, reason: str) -> None:
    """Propose resolving an exception; a second finance user approves it (feecollect proposals)."""
    from feecollect.reconcile.results import propose_resolution

    with unit_of_work(open_database(load_settings())) as session:
        proposal = propose_resolution(session, cli_operator(), exception_id, reason)
    click.echo(f"已提交审核：第 {proposal.id} 号提议，处理对账异常 {exception_id}，待另一位财务人员审核")


@main.group("reports")
def reports_group() -> None:
    """Finance reports."""


@reports_group.command("overdue")
@click.option("--date", "on_text", help="as of this date (default: today in the centre's time zone)")
@click.option("--department", help="only this department")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def reports_overdue(on_text: str | None, department: str | None, out: Path) -> None:
    """Overdue unpaid notices (办件预警), one sheet per department."""
    from feecollect.reconcile import results
    from feecollect.reconcile.report import overdue_workbook

    settings = load_settings()
    today = parse_date(on_text, "--date") or datetime.now(settings.zone).date()
    with unit_of_work(open_database(settings)) as session:
        catalogue = current_catalogue(session)
        rows = results.overdue_notices(session, today, department)
    names = catalogue.department_names()
    out.write_bytes(overdue_workbook(rows, today, names))
    click.echo(f"{out}：截至 {today} 逾期未缴 {len(rows)} 件")
