"""Sign-in throttling (SPEC §17): after 5 failures in 15 minutes, by one user name or from one client
address, every further try is refused for 15 minutes, the right password included.

>>> from datetime import datetime, timedelta
>>> t = datetime(2026, 12, 2, 9, 0)
>>> failures = [t + timedelta(minutes=m) for m in (0, 1, 2, 3)]
>>> locked_until(failures, t + timedelta(minutes=4)) is None
True
>>> locked_until([*failures, t + timedelta(minutes=4)], t + timedelta(minutes=5))
datetime.datetime(2026, 12, 2, 9, 19)
>>> locked_until([*failures, t + timedelta(minutes=4)], t + timedelta(minutes=19)) is None
True
>>> locked_until([t, t + timedelta(minutes=20)], t + timedelta(minutes=21)) is None  # spread out
True
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
# Failures older than this can no longer start or prolong a lockout.
REMEMBERED = WINDOW + LOCKOUT


def locked_until(failures: Iterable[datetime], now: datetime) -> datetime | None:
    """When the lockout that ``failures`` (of one name, or of one address) put in place ends, or None.
    A lockout starts at the failure that makes MAX_FAILURES within WINDOW, and lasts LOCKOUT."""
    times = sorted(failures)
    ends = [
        times[index] + LOCKOUT
        for index in range(MAX_FAILURES - 1, len(times))
        if times[index] - times[index - MAX_FAILURES + 1] <= WINDOW
    ]
    latest = max(ends, default=None)
    return latest if latest is not None and now < latest else None
