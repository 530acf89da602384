from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from feecollect.audit.service import Actor, record
from feecollect.bank import repository
from feecollect.bank.models import Bank, BankKey
from feecollect.bank.secret_box import seal
from feecollect.bank.signing import TOLERANCE_SECONDS
from feecollect.errors import Conflict, NotFound, Unprocessable

BANK_CODE = re.compile(r"[A-Z][A-Z0-9]{1,15}")
MAX_ACTIVE_KEYS = 2  # the current key and the one being rotated out


def _new_key(session: Session, master: str, bank_code: str, now: datetime) -> tuple[str, str]:
    key_id = f"{bank_code.lower()}_{secrets.token_hex(8)}"
    secret = secrets.token_urlsafe(32)
    repository.add(
        session,
        BankKey(
            key_id=key_id, bank_code=bank_code, encrypted_secret=seal(master, secret, key_id), created_at=now
        ),
    )
    return key_id, secret


def add_bank(
    session: Session, master: str, actor: Actor, code: str, name: str, *, lookup_required: bool = True
) -> tuple[str, str]:
    """Register a bank integration; returns its key id and secret, shown this once. A bank that
    posts payments without looking notices up first is registered with ``lookup_required=False``."""
    if not BANK_CODE.fullmatch(code):
        raise Unprocessable(
            f"bank code {code!r} must be 2–16 upper-case letters or digits", code="invalid_bank_code"
        )
    if not name.strip():
        raise Unprocessable("a bank needs a name", code="invalid_bank_name")
    if repository.bank(session, code) is not None:
        raise Conflict(
            f"bank {code} already exists; use `feecollect banks rotate {code}`", code="duplicate_bank"
        )
    now = datetime.now(UTC)
    repository.add(
        session, Bank(code=code, name=name.strip(), lookup_required=lookup_required, created_at=now)
    )
    key_id, secret = _new_key(session, master, code, now)
    record(
        session,
        actor,
        "bank.added",
        "bank",
        code,
        after={"name": name.strip(), "key": key_id, "lookup_required": lookup_required},
    )
    return key_id, secret


def require_lookup(session: Session, actor: Actor, code: str, required: bool) -> None:
    """Whether this bank's callbacks must echo a lookup's confirm code from now on."""
    bank = repository.bank(session, code)
    if bank is None:
        raise NotFound(f"no bank {code!r}", code="unknown_bank")
    before, bank.lookup_required = bank.lookup_required, required
    record(
        session,
        actor,
        "bank.lookup_required",
        "bank",
        code,
        before={"lookup_required": before},
        after={"lookup_required": required},
    )


def rotate(session: Session, master: str, actor: Actor, code: str) -> tuple[str, str]:
    """Add a second key; both stay valid until the old one is retired."""
    if repository.bank(session, code) is None:
        raise NotFound(f"no bank {code!r}", code="unknown_bank")
    active = [k for k in repository.keys_of(session, code) if k.retired_at is None]
    if len(active) >= MAX_ACTIVE_KEYS:
        raise Conflict(
            f"bank {code} already has {len(active)} valid keys; retire one first "
            f"({', '.join(k.key_id for k in active)})",
            code="too_many_keys",
        )
    key_id, secret = _new_key(session, master, code, datetime.now(UTC))
    record(session, actor, "bank.key_added", "bank", code, after={"key": key_id})
    return key_id, secret


def retire(session: Session, actor: Actor, key_id: str) -> None:
    key = repository.active_key(session, key_id)
    if key is None:
        raise NotFound(f"no valid key {key_id!r}", code="unknown_key")
    key.retired_at = datetime.now(UTC)
    record(session, actor, "bank.key_retired", "bank", key.bank_code, after={"key": key_id})


def fresh_key(session: Session, master: str, actor: Actor, code: str, name: str) -> tuple[str, str]:
    """A tool's own bank (the demo's, the simulator's): created if missing, otherwise its old keys are
    retired and a new one issued, since a secret can be shown only once."""
    if repository.bank(session, code) is None:
        return add_bank(session, master, actor, code, name)
    for old in repository.keys_of(session, code):
        if old.retired_at is None:
            retire(session, actor, old.key_id)
    return rotate(session, master, actor, code)


# A request is accepted while its timestamp is within the tolerance of our clock, in either direction:
# its nonce can be replayed for at most twice the tolerance after it was seen, and no longer matters then.
NONCE_KEPT = timedelta(seconds=2 * TOLERANCE_SECONDS)


def purge_stale_nonces(session: Session, now: datetime) -> int:
    """Forget the nonces no replay could use any more; returns how many."""
    return repository.purge_nonces(session, now - NONCE_KEPT)


def banks_with_keys(session: Session) -> list[tuple[Bank, Sequence[BankKey]]]:
    """Every bank with its keys, valid and retired (never their secrets)."""
    return [(bank, repository.keys_of(session, bank.code)) for bank in repository.banks(session)]
