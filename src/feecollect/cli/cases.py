"""Cases and their payment notices."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from feecollect.cases import service as cases
from feecollect.cases.importing import locate, parse_import
from feecollect.cli.common import (
    cli_operator,
    echo_json,
    load_settings,
    main,
    open_database,
    parse_date,
)
from feecollect.db.engine import unit_of_work
from feecollect.notices import service as notices
from feecollect.schedules.service import current_catalogue


@main.group("cases")
def cases_group() -> None:
    """Cases (办件)."""


@cases_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def cases_import(file: Path, as_json: bool) -> None:
    """Import cases from the approval system's CSV or XLSX export (all or nothing; re-import is a no-op)."""
    settings = load_settings()
    parsed = parse_import(file.name, file.read_bytes())
    with unit_of_work(open_database(settings)) as session:
        catalogue = current_catalogue(session)
        report = cases.import_cases(
            session,
            catalogue,
            cli_operator(),
            parsed.cases,
            lambda case_no, field: locate(parsed, case_no, field),
            file.name,
        )
    if as_json:
        echo_json({"created": report.created, "unchanged": report.unchanged})
    else:
        click.echo(
            f"{file.name}: {len(report.created)} cases created, {len(report.unchanged)} already registered"
        )


@main.group("notices")
def notices_group() -> None:
    """Payment notices."""


@notices_group.command("expire")
@click.option(
    "--date", "on_text", help="the centre's today (YYYY-MM-DD); default: now in FEECOLLECT_TIMEZONE"
)
def notices_expire(on_text: str | None) -> None:
    """Mark unpaid notices past their due date as expired (what the beat schedule runs daily)."""
    settings = load_settings()
    today = parse_date(on_text, "--date") or datetime.now(settings.zone).date()
    with unit_of_work(open_database(settings)) as session:
        report = notices.expire_overdue(session, today)
    click.echo(
        f"{len(report.expired)} notice(s) expired as of {today}"
        + (": " + ", ".join(report.expired) if report.expired else "")
    )
