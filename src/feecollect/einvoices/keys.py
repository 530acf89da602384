"""The Ed25519 key of the bills issued before SM2 signatures: they keep verifying against it. A PEM file
where one was configured; derived from FEECOLLECT_SECRET_KEY elsewhere. Nothing is signed with it now."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from feecollect.errors import ConfigurationError
from feecollect.settings import Settings


@lru_cache(maxsize=8)
def _load(path: str | None, secret: str) -> Ed25519PrivateKey:
    if path is None:
        seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"feecollect bill signing key v1")
        return Ed25519PrivateKey.from_private_bytes(seed.derive(secret.encode()))
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise ConfigurationError(
            f"FEECOLLECT_BILL_SIGNING_KEY_FILE {path}: cannot read an Ed25519 key ({exc})"
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"FEECOLLECT_BILL_SIGNING_KEY_FILE {path}: not an Ed25519 private key")
    return key


def private_key(settings: Settings) -> Ed25519PrivateKey:
    path = str(settings.bill_signing_key_file) if settings.bill_signing_key_file else None
    return _load(path, settings.secret_key.get_secret_value())


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def load_public(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key
