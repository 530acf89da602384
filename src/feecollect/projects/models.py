from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from feecollect.db.base import Base, UtcDateTime


class Project(Base):
    """A construction project as declared at the one-form window. ``declared_params`` maps each schedule
    parameter to its exact decimal text."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_no: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    developer_name: Mapped[str] = mapped_column(String(200))
    developer_uscc: Mapped[str] = mapped_column(String(18), index=True)
    division: Mapped[str] = mapped_column(String(6))
    project_type: Mapped[str] = mapped_column(String(16))
    declared_params: Mapped[dict[str, str]] = mapped_column(JSON)
    payer_flags: Mapped[list[str]] = mapped_column(JSON)
    declared_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    declared_by: Mapped[str] = mapped_column(String(64))
    declared_at: Mapped[datetime] = mapped_column(UtcDateTime)
