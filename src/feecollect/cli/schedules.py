"""Fee schedules and quotes at the lowest lawful rate."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from feecollect.billing.quote import LineRequest, Payer, QuoteRequest, quote
from feecollect.billing.schemas import QuoteLineOut, QuoteOut
from feecollect.cli.common import (
    echo_json,
    load_settings,
    main,
    open_database,
    parse_date,
    todays_catalogue,
)
from feecollect.db.engine import make_engine, make_sessionmaker, migrate, unit_of_work
from feecollect.money import format_rate, format_yuan
from feecollect.schedules.loader import check_directory
from feecollect.schedules.schemas import ScheduleItemOut
from feecollect.schedules.service import history, load_schedules, to_item
from feecollect.schedules.types import PAYER_KINDS, FeeItem


@main.group()
def schedules() -> None:
    """Fee schedules: the law as data (list, show, check, load)."""


@schedules.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def schedules_check(directory: Path | None) -> None:
    """Validate schedule files; every problem is printed as file:item:field: reason."""
    directory = directory or load_settings().schedules_dir
    items, issues = check_directory(directory)
    for issue in issues:
        click.echo(str(issue), err=True)
    if issues:
        raise click.ClickException(f"{len(issues)} problem(s) in {directory}")
    click.echo(f"{directory}: {len(items)} fee items, no problems")


@schedules.command("load")
def schedules_load() -> None:
    """Load the schedule files into the database: changed items become new versions."""
    settings = load_settings()
    sessions = make_sessionmaker(make_engine(settings.database_url))
    migrate(sessions.kw["bind"])
    with unit_of_work(sessions) as session:
        report = load_schedules(session, settings.schedules_dir)
    click.echo(report.summary())


@schedules.command("list")
@click.option("--department", help="collecting department code")
@click.option("--on", "on_text", help="only items chargeable for a service on this date (YYYY-MM-DD)")
@click.option("--json", "as_json", is_flag=True)
def schedules_list(department: str | None, on_text: str | None, as_json: bool) -> None:
    """List the published fee items (current versions)."""
    on = parse_date(on_text, "--on")
    catalogue = todays_catalogue(load_settings())
    items = catalogue.in_force(on) if on else list(catalogue)
    if department:
        items = [item for item in items if item.department.code == department]
    if as_json:
        echo_json({"items": [ScheduleItemOut.of(item).model_dump(mode="json") for item in items]})
        return
    for item in items:
        click.echo(
            f"{item.code:<12} v{item.version:<3} {item.department.code:<5} {_rate_text(item):<28} "
            f"{_status_text(item):<22} {item.name}"
        )


def _rate_text(item: FeeItem) -> str:
    if item.pricing == "tiered":
        return f"tiered on {item.unit}"
    assert item.rate is not None
    if item.pricing == "percent":
        mark = "%" if item.scale == "percent" else "‰"
        return f"{format_rate(item.rate.min)}–{format_rate(item.rate.max)}{mark} of {item.unit}"
    return f"{format_rate(item.rate.min)}–{format_rate(item.rate.max)} 元/{item.unit}"


def _status_text(item: FeeItem) -> str:
    if item.cancellation:
        return f"cancelled {item.cancellation.on}"
    if item.effective_to:
        return f"{item.effective_from}..{item.effective_to}"
    return f"from {item.effective_from}"


@schedules.command("show")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
def schedules_show(code: str, as_json: bool) -> None:
    """Show every version of one item, superseded ones included."""
    with unit_of_work(open_database(load_settings())) as session:
        rows = list(history(session, code))
    if not rows:
        raise click.ClickException(f"no fee item with code {code!r}")
    if as_json:
        echo_json(
            {
                "code": code,
                "versions": [
                    {
                        "version": r.version,
                        "loaded_at": r.loaded_at.isoformat(),
                        "superseded_at": r.superseded_at.isoformat() if r.superseded_at else None,
                        "source_file": r.source_file,
                        "item": ScheduleItemOut.of(to_item(r)).model_dump(mode="json"),
                    }
                    for r in rows
                ],
            }
        )
        return
    for row in rows:
        item = to_item(row)
        state = f"superseded {row.superseded_at:%Y-%m-%d %H:%M}" if row.superseded_at else "current"
        click.echo(
            f"{item.code} v{item.version} ({state}; loaded {row.loaded_at:%Y-%m-%d %H:%M} "
            f"from {row.source_file})"
        )
        click.echo(f"  {item.name} — {item.department.name} ({item.department.code})")
        click.echo(f"  {item.pricing}: {_rate_text(item)}; {_status_text(item)}")
        click.echo(f"  basis: {item.basis}")
        if item.cancellation:
            click.echo(f"  cancelled on {item.cancellation.on}: {item.cancellation.basis}")
        for relief in item.reliefs:
            click.echo(f"  relief {relief.flag} -{relief.percent}%: {relief.basis}")


@main.command("quote")
@click.argument("lines", nargs=-1, required=True, metavar="ITEM=QTY...")
@click.option("--on", "on_text", help="service date (YYYY-MM-DD); default today in the centre's time zone")
@click.option("--payer-kind", type=click.Choice(PAYER_KINDS), default="enterprise", show_default=True)
@click.option(
    "--payer-flag", "flags", multiple=True, help="declared relief flag, e.g. small_micro_enterprise"
)
@click.option("--json", "as_json", is_flag=True)
def quote_command(
    lines: tuple[str, ...], on_text: str | None, payer_kind: str, flags: tuple[str, ...], as_json: bool
) -> None:
    """Quote fee items at the lowest lawful rate. A fixed-fee item alone means one piece."""
    settings = load_settings()
    on = parse_date(on_text, "--on") or datetime.now(settings.zone).date()
    requests = tuple(_parse_line(text) for text in lines)
    payer = Payer("person" if payer_kind == "person" else "enterprise", frozenset(flags))
    result = quote(todays_catalogue(settings), QuoteRequest(on, payer, requests))
    if as_json:
        out = QuoteOut(
            service_date=on,
            lines=[QuoteLineOut.of(line) for line in result.lines],
            total=format_yuan(result.total_fen),
        )
        echo_json(out.model_dump(mode="json"))
        return
    click.echo(f"Quote for a service on {on} (payer: {payer_kind}{', ' + ', '.join(flags) if flags else ''})")
    for line in result.lines:
        item = line.item
        click.echo(f"{line.number:>3}. {item.code} {item.name} v{item.version} — {item.department.name}")
        click.echo(f"     {line.explain().rsplit('（', 1)[0]}")
        if line.rate is not None:
            click.echo(f"     lowest lawful rate {format_rate(line.rate)} (range {_rate_text(item)})")
        if line.relief:
            click.echo(f"     relief {line.relief.relief.flag}: {line.relief.relief.basis}")
        click.echo(f"     basis: {item.basis}")
        click.echo(f"     amount: {format_yuan(line.amount_fen)}")
    click.echo(f"Total: {format_yuan(result.total_fen)} yuan")


def _parse_line(text: str) -> LineRequest:
    item, sep, quantity = text.partition("=")
    if not item:
        raise click.BadParameter(
            f"{text!r}: write ITEM=QUANTITY, e.g. JS-PT-001=1200.5", param_hint="ITEM=QTY"
        )
    if not sep:
        return LineRequest(item, None)
    try:
        return LineRequest(item, Decimal(quantity))
    except InvalidOperation as exc:
        raise click.BadParameter(f"{text!r}: {quantity!r} is not a number", param_hint="ITEM=QTY") from exc
