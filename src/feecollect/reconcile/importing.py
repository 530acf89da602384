"""Statement files into statement lines, per account, all or nothing.

Every file is read and checked before anything is written; one bad file refuses the whole import.
Lines are deduplicated by the bank's serial number (with the booking day) or, where a format has
none, by a fingerprint of the line plus its rank among identical lines of the same file: two equal
20-yuan payments in one statement stay two lines, and a later file that repeats them adds nothing.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from feecollect.audit.service import Actor, record
from feecollect.errors import NotFound, Unprocessable
from feecollect.money import format_yuan
from feecollect.reconcile import repository
from feecollect.reconcile.bulk import cyclic_gc_paused
from feecollect.reconcile.codes import find_payment_code
from feecollect.reconcile.matching import Line
from feecollect.reconcile.models import BankAccount, StatementFile
from feecollect.reconcile.statements import Statement, StatementError, StatementLine, read_statements


class MalformedStatement(Unprocessable):
    code = "malformed_statement"


@dataclass(frozen=True)
class ImportedStatement:
    source: str
    format: str
    account_no: str
    lines: int
    new_lines: int
    first_date: str
    last_date: str
    warnings: tuple[str, ...]
    file_id: int | None  # None when the statement added nothing new

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "account": self.account_no,
            "lines": self.lines,
            "new_lines": self.new_lines,
            "first_date": self.first_date,
            "last_date": self.last_date,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class StoredLines:
    """The lines one statement added, as the matching core takes them, kept so that a run in the same
    transaction need not read a million lines back."""

    file_id: int
    lines: list[Line]

    def of_day(self, day: date) -> list[Line]:
        return [line for line in self.lines if line.booked_on == day]


@dataclass
class ImportReport:
    statements: list[ImportedStatement] = field(default_factory=list)
    stored: list[StoredLines] = field(default_factory=list)

    def lines_of_day(self, day: date) -> tuple[set[int], list[Line]]:
        """(the files this import stored, the lines of ``day`` they hold)."""
        return {s.file_id for s in self.stored}, [line for s in self.stored for line in s.of_day(day)]

    @property
    def dates(self) -> list[str]:
        days: set[str] = set()
        for statement in self.statements:
            days.update((statement.first_date, statement.last_date))
        return sorted(days)


def parse_files(files: list[tuple[str, bytes]]) -> list[Statement]:
    """Read every file first: a malformed one refuses the import before anything is written."""
    statements: list[Statement] = []
    for source, content in files:
        try:
            with cyclic_gc_paused():
                statements.extend(read_statements(source, content))
        except StatementError as exc:
            raise MalformedStatement(
                str(exc), extra={"file": exc.source, "line": exc.line, "field": exc.field}
            ) from None
    return statements


def import_statements(
    session: Session, actor: Actor, statements: list[Statement], account_no: str | None = None
) -> ImportReport:
    """Store statements read by :func:`parse_files`; every account is checked before a line is written."""
    targets = [(statement, _account_for(session, statement, account_no)) for statement in statements]
    report = ImportReport()
    with cyclic_gc_paused():
        for statement, account in targets:
            imported, stored = _store(session, actor, statement, account)
            report.statements.append(imported)
            if stored is not None:
                report.stored.append(stored)
    return report


def _account_for(session: Session, statement: Statement, account_no: str | None) -> BankAccount:
    if account_no is not None:
        if (
            statement.account
            and _plain(statement.account) != _plain(account_no)
            and "*" not in statement.account
        ):
            raise MalformedStatement(
                f"{statement.source}: the statement is of account {statement.account}, not {account_no}"
            )
        wanted = account_no
    elif statement.account:
        wanted = statement.account
    else:
        raise MalformedStatement(
            f"{statement.source}: the file does not name its account; give the account number (--account)"
        )
    account = repository.account_by_no(session, _plain(wanted))
    if account is None:
        raise NotFound(
            f"{statement.source}: account {wanted} is not registered; add it with "
            "`feecollect accounts add NO --kind special|department`",
            code="unknown_account",
        )
    return account


def _plain(account_no: str) -> str:
    return account_no.replace(" ", "").replace("-", "")


def _store(
    session: Session, actor: Actor, statement: Statement, account: BankAccount
) -> tuple[ImportedStatement, StoredLines | None]:
    first = min(line.booked_on for line in statement.lines)
    last = max(line.booked_on for line in statement.lines)
    warnings = [problem] if (problem := statement.balance_problem()) else []
    warnings += _gap(session, account, statement, first)
    statement_file = StatementFile(
        account_id=account.id,
        source=statement.source[:255],
        format=statement.format,
        sha256=statement.digest,
        line_count=len(statement.lines),
        new_line_count=0,
        first_date=first,
        last_date=last,
        opening_balance_fen=statement.opening_balance_fen,
        closing_balance_fen=statement.closing_balance_fen,
        warnings=warnings,
        imported_by=actor.name,
        imported_at=datetime.now(UTC),
    )
    repository.add_file(session, statement_file)
    ids = repository.new_line_ids(session, len(statement.lines))
    rows, lines = _rows(statement, account, statement_file.id, ids)
    already_stored = repository.insert_lines(session, rows)
    del rows  # a million tuples the run that may follow does not need
    if already_stored:
        lines = [line for line in lines if line.id not in already_stored]
    new_lines = len(lines)
    result = ImportedStatement(
        source=statement.source,
        format=statement.format,
        account_no=account.account_no,
        lines=len(statement.lines),
        new_lines=new_lines,
        first_date=first.isoformat(),
        last_date=last.isoformat(),
        warnings=tuple(warnings),
        file_id=statement_file.id if new_lines else None,
    )
    if new_lines == 0:
        # Nothing new: importing the same statement again leaves no trace at all.
        session.delete(statement_file)
        session.flush()
        return result, None
    statement_file.new_line_count = new_lines
    record(
        session,
        actor,
        "statement.imported",
        "statement_file",
        str(statement_file.id),
        after=result.as_dict(),
    )
    return result, StoredLines(statement_file.id, lines)


def _gap(session: Session, account: BankAccount, statement: Statement, first) -> list[str]:  # type: ignore[no-untyped-def]
    previous = repository.previous_file(session, account.id, first)
    if previous is None:
        return []
    if previous.closing_balance_fen is not None and statement.opening_balance_fen is not None:
        if previous.closing_balance_fen != statement.opening_balance_fen:
            return [
                f"{statement.source}: opens at {format_yuan(statement.opening_balance_fen)} but the previous "
                f"statement of account {account.account_no} ({previous.source}, to {previous.last_date}) "
                f"closed at {format_yuan(previous.closing_balance_fen)}: lines are missing between them"
            ]
        return []
    if previous.last_date + timedelta(days=1) < first:
        return [
            f"{statement.source}: no statement of account {account.account_no} covers "
            f"{previous.last_date + timedelta(days=1)} to {first - timedelta(days=1)}; check the bank's "
            "export covers those days"
        ]
    return []


class _IsoText(dict[Any, str | None]):
    """Dates and times as ISO text, each formatted once; None stays None."""

    def __missing__(self, value: Any) -> str | None:
        text = self[value] = None if value is None else value.isoformat()
        return text


def _rows(
    statement: Statement, account: BankAccount, file_id: int, ids: Iterator[int]
) -> tuple[list[tuple[Any, ...]], list[Line]]:
    """The database rows of a statement's lines (repository.LINE_COLUMNS) and the same lines as the
    matching core takes them, made in one pass: a year's statement is a million lines."""
    rows: list[tuple[Any, ...]] = []
    lines: list[Line] = []
    by_serial: dict[str, StatementLine] = {}
    ranks: Counter[str] = Counter()
    iso = _IsoText()  # a statement repeats few dates and times: format each once
    # Read once: each ORM attribute read is a Python call, a million of them here.
    account_id, account_no, kind, department = (
        account.id,
        account.account_no,
        account.kind,
        account.department_code,
    )
    for line in statement.lines:
        line_no, booked_on, booked_at, amount, currency, name, other_account, remark, serial, balance = line
        day = iso[booked_on]
        at = iso[booked_at]
        if serial:
            key = f"s:{day}:{serial}"[:80]
            seen = by_serial.setdefault(key, line)
            if seen is not line:
                if _same(seen, line):
                    continue
                raise MalformedStatement(
                    f"{statement.source}:{line_no}: serial number {serial} already stands on "
                    f"line {seen.line_no} with different content"
                )
        else:
            fingerprint = hashlib.sha1(  # a dedup key, not a security boundary
                "\x1f".join(
                    (
                        day,
                        at or "",
                        str(amount),
                        currency,
                        name,
                        other_account,
                        remark,
                        "" if balance is None else str(balance),
                    )
                ).encode(),
                usedforsecurity=False,
            ).hexdigest()
            ranks[fingerprint] += 1
            key = f"f:{fingerprint}:{ranks[fingerprint]}"
        line_id = next(ids)
        currency, name, other_account = currency[:8], name[:200], other_account[:64]
        code = find_payment_code(remark)
        rows.append(
            (
                line_id,
                account_id,
                file_id,
                line_no,
                key,
                day,
                at,
                amount,
                currency,
                name,
                other_account,
                remark,
                serial[:64],
                balance,
                code,
            )
        )
        lines.append(
            Line(
                line_id,
                account_no,
                kind,
                department,
                booked_on,
                at,
                amount,
                currency,
                name,
                other_account,
                remark,
                code,
            )
        )
    return rows, lines


def _same(a: StatementLine, b: StatementLine) -> bool:
    return (a.booked_on, a.booked_at, a.amount_fen, a.remark, a.counterparty_account) == (
        b.booked_on,
        b.booked_at,
        b.amount_fen,
        b.remark,
        b.counterparty_account,
    )
