"""Electronic fiscal bills: signing keys, verification and the missing-bill sweep."""

from __future__ import annotations

from pathlib import Path

import click

from feecollect.cli.common import (
    load_settings,
    main,
    open_database,
)


@main.group("keys")
def keys_group() -> None:
    """Signing keys for electronic bills."""


@keys_group.command("generate")
@click.option(
    "--out", "directory", default=".", show_default=True, type=click.Path(file_okay=False, path_type=Path)
)
def keys_generate(directory: Path) -> None:
    """Write a new Ed25519 pair: bill_signing.key (owner-only) and bill_signing.pub."""
    from feecollect.einvoices.keys import generate

    try:
        private_path, public_path = generate(directory)
    except FileExistsError as exc:
        raise click.ClickException(f"{exc.filename} exists: keep it or move it away first") from exc
    click.echo(f"private key: {private_path} (set FEECOLLECT_BILL_SIGNING_KEY_FILE={private_path.resolve()})")
    click.echo(f"public key:  {public_path}")


@main.group("bills")
def bills_group() -> None:
    """Electronic fiscal bills."""


@bills_group.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--public-key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="PEM public key (GET /api/v1/bills/public-key); default: this service's own key",
)
def bills_verify(file: Path, public_key: Path | None) -> None:
    """Verify a bill's XML offline: exit 1 if any byte of its content or signature changed."""
    from feecollect.einvoices import signing
    from feecollect.einvoices.keys import load_public, private_key
    from feecollect.einvoices.xml import BillXmlError, from_xml

    try:
        content, signature, algorithm = from_xml(file.read_bytes())
    except BillXmlError as exc:
        raise click.ClickException(f"{file.name}: {exc}") from exc
    if algorithm != signing.ALGORITHM:
        raise click.ClickException(
            f"{file.name}: signed with {algorithm}; this tool checks {signing.ALGORITHM}"
        )
    try:
        key = (
            load_public(public_key.read_bytes()) if public_key else private_key(load_settings()).public_key()
        )
    except ValueError as exc:
        raise click.ClickException(f"{public_key}: {exc}") from exc
    main_part = content.get("Main", {}) if isinstance(content, dict) else {}
    label = f"{main_part.get('EInvoiceCode', '?')}/{main_part.get('EInvoiceNumber', '?')}"
    if not signing.verify(key, content, signature):
        raise click.ClickException(
            f"{file.name}: bill {label} does NOT verify: its content or signature was changed"
        )
    click.echo(
        f"{file.name}: bill {label} verifies (check code {main_part.get('RandomNumber')}, "
        f"total {main_part.get('TotalAmount')})"
    )


@bills_group.command("issue-missing")
def bills_issue_missing() -> None:
    """Issue the bill of every payment that has none yet (what beat runs every five minutes)."""
    open_database(load_settings())
    from feecollect.tasks import issue_missing_bills

    issued = issue_missing_bills()
    click.echo(f"{len(issued)} bill(s) issued" + (": " + ", ".join(issued) if issued else ""))
