"""The bank request signature of SPEC §6 (a contract: banks implement exactly this).

    X-Signature = hex HMAC-SHA256(secret, "{timestamp}\\n{nonce}\\n{METHOD}\\n{path}\\n{sha256 hex of body}")

The signature is lowercase hex; ``path`` is the URL path as sent, without the query string.

>>> print(string_to_sign("1700000000", "n-1", "get", "/api/v1/bank/notices/43032126000000000171", b""))
1700000000
n-1
GET
/api/v1/bank/notices/43032126000000000171
e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

TOLERANCE_SECONDS = 300
# What a bank's identifiers (key, nonce, transaction and refund ids) are made of: printable ASCII, no spaces.
PRINTABLE_ASCII = r"[!-~]+"
HEADERS = ("X-Bank-Key", "X-Timestamp", "X-Nonce", "X-Signature")


def string_to_sign(timestamp: str, nonce: str, method: str, path: str, body: bytes) -> str:
    return f"{timestamp}\n{nonce}\n{method.upper()}\n{path}\n{hashlib.sha256(body).hexdigest()}"


def signature(secret: str, timestamp: str, nonce: str, method: str, path: str, body: bytes) -> str:
    message = string_to_sign(timestamp, nonce, method, path, body).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def matches(expected: str, given: str) -> bool:
    """``given`` as the contract writes it: lowercase hex, compared in constant time."""
    return given.isascii() and hmac.compare_digest(expected.encode(), given.encode())


def signed_headers(
    key: str,
    secret: str,
    method: str,
    path: str,
    body: bytes,
    *,
    now: float | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The headers a bank sends; used by the reference client and the tests."""
    timestamp = str(int(now if now is not None else time.time()))
    nonce = nonce or secrets.token_hex(16)
    return {
        "X-Bank-Key": key,
        "X-Timestamp": timestamp,
        "X-Nonce": nonce,
        "X-Signature": signature(secret, timestamp, nonce, method, path, body),
    }
