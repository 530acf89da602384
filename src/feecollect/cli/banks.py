"""Agency banks: their keys, and the reference bank client's simulation."""

from __future__ import annotations

import click

from feecollect.cli.common import (
    cli_operator,
    echo_json,
    load_settings,
    main,
    open_database,
)
from feecollect.db.engine import unit_of_work


@main.group("banks")
def banks_group() -> None:
    """Bank integrations and their keys."""


def _print_key(as_json: bool, code: str, key_id: str, secret: str) -> None:
    if as_json:
        echo_json({"bank": code, "key": key_id, "secret": secret})
    else:
        click.echo(
            f"key:    {key_id}\nsecret: {secret}\n(the secret is shown this once; give both to the bank)"
        )


@banks_group.command("add")
@click.argument("code")
@click.option("--name", required=True, help="the bank's name, e.g. 中国建设银行示范市分行")
@click.option(
    "--lookup-required/--no-lookup-required",
    default=True,
    show_default=True,
    help="whether its payment callbacks must echo the confirm code of a lookup",
)
@click.option("--json", "as_json", is_flag=True)
def banks_add(code: str, name: str, lookup_required: bool, as_json: bool) -> None:
    """Register a bank integration and print its key id and secret."""
    from feecollect.bank import service as banks

    settings = load_settings()
    with unit_of_work(open_database(settings)) as session:
        key_id, secret = banks.add_bank(
            session,
            settings.secret_key.get_secret_value(),
            cli_operator(),
            code,
            name,
            lookup_required=lookup_required,
        )
    _print_key(as_json, code, key_id, secret)


@banks_group.command("lookup")
@click.argument("code")
@click.option("--required/--not-required", required=True, help="must its callbacks echo a lookup's code")
def banks_lookup(code: str, required: bool) -> None:
    """Set whether a registered bank must look a notice up before paying it."""
    from feecollect.bank import service as banks

    with unit_of_work(open_database(load_settings())) as session:
        banks.require_lookup(session, cli_operator(), code, required)
    click.echo(f"{code}: {'须先查询缴款书再确认缴款' if required else '可不经查询直接确认缴款'}")


@banks_group.command("rotate")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
def banks_rotate(code: str, as_json: bool) -> None:
    """Add a second key; both are valid until the old one is retired."""
    from feecollect.bank import service as banks

    settings = load_settings()
    with unit_of_work(open_database(settings)) as session:
        key_id, secret = banks.rotate(session, settings.secret_key.get_secret_value(), cli_operator(), code)
    _print_key(as_json, code, key_id, secret)


@banks_group.command("retire")
@click.argument("key_id")
def banks_retire(key_id: str) -> None:
    """Stop accepting a key."""
    from feecollect.bank import service as banks

    with unit_of_work(open_database(load_settings())) as session:
        banks.retire(session, cli_operator(), key_id)
    click.echo(f"{key_id} retired")


@banks_group.command("list")
def banks_list() -> None:
    """Banks and their key ids (never their secrets)."""
    from feecollect.bank import service as banks

    with unit_of_work(open_database(load_settings())) as session:
        for bank, keys in banks.banks_with_keys(session):
            lookup = "须先查询" if bank.lookup_required else "无须查询"
            click.echo(f"{bank.code:<10} {bank.name}  {lookup}")
            for key in keys:
                state = f"retired {key.retired_at:%Y-%m-%d %H:%M}" if key.retired_at else "valid"
                click.echo(f"  {key.key_id}  created {key.created_at:%Y-%m-%d %H:%M}  {state}")


@main.group("bank")
def bank_group() -> None:
    """The reference bank client."""


@bank_group.command("simulate")
@click.option("--payments", "count", default=20, show_default=True, type=click.IntRange(1, 100_000))
@click.option(
    "--duplicates",
    default=0.2,
    show_default=True,
    type=click.FloatRange(0, 10),
    help="replays per payment, on average (0.2: one in five payments is sent twice)",
)
@click.option("--concurrency", default=8, show_default=True, type=click.IntRange(1, 256))
@click.option("--url", default="http://127.0.0.1:8000", show_default=True, help="the running feecollect API")
def bank_simulate(count: int, duplicates: float, concurrency: int, url: str) -> None:
    """Issue COUNT notices as the operator, then pay them over HTTP as a bank would, with replays."""
    import asyncio

    from feecollect.devtools.bank_simulator import prepare, run

    settings = load_settings()
    with unit_of_work(open_database(settings)) as session:
        plan = prepare(session, settings, count, duplicates)
    summary = asyncio.run(run(url, plan, concurrency))
    click.echo(summary.text())
    if not summary.ok(count):
        raise click.ClickException("the bank contract did not hold: see the counts above")
