"""Users, their passwords and bearer tokens."""

from __future__ import annotations

import click

from feecollect.cases.service import departments_of
from feecollect.cli.common import (
    cli_operator,
    echo_json,
    load_settings,
    main,
    open_database,
)
from feecollect.db.engine import unit_of_work
from feecollect.schedules.service import current_catalogue
from feecollect.users import service as users


@main.group("users")
def users_group() -> None:
    """Users and their bearer tokens."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice([r.value for r in users.Role]))
@click.option("--department", help="the department a clerk works for")
@click.option(
    "--password",
    "ask_password",
    is_flag=True,
    help="ask for a password (twice) to sign in to the web pages; only its Argon2id hash is stored",
)
@click.option("--display-name", help="the name pages and workbooks show for this user's acts, e.g. 王芳")
@click.option("--json", "as_json", is_flag=True)
def users_add(
    name: str, role: str, department: str | None, ask_password: bool, display_name: str | None, as_json: bool
) -> None:
    """Create a user; the token is printed this once and stored only as a hash."""
    password = _ask_password() if ask_password else None
    settings = load_settings()
    with unit_of_work(open_database(settings)) as session:
        known = departments_of(current_catalogue(session))
        _, token = users.add_user(
            session,
            settings.secret_key.get_secret_value(),
            cli_operator(),
            name=name,
            role=role,
            department=department,
            known_departments=known,
            password=password,
            display_name=display_name,
        )
    if as_json:
        echo_json({"name": name, "role": role, "department": department, "token": token})
    else:
        click.echo(token)


def _ask_password() -> str:
    return click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True)


@users_group.command("password")
@click.argument("name")
def users_password(name: str) -> None:
    """Set a user's web sign-in password (asked twice); their open web sessions end."""
    password = _ask_password()
    with unit_of_work(open_database(load_settings())) as session:
        users.set_password(session, cli_operator(), name, password)
    click.echo(f"password set for {name}")


@users_group.command("token")
@click.argument("name")
def users_token(name: str) -> None:
    """Issue a new token for a user; the old one stops working."""
    settings = load_settings()
    with unit_of_work(open_database(settings)) as session:
        token = users.rotate_token(session, settings.secret_key.get_secret_value(), cli_operator(), name)
    click.echo(token)


@users_group.command("rename")
@click.argument("name")
@click.argument("display_name")
def users_rename(name: str, display_name: str) -> None:
    """Set the name pages and workbooks show for a user's acts."""
    settings = load_settings()
    with unit_of_work(open_database(settings)) as session:
        users.rename(session, cli_operator(), name, display_name)
    click.echo(f"{name} 显示为 {display_name}")
