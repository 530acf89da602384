"""A generated backlog of open exceptions, for the bulk tests and bench: unidentified credits spread
over the last sixty days, as a busy finance office's would be."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any


def backlog_rows(count: int, today: date) -> list[dict[str, Any]]:
    return [
        {
            "id": n,
            "exception_class": "unidentified_credit",
            "key": f"backlog:{n}",
            "business_date": today - timedelta(days=n % 60),
            "amount_fen": 1000 + n,
            "department_code": None,
            "detail": "no payment code",
            "evidence": {
                "statement_line": n,
                "amount": f"{(1000 + n) / 100:.2f}",
                "counterparty": f"付款人{n}",
            },
            "first_run_date": today,
            "last_run_date": today,
            "status": "open",
            "created_at": datetime.now(UTC),
        }
        for n in range(1, count + 1)
    ]
