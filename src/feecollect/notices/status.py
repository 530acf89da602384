"""The life of a notice, apart from the tables: the pure cores compare against it too."""

from __future__ import annotations

from enum import StrEnum


class NoticeStatus(StrEnum):
    """A notice is issued, then paid (and perhaps refunded) or closed unpaid: voided or expired."""

    ISSUED = "issued"
    PAID = "paid"
    REFUNDED = "refunded"
    VOIDED = "voided"
    EXPIRED = "expired"
