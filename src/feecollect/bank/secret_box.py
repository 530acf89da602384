"""Encrypting bank secrets at rest (AES-256-GCM under a key derived from FEECOLLECT_SECRET_KEY)."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"feecollect bank secrets v1"


def _key(master: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(master.encode())


def seal(master: str, secret: str, key_id: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(_key(master)).encrypt(nonce, secret.encode(), key_id.encode())


def open_sealed(master: str, sealed: bytes, key_id: str) -> str:
    """Raises ``cryptography.exceptions.InvalidTag`` when the master key changed or the row was altered."""
    return AESGCM(_key(master)).decrypt(sealed[:12], sealed[12:], key_id.encode()).decode()
