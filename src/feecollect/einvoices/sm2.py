"""SM2 signatures over SM3 (GB/T 32918, GB/T 35276), the national signature of fiscal bills.

Signing and verifying go through Tongsuo (the ``tongsuopy`` binding): C code with its own random
source for the signature nonce. The user id is the standard's default, so that OpenSSL 3 verifies with
``-digest sm3 -pkeyopt distid:1234567812345678``. Signatures are DER (``SEQUENCE {r, s}``), as
OpenSSL writes them.

Two roles sign a bill: the issuing unit (``issuer``) when it is made, and the finance bureau's
supervision key (``supervisor``) after payment, over the issuer's bytes followed by the issuer's
signature. A ``Signer`` is anything that can sign for a role: a key held here, or a finance bureau's
service reached over the network.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

from tongsuopy.crypto import hashes, serialization
from tongsuopy.crypto.asymciphers import ec
from tongsuopy.crypto.exceptions import InvalidSignature

ALGORITHM = "SM2-SM3"
USER_ID = "1234567812345678"
ROLES = ("issuer", "supervisor")
# The order of the SM2 curve: a private key is an integer in [1, n − 1].
_ORDER = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123


class Signer(Protocol):
    """What signs for one role. ``sign`` returns the DER signature of ``data`` by the key ``key_id``."""

    @property
    def role(self) -> str: ...

    @property
    def key_id(self) -> str: ...

    @property
    def public_key_pem(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return bytes(digest.finalize())


def key_id_of(public_key_pem: str, role: str) -> str:
    """A key's name: its role and the first 16 hex digits of SM3 over its public key's DER, so that
    the same key always has the same id, wherever it is loaded."""
    public_key = serialization.load_pem_public_key(public_key_pem.encode())
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return f"{role}-{sm3(der).hex()[:16]}"


@dataclass(frozen=True)
class LocalSigner:
    """A key held by this service (a PEM file in production)."""

    role: str
    private_key: ec.EllipticCurvePrivateKey

    @cached_property
    def public_key_pem(self) -> str:
        return _public_pem(self.private_key)

    @cached_property
    def key_id(self) -> str:
        return key_id_of(self.public_key_pem, self.role)

    def sign(self, data: bytes) -> bytes:
        return bytes(self.private_key.sign(data, ec.ECDSA(hashes.SM3())))


def verify(public_key_pem: str, data: bytes, signature: bytes) -> bool:
    try:
        public_key = serialization.load_pem_public_key(public_key_pem.encode())
        public_key.verify(signature, data, ec.ECDSA(hashes.SM3()))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def load_private_key(path: Path) -> ec.EllipticCurvePrivateKey:
    """An SM2 private key from a PEM file (``openssl genpkey -algorithm SM2``, or ``feecollect keys
    generate``); ValueError where the file holds anything else."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SM2):
        raise ValueError("not an SM2 private key")
    return key


def derived_private_key(secret: str, role: str) -> ec.EllipticCurvePrivateKey:
    """A key derived from the service's secret, for the demo and the tests (never in production)."""
    seed = hmac.new(secret.encode(), f"feecollect bill {role} key v1".encode(), hashlib.sha256).digest()
    scalar = int.from_bytes(seed + hashlib.sha256(seed).digest(), "big") % (_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SM2())


def generate_pem() -> tuple[bytes, str]:
    """A new key: (the private key as PKCS#8 PEM, its public key as PEM)."""
    key = ec.generate_private_key(ec.SM2())
    pem: bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem, _public_pem(key)


def _public_pem(key: ec.EllipticCurvePrivateKey) -> str:
    pem: bytes = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode()
