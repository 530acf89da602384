"""Whether a bill's signatures hold: each role's signature checked against the key it names, from
the register of every key that has signed (old and rotated ones included). Pure: the keys are given."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from feecollect.einvoices import signing, sm2
from feecollect.einvoices.models import Bill
from feecollect.einvoices.xml import signed_content


@dataclass(frozen=True)
class SignatureCheck:
    role: str
    key_id: str
    algorithm: str
    signed_at: datetime | None
    value: str  # base64; empty where the role has not signed yet
    valid: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "key_id": self.key_id,
            "algorithm": self.algorithm,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "value": self.value,
            "valid": self.valid,
        }


@dataclass(frozen=True)
class BillVerification:
    signatures: tuple[SignatureCheck, ...]

    @property
    def valid(self) -> bool:
        """Every signature that is there holds."""
        return all(check.valid for check in self.signatures if check.value)

    @property
    def complete(self) -> bool:
        """Every role has signed and every signature holds (an SM2 bill without the supervision
        signature is 待监制: genuine, not yet complete)."""
        return all(check.valid for check in self.signatures)


def _der(value: str | None) -> bytes:
    try:
        return base64.b64decode(value or "", validate=True)
    except (binascii.Error, ValueError):
        return b""


def verify_bill(
    bill: Bill, region: str, public_keys: Mapping[str, str], legacy_key: Ed25519PublicKey
) -> BillVerification:
    """``public_keys``: PEM by key id. The content shown (``bill.content``) must be what was signed."""
    if bill.signed_content is None:  # signed with Ed25519, before SM2
        valid = signing.verify(legacy_key, bill.content, bill.signature)
        return BillVerification(
            (SignatureCheck("issuer", "ed25519", bill.algorithm, bill.issued_at, bill.signature, valid),)
        )
    signed = bill.signed_content.encode()
    issuer_der = _der(bill.signature)
    issuer_pem = public_keys.get(bill.issuer_key_id or "")
    issuer_valid = (
        issuer_pem is not None
        and signed == signed_content(bill.content, region)
        and sm2.verify(issuer_pem, signed, issuer_der)
    )
    supervisor_pem = public_keys.get(bill.supervisor_key_id or "")
    supervisor_valid = (
        issuer_valid
        and supervisor_pem is not None
        and sm2.verify(supervisor_pem, signed + issuer_der, _der(bill.supervisor_signature))
    )
    return BillVerification(
        (
            SignatureCheck(
                "issuer",
                bill.issuer_key_id or "",
                sm2.ALGORITHM,
                bill.issued_at,
                bill.signature,
                issuer_valid,
            ),
            SignatureCheck(
                "supervisor",
                bill.supervisor_key_id or "",
                sm2.ALGORITHM,
                bill.supervised_at,
                bill.supervisor_signature or "",
                supervisor_valid,
            ),
        )
    )
