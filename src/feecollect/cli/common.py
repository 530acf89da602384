"""What every command group shares: the ``feecollect`` group itself, settings, the database and output."""

from __future__ import annotations

import getpass
import json
from datetime import date
from typing import Any

import click
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from feecollect import subscriptions
from feecollect.audit.service import Actor
from feecollect.db.engine import make_engine, make_sessionmaker, migrate, unit_of_work
from feecollect.errors import ConfigurationError, FeeCollectError
from feecollect.schedules.catalogue import Catalogue
from feecollect.schedules.service import current_catalogue, load_schedules
from feecollect.settings import Settings, get_settings


class CommandGroup(click.Group):
    """Turns the service's typed refusals into click's one-line ``Error: ...`` and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (FeeCollectError, ConfigurationError) as exc:
            raise click.ClickException(str(exc)) from exc
        except ValidationError as exc:  # settings from the environment
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors()
            )
            raise click.ClickException(f"invalid settings: {problems}") from exc


def load_settings() -> Settings:
    return get_settings()


def open_database(settings: Settings) -> sessionmaker[Session]:
    """Migrate and load the schedule files, as the server does on start, then hand out sessions."""
    subscriptions.install()
    sessions = make_sessionmaker(make_engine(settings.database_url))
    migrate(sessions.kw["bind"])
    with unit_of_work(sessions) as session:
        load_schedules(session, settings.schedules_dir)
    return sessions


def cli_operator() -> Actor:
    """Who the audit log names for a command run on the server itself."""
    return Actor(f"cli:{getpass.getuser()}", "operator")


def todays_catalogue(settings: Settings) -> Catalogue:
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
def main() -> None:
    """feecollect: non-tax fee collection and bank reconciliation."""
