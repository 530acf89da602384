"""The signers of the two roles, from the settings: a key file each, or in development and tests a key
derived from the service's secret; the supervisor may instead be the finance bureau's own service,
named by ``FEECOLLECT_BILL_SUPERVISOR_SIGNER`` ("module:function", called with the settings and
returning a :class:`~feecollect.einvoices.sm2.Signer`)."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

from feecollect.einvoices import repository, sm2
from feecollect.einvoices.models import SigningKey
from feecollect.errors import ConfigurationError
from feecollect.settings import Settings


@lru_cache(maxsize=16)
def _local(role: str, path: str | None, secret: str) -> sm2.LocalSigner:
    if path is None:
        return sm2.LocalSigner(role, sm2.derived_private_key(secret, role))
    try:
        return sm2.LocalSigner(role, sm2.load_private_key(Path(path)))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"FEECOLLECT_BILL_{role.upper()}_KEY_FILE {path}: {exc}") from exc


def issuer(settings: Settings) -> sm2.Signer:
    path = settings.bill_issuer_key_file
    return _local("issuer", str(path) if path else None, settings.secret_key.get_secret_value())


def supervisor(settings: Settings) -> sm2.Signer:
    if settings.bill_supervisor_signer:
        return _external(settings.bill_supervisor_signer, settings)
    path = settings.bill_supervisor_key_file
    return _local("supervisor", str(path) if path else None, settings.secret_key.get_secret_value())


def _external(name: str, settings: Settings) -> sm2.Signer:
    module_name, _, function = name.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), function)
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(f"FEECOLLECT_BILL_SUPERVISOR_SIGNER {name}: {exc}") from exc
    signer: sm2.Signer = factory(settings)
    if signer.role != "supervisor":
        raise ConfigurationError(f"FEECOLLECT_BILL_SUPERVISOR_SIGNER {name}: signs as {signer.role!r}")
    return signer


def register(session: Session, signer: sm2.Signer) -> None:
    """Make sure the signer's public key is listed (GET /api/v1/bills/keys) before it signs."""
    if repository.signing_key(session, signer.key_id) is None:
        repository.register_key(
            session,
            SigningKey(
                key_id=signer.key_id,
                role=signer.role,
                algorithm=sm2.ALGORITHM,
                public_key_pem=signer.public_key_pem,
                valid_from=datetime.now(UTC),
            ),
        )
