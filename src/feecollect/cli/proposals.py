"""Proposals: what one finance user proposed and a second one decides (SPEC §16)."""

from __future__ import annotations

import click

from feecollect.cli.common import cli_operator, echo_json, load_settings, main, open_database
from feecollect.db.engine import unit_of_work
from feecollect.wording import PROPOSAL_ACTIONS as ACTION_NAMES
from feecollect.wording import PROPOSAL_STATUS as STATUS_NAMES


@main.group("proposals")
def proposals_group() -> None:
    """Proposals waiting for a second finance user (four eyes)."""


@proposals_group.command("list")
@click.option("--status", type=click.Choice(["proposed", "approved", "rejected"]), default="proposed")
@click.option("--json", "as_json", is_flag=True)
def proposals_list(status: str, as_json: bool) -> None:
    from feecollect.proposals import service as proposals

    with unit_of_work(open_database(load_settings())) as session:
        found = [proposals.view(p) for p in proposals.listing(session, status)]
    if as_json:
        echo_json({"proposals": found})
        return
    for p in found:
        click.echo(
            f"{p['id']:>6} {ACTION_NAMES.get(p['action'], p['action'])} {p['object']}\t"
            f"{STATUS_NAMES.get(p['status'], p['status'])}\t提议人 {p['proposed_by']}\t{p['reason']}"
        )
    if not found:
        click.echo(f"没有{STATUS_NAMES[status]}的提议")


@proposals_group.command("approve")
@click.argument("proposal_ids", type=int, nargs=-1, required=True)
def proposals_approve(proposal_ids: tuple[int, ...]) -> None:
    """Approve proposals (all or none); the proposer cannot approve their own."""
    from feecollect.proposals import service as proposals

    settings = load_settings()
    with unit_of_work(open_database(settings)) as session:
        done = proposals.approve_many(session, settings, cli_operator(), list(proposal_ids))
    for p in done:
        click.echo(f"已批准第 {p.id} 号提议：{ACTION_NAMES.get(p.action, p.action)} {p.object_id}")


@proposals_group.command("reject")
@click.argument("proposal_id", type=int)
@click.option("--reason", required=True, help="why the proposal is rejected")
def proposals_reject(proposal_id: int, reason: str) -> None:
    from feecollect.proposals import service as proposals

    with unit_of_work(open_database(load_settings())) as session:
        proposals.reject(session, cli_operator(), proposal_id, reason)
    click.echo(f"已驳回第 {proposal_id} 号提议")
