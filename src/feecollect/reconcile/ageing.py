"""How old an open exception is, in the buckets of SPEC §16: the finance office works the oldest first.

>>> bucket(0), bucket(3), bucket(29), bucket(30)
('0-2', '3-6', '7-29', '30+')
>>> oldest_business_date("3-6", date(2026, 12, 7)), newest_business_date("3-6", date(2026, 12, 7))
(datetime.date(2026, 12, 1), datetime.date(2026, 12, 4))
"""

from __future__ import annotations

from datetime import date, timedelta

BUCKETS = {"0-2": (0, 2), "3-6": (3, 6), "7-29": (7, 29), "30+": (30, None)}


def bucket(age_days: int) -> str:
    for name, (low, high) in BUCKETS.items():
        if age_days >= low and (high is None or age_days <= high):
            return name
    return "0-2"  # a business date after today (a clock skew) is as young as it gets


def newest_business_date(name: str, today: date) -> date:
    return today - timedelta(days=BUCKETS[name][0])


def oldest_business_date(name: str, today: date) -> date | None:
    high = BUCKETS[name][1]
    return None if high is None else today - timedelta(days=high)
