"""One-form construction projects: the auditors' ledger and the summary."""

from __future__ import annotations

from pathlib import Path

import click

from feecollect.cli.common import (
    load_settings,
    main,
    open_database,
    parse_date,
)
from feecollect.db.engine import unit_of_work
from feecollect.money import format_yuan
from feecollect.schedules.service import current_catalogue


@main.group("projects")
def projects_group() -> None:
    """One-form construction projects (一表制)."""


@projects_group.command("ledger")
@click.argument("project_no")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def projects_ledger(project_no: str, out: Path) -> None:
    """Write a project's auditors' ledger as xlsx."""
    from feecollect.audit.actors import actor_names
    from feecollect.projects import project_ledger as ledgers
    from feecollect.projects import service as projects
    from feecollect.projects.project_ledger_report import ledger_workbook

    settings = load_settings()
    with unit_of_work(open_database(settings)) as session:
        names = current_catalogue(session).department_names()
        ledger = ledgers.project_ledger(session, projects.get(session, project_no))
        content = ledger_workbook(ledger, names, settings.zone, actor_names(session))
    out.write_bytes(content)
    click.echo(
        f"{out}：{len(ledger.rows)} 条事件；预收 {format_yuan(ledger.collected_fen)} 元，"
        f"退付 {format_yuan(ledger.refunded_fen)} 元，待分割 {format_yuan(ledger.held_fen)} 元，"
        f"已分割 {format_yuan(ledger.settled_fen)} 元"
    )


@projects_group.command("summary")
@click.option("--from", "start_text", required=True, help="first business date")
@click.option("--to", "end_text", required=True, help="last business date")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def projects_summary(start_text: str, end_text: str, out: Path) -> None:
    """Write the cross-project summary by department and month as xlsx."""
    from feecollect.projects.project_ledger_report import summary_workbook
    from feecollect.projects.summary import summary

    settings = load_settings()
    start, end = parse_date(start_text, "--from"), parse_date(end_text, "--to")
    assert start is not None and end is not None
    if end < start:
        raise click.BadParameter(f"{end} is before --from {start}", param_hint="--to")
    with unit_of_work(open_database(settings)) as session:
        names = current_catalogue(session).department_names()
        rows = summary(session, start, end, settings.zone)
    out.write_bytes(summary_workbook(rows, names, start, end))
    click.echo(f"{out}: {len(rows)} department-month row(s) from {start} to {end}")
