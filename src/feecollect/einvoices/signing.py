"""The check code of a bill, and the Ed25519 signatures of bills issued before SM2 (verified, never
made any more): Ed25519 over a canonical JSON form (sorted keys, no whitespace, every value a string).

The check code (校验码) is derived from the content before signing and is part of what is signed, so a
bill can be looked up by code, number and check code, and any changed byte breaks the signature. It is
written as on real bills: six characters of ``[0-9A-Za-z]``, from SM3 over the canonical content.

>>> content = {"b": "2", "a": "1.00"}
>>> canonical(content)
b'{"a":"1.00","b":"2"}'
>>> code = check_code(content)
>>> len(code), code.isalnum() and code.isascii(), code == check_code(dict(content))
(6, True, True)
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from feecollect.einvoices.sm2 import sm3

LEGACY_ALGORITHM = "Ed25519"


def canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def check_code(content: dict[str, Any]) -> str:
    number = int.from_bytes(sm3(canonical(content))[:8], "big")
    digits = []
    for _ in range(6):
        number, digit = divmod(number, 62)
        digits.append(_BASE62[digit])
    return "".join(digits)


def sign(private_key: Ed25519PrivateKey, content: dict[str, Any]) -> str:
    """Ed25519, as bills were signed before SM2; kept for tests of those bills' verification."""
    return base64.b64encode(private_key.sign(canonical(content))).decode()


def verify(public_key: Ed25519PublicKey, content: dict[str, Any], signature: str) -> bool:
    try:
        public_key.verify(base64.b64decode(signature, validate=True), canonical(content))
    except (InvalidSignature, ValueError):
        return False
    return True
