"""What every command group shares: the ``feecollect`` group itself, settings, the database and output."""

from __future__ import annotations

import getpass
import importlib
import json
from datetime import date
from typing import TYPE_CHECKING, Any

import click
from pydantic import ValidationError

from feecollect.errors import ConfigurationError, FeeCollectError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from feecollect.audit.service import Actor
    from feecollect.schedules.catalogue import Catalogue
    from feecollect.settings import Settings

# Each command's module, imported only when the command runs: `feecollect --help` and a command's own
# help load no database layer. The short help is listed from here; a test keeps it equal to the
# command's own.
COMMANDS = {
    "accounts": ("reconcile", "Bank accounts whose statements are reconciled."),
    "audit": ("audit", "The audit log."),
    "bank": ("banks", "The reference bank client."),
    "banks": ("banks", "Bank integrations and their keys."),
    "beat": (
        "server",
        "Run the Celery beat scheduler (exactly one per deployment) against FEECOLLECT_BROKER_URL.",
    ),
    "bills": ("bills", "Electronic fiscal bills."),
    "cases": ("cases", "Cases (办件)."),
    "demo": (
        "server",
        "Prepare the embedded demo (SQLite, shipped schedules, demo users and cases) and serve it.",
    ),
    "exceptions": ("reconcile", "Reconciliation exceptions."),
    "keys": ("bills", "Signing keys for electronic bills."),
    "ledger": ("ledger", "The double-entry ledger."),
    "notices": ("cases", "Payment notices."),
    "projects": ("projects", "One-form construction projects (一表制)."),
    "proposals": ("proposals", "Proposals waiting for a second finance user (four eyes)."),
    "quote": ("schedules", "Quote fee items at the lowest lawful rate."),
    "reconcile": (
        "reconcile",
        "Import statements, then reconcile one business date; prints the SPEC §10 summary.",
    ),
    "reports": ("reconcile", "Finance reports."),
    "schedules": ("schedules", "Fee schedules: the law as data (list, show, check, load)."),
    "serve": ("server", "Migrate the database, load the schedules and serve the API."),
    "statements": (
        "statements",
        "Bank statement files: check (writes nothing) or import (stores, does not reconcile).",
    ),
    "users": ("users", "Users and their bearer tokens."),
    "worker": ("server", "Run a Celery worker against FEECOLLECT_BROKER_URL."),
}


class CommandGroup(click.Group):
    """Loads a command's module when the command is asked for, and turns the service's typed refusals
    into click's one-line ``Error: ...`` and exit status 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(f"feecollect.cli.{COMMANDS[cmd_name][0]}")
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx) if name in COMMANDS]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FeeCollectError as exc:
            from feecollect.wording import REFUSALS

            # The person at the console reads the Chinese; the service's detail stays beside it.
            said = f"{REFUSALS[exc.code]}（{exc.detail}）" if exc.code in REFUSALS else exc.detail
            raise click.ClickException(said) from exc
        except ConfigurationError as exc:
            raise click.ClickException(str(exc)) from exc
        except ValidationError as exc:  # settings from the environment
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors()
            )
            raise click.ClickException(f"invalid settings: {problems}") from exc


def load_settings() -> Settings:
    from feecollect.settings import get_settings

    return get_settings()


def open_database(settings: Settings) -> sessionmaker[Session]:
    """Migrate and load the schedule files, as the server does on start, then hand out sessions."""
    from feecollect import subscriptions
    from feecollect.db.engine import make_engine, make_sessionmaker, migrate, unit_of_work
    from feecollect.schedules.service import load_schedules

    subscriptions.install()
    sessions = make_sessionmaker(make_engine(settings.database_url))
    migrate(sessions.kw["bind"])
    with unit_of_work(sessions) as session:
        load_schedules(session, settings.schedules_dir)
    return sessions


def cli_operator() -> Actor:
    """Who the audit log names for a command run on the server itself: the person ``--as`` (or
    FEECOLLECT_OPERATOR) names, with the system account they ran it from. A shared login such as
    root says nothing about who acted, so without a name nothing is written."""
    from feecollect.audit.service import Actor

    root = click.get_current_context().find_root()
    operator = (root.params.get("operator") or "").strip()
    if not operator:
        raise click.UsageError(
            "未指明操作人：请用 feecollect --as 用户名 …（或设置 FEECOLLECT_OPERATOR），"
            "审计日志记录的是人，不是系统账户"
        )
    if len(operator) > 32:
        raise click.UsageError(f"操作人 {operator[:32]}… 超过 32 个字符")
    return Actor(f"{operator}（cli:{getpass.getuser()[:16]}）", "operator")


def todays_catalogue(settings: Settings) -> Catalogue:
    from feecollect.db.engine import unit_of_work
    from feecollect.schedules.service import current_catalogue

    with unit_of_work(open_database(settings)) as session:
        return current_catalogue(session)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-22", param_hint=option) from exc


@click.group(cls=CommandGroup)
@click.option(
    "--as",
    "operator",
    envvar="FEECOLLECT_OPERATOR",
    metavar="USER",
    help="Who runs this command, as the audit log names them (or FEECOLLECT_OPERATOR).",
)
def main(operator: str | None) -> None:
    """feecollect: non-tax fee collection and bank reconciliation."""
