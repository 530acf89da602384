"""Electronic fiscal bills: signing keys, verification and the missing-bill sweep."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

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
@click.argument("role", type=click.Choice(["issuer", "supervisor"]))
@click.option(
    "--out", "directory", default=".", show_default=True, type=click.Path(file_okay=False, path_type=Path)
)
def keys_generate(role: str, directory: Path) -> None:
    """Write a new SM2 key for ROLE: bill_ROLE.key (owner-only) and bill_ROLE.pub. Pointing the
    setting at a new key rotates it: bills signed before keep verifying with the old one."""
    from feecollect.einvoices.sm2 import generate_pem

    directory.mkdir(parents=True, exist_ok=True)
    private_path, public_path = directory / f"bill_{role}.key", directory / f"bill_{role}.pub"
    pem, public_pem = generate_pem()
    try:
        descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise click.ClickException(f"{private_path} 已存在：请保留它，或先移走") from exc
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    public_path.write_text(public_pem, encoding="ascii")
    click.echo(
        f"私钥：{private_path}（设置 FEECOLLECT_BILL_{role.upper()}_KEY_FILE={private_path.resolve()}）"
    )
    click.echo(f"公钥：{public_path}")


@main.group("bills")
def bills_group() -> None:
    """Electronic fiscal bills."""


@bills_group.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--keys",
    "keys_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="the JSON of GET /api/v1/bills/keys; default: this service's own register of keys",
)
def bills_verify(file: Path, keys_file: Path | None) -> None:
    """Verify a bill offline (its XML, or the PDF or OFD that carries it): exit 1 if any byte of its
    content or a signature changed."""
    from feecollect.einvoices import signing
    from feecollect.einvoices.keys import private_key
    from feecollect.einvoices.xml import BillXmlError, bill_xml_of, from_xml, signed_content

    try:
        content, region, signatures = from_xml(bill_xml_of(file.read_bytes()))
    except BillXmlError as exc:
        raise click.ClickException(f"{file.name}: {exc}") from exc
    settings = load_settings()
    keys = _keys(keys_file) if keys_file else _registered_keys(settings)
    main_part = content.get("Main", {})
    label = f"{main_part.get('EInvoiceCode', '?')}/{main_part.get('EInvoiceNumber', '?')}"
    by_role = {signature.role: signature for signature in signatures}
    issuer = by_role.get("issuer")
    if issuer is not None and issuer.algorithm == signing.LEGACY_ALGORITHM:
        from feecollect.einvoices.keys import load_public

        legacy = keys.get("ed25519")
        key = load_public(legacy.encode()) if legacy else private_key(settings).public_key()
        problems = [] if signing.verify(key, content, issuer.value) else ["开票单位签名"]
    else:
        problems = _sm2_problems(signed_content(content, region), by_role, keys)
    if problems:
        raise click.ClickException(
            f"{file.name}：票据 {label} 验证未通过：{'、'.join(problems)}无效，内容或签名已被改动"
        )
    state = (
        ""
        if "supervisor" in by_role or (issuer and issuer.algorithm == signing.LEGACY_ALGORITHM)
        else "（待监制）"
    )
    click.echo(
        f"{file.name}：票据 {label} 验证通过{state}（校验码 {main_part.get('RandomNumber')}，"
        f"金额 {main_part.get('TotalAmount')} 元）"
    )


def _sm2_problems(signed: bytes, by_role: dict[str, Any], keys: dict[str, str]) -> list[str]:
    from feecollect.einvoices.verification import signature_holds, supervised_bytes

    problems = []
    issuer = by_role.get("issuer")
    for role, name, data in (
        ("issuer", "开票单位签名", signed),
        ("supervisor", "财政监制签名", supervised_bytes(signed, issuer.value if issuer else "")),
    ):
        written = by_role.get(role)
        if written is None:
            if role == "issuer":
                problems.append(name)
            continue
        if not signature_holds(keys, written.key_id, data, written.value):
            problems.append(name)
    return problems


def _keys(path: Path) -> dict[str, str]:
    try:
        listed = json.loads(path.read_text(encoding="utf-8"))["keys"]
        return {key["key_id"]: key["public_key_pem"] for key in listed}
    except (ValueError, KeyError, TypeError) as exc:
        raise click.ClickException(f"{path.name}: not the JSON of GET /api/v1/bills/keys ({exc})") from exc


def _registered_keys(settings: Any) -> dict[str, str]:
    from feecollect.db.engine import unit_of_work
    from feecollect.einvoices.service import public_keys

    with unit_of_work(open_database(settings)) as session:
        return {key["key_id"]: key["public_key_pem"] for key in public_keys(session, settings)}


@bills_group.command("issue-missing")
def bills_issue_missing() -> None:
    """Issue the bill of every payment that has none yet (what beat runs every five minutes)."""
    open_database(load_settings())
    from feecollect.tasks import issue_missing_bills

    issued = issue_missing_bills()
    click.echo(f"{len(issued)} bill(s) issued" + (": " + ", ".join(issued) if issued else ""))
