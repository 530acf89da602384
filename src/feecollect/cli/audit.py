"""The audit log."""

from __future__ import annotations

import click

from feecollect.audit import service as audit
from feecollect.cli.common import (
    load_settings,
    main,
    open_database,
)
from feecollect.db.engine import unit_of_work


@main.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Recompute the SHA-256 chain; exit 1 naming the first bad entry."""
    with unit_of_work(open_database(load_settings())) as session:
        report = audit.verify(session)
    if not report.ok:
        raise click.ClickException(
            f"audit chain broken at entry {report.first_bad_seq}: {report.reason} "
            f"({report.checked} entries before it verify)"
        )
    click.echo(f"audit chain verifies: {report.checked} entries")
