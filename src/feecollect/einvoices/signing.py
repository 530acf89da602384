"""Signing bills: Ed25519 over a canonical JSON form (sorted keys, no whitespace, every value a string).

The check code (校验码) is derived from the content before signing and is part of what is signed, so a
bill can be looked up by code, number and check code, and any changed byte breaks the signature.

>>> content = {"b": "2", "a": "1.00"}
>>> canonical(content)
b'{"a":"1.00","b":"2"}'
>>> code = check_code(content)
>>> len(code), code == code.upper(), int(code, 16) >= 0
(6, True, True)
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "Ed25519"


def canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def check_code(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()[:6].upper()


def sign(private_key: Ed25519PrivateKey, content: dict[str, Any]) -> str:
    return base64.b64encode(private_key.sign(canonical(content))).decode()


def verify(public_key: Ed25519PublicKey, content: dict[str, Any], signature: str) -> bool:
    try:
        public_key.verify(base64.b64decode(signature, validate=True), canonical(content))
    except (InvalidSignature, ValueError):
        return False
    return True
