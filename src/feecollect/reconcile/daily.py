"""The finance office's daily step: statement files in (``import_files``, for the API and the finance
page), or in and the day reconciled in one transaction (``import_and_reconcile``, for the command line
and the demo)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from feecollect.audit.service import Actor
from feecollect.errors import Unprocessable
from feecollect.reconcile.importing import ImportedStatement, ImportReport, import_statements, parse_files
from feecollect.reconcile.service import RunOutcome, reconcile_day
from feecollect.reconcile.statements import Statement
from feecollect.schedules.catalogue import Catalogue
from feecollect.settings import Settings

MAX_UPLOAD = 512 * 1024 * 1024  # one statement file sent over HTTP (a year of a busy account)


@dataclass(frozen=True)
class DayReconciled:
    day: date
    imported: tuple[ImportedStatement, ...]
    outcome: RunOutcome

    @property
    def earlier_days(self) -> list[str]:
        """Days the imported statements hold before the one reconciled (each needs its own run)."""
        days = {d for s in self.imported for d in (s.first_date, s.last_date) if d < self.day.isoformat()}
        return sorted(days)


def import_files(
    session: Session,
    settings: Settings,
    actor: Actor,
    files: list[tuple[str, bytes]],
    account_no: str | None = None,
) -> ImportReport:
    """Read every file, then store them: a malformed file refuses the import before anything is written."""
    return import_statements(session, actor, parse_files(files, settings.zone), account_no)


def import_and_reconcile(
    session: Session,
    settings: Settings,
    catalogue: Catalogue,
    actor: Actor,
    statements: list[Statement],
    *,
    account_no: str | None = None,
    day: date | None = None,
) -> DayReconciled:
    """Store ``statements`` (read by ``parse_files``; the list is emptied, as a year's statement is
    memory the run needs) and reconcile ``day``, by default the statements' last day."""
    imported: ImportReport | None = None
    if statements:
        imported = import_statements(session, actor, statements, account_no)
        statements.clear()
        day = day or date.fromisoformat(max(s.last_date for s in imported.statements))
    if day is None:
        raise Unprocessable("give a date, or statements whose last day is reconciled", code="invalid_date")
    outcome = reconcile_day(session, settings, catalogue, day, actor, just_imported=imported)
    return DayReconciled(day, tuple(imported.statements) if imported else (), outcome)
