"""The audit log."""

from __future__ import annotations

import click

from feecollect.audit import sealing
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
    """Recompute the SHA-256 chain and its checkpoints; exit 1 naming the first bad entry."""
    settings = load_settings()
    key = sealing.checkpoint_key(settings.secret_key.get_secret_value())
    with unit_of_work(open_database(settings)) as session:
        report = sealing.verify(session, key)
    if not report.ok:
        raise click.ClickException(
            f"audit chain broken at entry {report.first_bad_seq}: {report.reason} "
            f"({report.checked} entries before it verify)"
        )
    pending = f"; {report.pending} appended entries await the sealer" if report.pending else ""
    click.echo(f"audit chain verifies: {report.checked} entries, {report.checkpoints} checkpoints{pending}")


@audit_group.command("seal")
def audit_seal() -> None:
    """Seal the entries appended since the last run into the chain and checkpoint it (beat does this
    every second in production)."""
    settings = load_settings()
    key = sealing.checkpoint_key(settings.secret_key.get_secret_value())
    with unit_of_work(open_database(settings)) as session:
        report = sealing.seal(session, key)
    click.echo(
        f"sealed {report.sealed} entries"
        + (f", checkpoint at {report.checkpoint_seq}" if report.checkpoint_seq else "")
    )
