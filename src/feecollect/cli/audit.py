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
            f"审计日志链在第 {report.first_bad_seq} 条处断开：{report.reason}"
            f"（此前 {report.checked} 条校验无误）"
        )
    pending = f"；另有 {report.pending} 条新记录待封存入链" if report.pending else ""
    click.echo(f"审计日志链完整：{report.checked} 条记录，{report.checkpoints} 个封存点{pending}")


@audit_group.command("seal")
def audit_seal() -> None:
    """Seal the entries appended since the last run into the chain and checkpoint it (beat does this
    every second in production)."""
    settings = load_settings()
    key = sealing.checkpoint_key(settings.secret_key.get_secret_value())
    with unit_of_work(open_database(settings)) as session:
        report = sealing.seal(session, key)
    click.echo(
        f"已封存 {report.sealed} 条记录"
        + (f"，封存点至第 {report.checkpoint_seq} 条" if report.checkpoint_seq else "")
    )
