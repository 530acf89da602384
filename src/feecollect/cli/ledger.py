"""The double-entry ledger: balances, invariants, remittance to the treasury."""

from __future__ import annotations

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
from feecollect.money import format_yuan
from feecollect.schedules.service import current_catalogue


@main.group("ledger")
def ledger_group() -> None:
    """The double-entry ledger."""


@ledger_group.command("balance")
@click.option("--json", "as_json", is_flag=True)
def ledger_balance(as_json: bool) -> None:
    """Balance of every account (debit − credit, in yuan)."""
    from feecollect.ledger import accounts
    from feecollect.ledger import service as ledger

    with unit_of_work(open_database(load_settings())) as session:
        names = current_catalogue(session).department_names()
        rows = ledger.balances(session)
    if as_json:
        echo_json(
            {
                "accounts": [
                    {
                        "account": b.account,
                        "name": accounts.display_name(b.account, names),
                        "debit": format_yuan(b.debit_fen),
                        "credit": format_yuan(b.credit_fen),
                        "balance": format_yuan(b.balance_fen),
                    }
                    for b in rows
                ]
            }
        )
        return
    for b in rows:
        click.echo(
            f"{b.account:<20} {accounts.display_name(b.account, names):<16} {format_yuan(b.balance_fen):>16}"
        )


@ledger_group.command("check")
def ledger_check() -> None:
    """Check the invariants of SPEC §12 (2, 3); exit 1 listing every violation."""
    from feecollect import invariants

    with unit_of_work(open_database(load_settings())) as session:
        found = invariants.problems(session)
    for problem in found:
        click.echo(problem, err=True)
    if found:
        raise click.ClickException(f"{len(found)} ledger invariant(s) violated")
    click.echo("ledger invariants hold")


@ledger_group.command("remit")
@click.option("--date", "on_text", required=True, help="remit revenue of business dates up to this date")
@click.option("--json", "as_json", is_flag=True)
def ledger_remit(on_text: str, as_json: bool) -> None:
    """Move each department's revenue from the special account to the treasury (国库)."""
    from feecollect.ledger import remittance

    on = parse_date(on_text, "--date")
    assert on is not None
    with unit_of_work(open_database(load_settings())) as session:
        moved = remittance.remit(session, cli_operator(), on)
        positions = remittance.positions(session)
    if as_json:
        echo_json(
            {
                "date": on.isoformat(),
                "remitted": [{"department": d, "amount": format_yuan(fen)} for d, fen in moved],
                "departments": [
                    {
                        "department": p.department,
                        "revenue": format_yuan(p.revenue_fen),
                        "remitted": format_yuan(p.remitted_fen),
                        "held": format_yuan(p.held_fen),
                    }
                    for p in positions
                ],
            }
        )
        return
    for department, fen in moved:
        click.echo(f"remitted {department:<8} {format_yuan(fen):>16}")
    if not moved:
        click.echo(f"nothing to remit up to {on}")
    for p in positions:
        click.echo(
            f"{p.department:<8} remitted {format_yuan(p.remitted_fen):>16}  "
            f"held {format_yuan(p.held_fen):>16}"
        )
