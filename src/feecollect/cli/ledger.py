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
        raise click.ClickException(f"账簿有 {len(found)} 项不平")
    click.echo("账簿平衡：各项不变式均成立")


@ledger_group.command("remit")
@click.option("--date", "on_text", required=True, help="remit revenue of business dates up to this date")
@click.option("--dry-run", is_flag=True, help="show what would be remitted and write nothing")
@click.option("--yes", is_flag=True, help="remit without asking (for scripts)")
@click.option("--json", "as_json", is_flag=True)
def ledger_remit(on_text: str, dry_run: bool, yes: bool, as_json: bool) -> None:
    """Propose moving each department's revenue from the special account to the treasury (国库); a
    second finance user approves it with `feecollect proposals approve`. Shows the sums and asks
    first, unless --yes; --dry-run only shows them."""
    from feecollect.ledger import remittance

    on = parse_date(on_text, "--date")
    assert on is not None
    operator = cli_operator()
    sessions = open_database(load_settings())
    with sessions() as trial:  # the same computation, rolled back: what a real run would move now
        would_move = remittance.remit(trial, operator, on)
        trial.rollback()
    total = sum(fen for _, fen in would_move)
    real = bool(would_move) and not dry_run
    if real and not yes:
        click.echo(
            "\n".join(f"将划缴 {department:<8} {format_yuan(fen):>16} 元" for department, fen in would_move)
        )
        if not click.confirm(
            f"提议从财政专户向国库划缴 {len(would_move)} 个部门共 {format_yuan(total)} 元"
            "（经另一位财务人员审核后执行），确认？"
        ):
            raise click.ClickException("未提议划缴：未确认")
    with unit_of_work(sessions) as session:
        proposal = remittance.propose_remittance(session, operator, on, would_move) if real else None
        positions = remittance.positions(session)
    if as_json:
        echo_json(
            {
                "date": on.isoformat(),
                "dry_run": dry_run,
                "proposal": proposal.id if proposal else None,
                "to_remit": [{"department": d, "amount": format_yuan(fen)} for d, fen in would_move],
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
    done = "试算（未写入）" if dry_run else "提议划缴"
    for department, fen in would_move:
        click.echo(f"{done} {department:<8} {format_yuan(fen):>16} 元")
    if proposal:
        click.echo(
            f"已提交审核：第 {proposal.id} 号提议，"
            f"待另一位财务人员 feecollect proposals approve {proposal.id}"
        )
    if not would_move:
        click.echo(f"截至 {on} 没有待划缴的收入")
    for p in positions:
        click.echo(
            f"{p.department:<8} 累计划缴 {format_yuan(p.remitted_fen):>16} 元  "
            f"专户留存 {format_yuan(p.held_fen):>16} 元"
        )
