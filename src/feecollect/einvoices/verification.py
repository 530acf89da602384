"""Whether a bill's signatures hold: each role's signature checked against the key it names, from
the register of every key that has signed (old and rotated ones included). Pure: the keys are given."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from feecollect.einvoices import signing, sm2
from feecollect.einvoices.models import Bill
from feecollect.einvoices.xml import WrittenSignature, signed_content


@dataclass(frozen=True)
class SignatureCheck:
    signature: WrittenSignature  # its value empty where the role has not signed yet
    valid: bool

    @property
    def value(self) -> str:
        return self.signature.value

    def as_dict(self) -> dict[str, Any]:
        return asdict(self.signature) | {"signed_at": self.signature.signed_at or None, "valid": self.valid}


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


def supervised_bytes(signed: bytes, issuer_signature: str) -> bytes:
    """What the supervisor signs (SPEC §7): the signed content followed by the issuer's DER signature."""
    return signed + _der(issuer_signature)


def signature_holds(public_keys: Mapping[str, str], key_id: str, data: bytes, signature: str) -> bool:
    """An SM2 signature (base64 DER) of ``data`` by the key ``key_id`` of ``public_keys``."""
    pem = public_keys.get(key_id)
    return pem is not None and sm2.verify(pem, data, _der(signature))


def recorded_signatures(bill: Bill) -> list[WrittenSignature]:
    """The signatures the bill carries, as its XML writes them (none is checked here)."""
    if bill.signed_content is None:
        return [
            WrittenSignature("issuer", "ed25519", bill.algorithm, bill.issued_at.isoformat(), bill.signature)
        ]
    written = [
        WrittenSignature(
            "issuer", bill.issuer_key_id or "", sm2.ALGORITHM, bill.issued_at.isoformat(), bill.signature
        )
    ]
    if bill.supervisor_signature:
        signed_at = bill.supervised_at.isoformat() if bill.supervised_at else ""
        written.append(
            WrittenSignature(
                "supervisor",
                bill.supervisor_key_id or "",
                sm2.ALGORITHM,
                signed_at,
                bill.supervisor_signature,
            )
        )
    return written


def verify_bill(
    bill: Bill, region: str, public_keys: Mapping[str, str], legacy_key: Ed25519PublicKey
) -> BillVerification:
    """``public_keys``: PEM by key id. The content shown (``bill.content``) must be what was signed."""
    recorded = {written.role: written for written in recorded_signatures(bill)}
    issuer = recorded["issuer"]
    if bill.signed_content is None:  # signed with Ed25519, before SM2
        return BillVerification(
            (SignatureCheck(issuer, signing.verify(legacy_key, bill.content, issuer.value)),)
        )
    signed = bill.signed_content.encode()
    issuer_valid = signed == signed_content(bill.content, region) and signature_holds(
        public_keys, issuer.key_id, signed, issuer.value
    )
    supervisor = recorded.get("supervisor") or WrittenSignature("supervisor", "", sm2.ALGORITHM, "", "")
    supervisor_valid = issuer_valid and signature_holds(
        public_keys, supervisor.key_id, supervised_bytes(signed, issuer.value), supervisor.value
    )
    return BillVerification(
        (SignatureCheck(issuer, issuer_valid), SignatureCheck(supervisor, supervisor_valid))
    )
