"""Every ORM model, imported in one place so Alembic sees the whole schema."""

from feecollect.db.base import Base
from feecollect.schedules.models import FeeItemVersion

__all__ = ["Base", "FeeItemVersion"]
