"""Registering the bank accounts whose statements the centre imports."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from feecollect.audit.service import Actor, record
from feecollect.errors import Conflict, Unprocessable
from feecollect.notices.payee import Payee
from feecollect.reconcile import repository
from feecollect.reconcile.models import ACCOUNT_KINDS, BankAccount

_CURRENCY_SUFFIX = re.compile(r"^(?P<number>.+?)\s+[A-Z]{3}$")


def plain_account_no(written: str) -> str:
    """An account number without the spaces, dots and dashes people write in it.

    >>> plain_account_no("6217 0000-1000.1234")
    '6217000010001234'
    """
    return re.sub(r"[\s.\-]", "", written)


def account_candidates(written: str) -> list[str]:
    """The numbers an account written in a statement may be registered as, most exact first: the
    whole, without a trailing currency (``IBAN CCY``, MT940's ``:25:``), and the number after a bank
    code (``BIC/number``, ``BLZ/number``).

    >>> account_candidates("NL71 RABO 0123 4567 89 EUR")
    ['NL71RABO0123456789EUR', 'NL71RABO0123456789']
    >>> account_candidates("50880050/0194774600888")
    ['50880050/0194774600888', '0194774600888']
    >>> account_candidates("4305-0162-3608-0000-0001")
    ['43050162360800000001']
    """
    found = [plain_account_no(written)]
    spaced = written.strip()
    if suffix := _CURRENCY_SUFFIX.match(spaced):
        found.append(plain_account_no(suffix.group("number")))
    if "/" in spaced:
        found.append(plain_account_no(spaced.rsplit("/", 1)[1]))
    return list(dict.fromkeys(number for number in found if number))


def add_account(
    session: Session,
    actor: Actor,
    account_no: str,
    kind: str,
    department: str | None,
    bank: str | None,
    known_departments: set[str],
    account_name: str | None = None,
) -> BankAccount:
    number = plain_account_no(account_no)
    if not number or len(number) > 64:
        raise Unprocessable(f"account number {account_no!r}: 1 to 64 characters", code="invalid_account")
    if kind not in ACCOUNT_KINDS:
        raise Unprocessable(f"kind {kind!r}: one of {', '.join(ACCOUNT_KINDS)}", code="invalid_account")
    if kind == "department":
        if not department:
            raise Unprocessable("a department account needs --department CODE", code="invalid_account")
        if department not in known_departments:
            raise Unprocessable(
                f"department {department!r} collects no fee in the schedules "
                f"(known: {', '.join(sorted(known_departments))})",
                code="invalid_account",
            )
    elif department:
        raise Unprocessable("the special account belongs to no department", code="invalid_account")
    if repository.account_by_no(session, number) is not None:
        raise Conflict(f"account {number} is already registered", code="account_exists")
    if account_name is not None and not 0 < len(account_name.strip()) <= 100:
        raise Unprocessable("account name (户名): 1 to 100 characters", code="invalid_account")
    account = BankAccount(
        account_no=number,
        kind=kind,
        department_code=department,
        bank_name=bank,
        account_name=account_name.strip() if account_name else None,
        created_at=datetime.now(UTC),
    )
    repository.add_account(session, account)
    record(
        session,
        actor,
        "account.added",
        "bank_account",
        number,
        after={"kind": kind, "department": department, "bank": bank, "name": account.account_name},
    )
    return account


def notice_payee(session: Session) -> Payee | None:
    """The special account notices name as payee: the first registered, None before any is."""
    special = next((a for a in sorted(registered(session), key=lambda a: a.id) if a.kind == "special"), None)
    if special is None:
        return None
    return Payee(special.account_name or "", special.account_no, special.bank_name or "")


def registered(session: Session) -> Sequence[BankAccount]:
    return repository.accounts(session)


def is_registered(session: Session, account_no: str) -> bool:
    return repository.account_by_no(session, account_no) is not None


def is_special_account(session: Session, written: str) -> bool:
    """Whether a bank's callback names a registered fiscal special account as where the money went."""
    return any(
        (account := repository.account_by_no(session, number)) is not None and account.kind == "special"
        for number in account_candidates(written)
    )
