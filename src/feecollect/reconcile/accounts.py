"""Registering the bank accounts whose statements the centre imports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from feecollect.audit.service import Actor, record
from feecollect.errors import Conflict, Unprocessable
from feecollect.reconcile import repository
from feecollect.reconcile.models import ACCOUNT_KINDS, BankAccount


def add_account(
    session: Session,
    actor: Actor,
    account_no: str,
    kind: str,
    department: str | None,
    bank: str | None,
    known_departments: set[str],
) -> BankAccount:
    number = account_no.replace(" ", "").replace("-", "")
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
    account = BankAccount(
        account_no=number, kind=kind, department_code=department, bank_name=bank, created_at=datetime.now(UTC)
    )
    repository.add_account(session, account)
    record(
        session,
        actor,
        "account.added",
        "bank_account",
        number,
        after={"kind": kind, "department": department, "bank": bank},
    )
    return account


def registered(session: Session) -> Sequence[BankAccount]:
    return repository.accounts(session)


def is_registered(session: Session, account_no: str) -> bool:
    return repository.account_by_no(session, account_no) is not None
