"""Loading the schedule files into versioned rows, and the catalogue the quote engine prices from."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from feecollect.db.engine import SCHEDULE_LOCK, exclusive
from feecollect.schedules import repository
from feecollect.schedules.catalogue import Catalogue
from feecollect.schedules.loader import load_directory
from feecollect.schedules.models import FeeItemVersion
from feecollect.schedules.types import FeeItem


@dataclass
class SyncReport:
    added: list[tuple[str, int]] = field(default_factory=list)
    superseded: list[tuple[str, int]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.superseded)

    def summary(self) -> str:
        added = ", ".join(f"{code} v{version}" for code, version in self.added) or "none"
        gone = ", ".join(f"{code} v{version}" for code, version in self.superseded) or "none"
        return f"new versions: {added}; superseded: {gone}; unchanged: {self.unchanged}"


def sync_items(session: Session, items: list[FeeItem], *, now: datetime | None = None) -> SyncReport:
    """Record the files' items as versions: a changed period becomes a new version, history is kept.

    A period is identified by (code, effective_from); a period no longer in the files is superseded
    without a successor, so it can no longer be quoted but old notices still point at it.
    """
    now = now or datetime.now(UTC)
    report = SyncReport()
    with exclusive(session.connection(), SCHEDULE_LOCK):
        current = {(row.code, row.effective_from): row for row in repository.current_versions(session)}
        latest = repository.latest_version_numbers(session)
        for item in items:
            row = current.pop((item.code, item.effective_from), None)
            digest = item.content_hash()
            if row is not None and row.content_hash == digest:
                report.unchanged += 1
                continue
            if row is not None:
                repository.supersede(row, now)
                report.superseded.append((row.code, row.version))
            version = latest.get(item.code, 0) + 1
            latest[item.code] = version
            repository.add(session, _row_for(item, version, digest, now))
            report.added.append((item.code, version))
        for row in current.values():
            repository.supersede(row, now)
            report.superseded.append((row.code, row.version))
        session.flush()
    return report


def load_schedules(session: Session, directory: Path) -> SyncReport:
    """Validate the whole directory first: one broken file loads nothing."""
    return sync_items(session, load_directory(directory))


def _row_for(item: FeeItem, version: int, digest: str, now: datetime) -> FeeItemVersion:
    return FeeItemVersion(
        code=item.code,
        version=version,
        family=item.family,
        name=item.name,
        department_code=item.department.code,
        effective_from=item.effective_from,
        effective_to=item.effective_to,
        cancelled_on=item.cancellation.on if item.cancellation else None,
        definition=item.definition(),
        content_hash=digest,
        source_file=item.source,
        loaded_at=now,
    )


def to_item(row: FeeItemVersion) -> FeeItem:
    return FeeItem.from_definition(row.definition, version=row.version, source=row.source_file)


def current_catalogue(session: Session) -> Catalogue:
    """Today's law: the current version of every fee item (a request that asks often uses the
    ``CatalogueProvider`` instead, which rebuilds only after a load changed something)."""
    return Catalogue(to_item(row) for row in repository.current_versions(session))


class CatalogueProvider:
    """The catalogue of current versions, rebuilt only when a load changed the rows (any process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._revision: tuple[int, int] | None = None
        self._catalogue = Catalogue(())

    def get(self, session: Session) -> Catalogue:
        revision = repository.revision(session)
        if revision != self._revision:
            catalogue = current_catalogue(session)
            with self._lock:
                self._catalogue, self._revision = catalogue, revision
        return self._catalogue


def history(session: Session, code: str) -> Sequence[FeeItemVersion]:
    """Every version of one item, superseded ones included, oldest first."""
    return repository.history(session, code)
