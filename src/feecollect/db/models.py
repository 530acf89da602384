"""Every ORM model, imported in one place so Alembic sees the whole schema."""

from feecollect.audit.models import AuditEntry
from feecollect.cases.models import Case, CaseItem
from feecollect.db.base import Base
from feecollect.notices.models import Notice, NoticeLine, PaymentCodeSequence
from feecollect.schedules.models import FeeItemVersion
from feecollect.users.models import User

__all__ = [
    "AuditEntry",
    "Base",
    "Case",
    "CaseItem",
    "FeeItemVersion",
    "Notice",
    "NoticeLine",
    "PaymentCodeSequence",
    "User",
]
