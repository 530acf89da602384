"""The cross-project summary for auditors: per department and month, what one-form projects paid in,
what was refunded to developers and what settlement split to the department's revenue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from feecollect.ledger import accounts
from feecollect.ledger import repository as ledger_repository
from feecollect.projects import repository
from feecollect.refunds import repository as refunds_repository


@dataclass(slots=True)
class MonthRow:
    department: str
    month: str  # YYYY-MM
    collected_fen: int = 0
    refunded_fen: int = 0
    settled_fen: int = 0


def summary(session: Session, start: date, end: date, zone: ZoneInfo) -> list[MonthRow]:
    """Rows for business dates ``start`` to ``end`` inclusive, by department then month."""
    rows: dict[tuple[str, str], MonthRow] = {}

    def row(department: str, day: date) -> MonthRow:
        key = (department, f"{day:%Y-%m}")
        return rows.setdefault(key, MonthRow(*key))

    for department, day, fen in repository.project_collections(session, start, end):
        row(department, day).collected_fen += fen
    since = datetime.combine(start, time.min, zone)
    until = datetime.combine(end + timedelta(days=1), time.min, zone)
    for order in refunds_repository.confirmed_between(session, since, until):
        assert order.refunded_at is not None
        day = order.refunded_at.astimezone(zone).date()
        for fee in order.fees:
            row(str(fee["department"]), day).refunded_fen += int(fee["fen"])
    split = ledger_repository.movements_by_month(
        session, kind="split", prefix=accounts.REVENUE_PREFIX, start=start, end=end
    )
    for department, day, fen in split:
        row(department, day).settled_fen -= fen  # revenue is credited: negative postings
    return [rows[key] for key in sorted(rows)]
