from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from feecollect.db.base import Base, UtcDateTime


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    department_code: Mapped[str | None] = mapped_column(String(16))
    # What pages and workbooks show for this user's acts, e.g. 王芳; the name itself where unset.
    display_name: Mapped[str | None] = mapped_column(String(64))
    # HMAC-SHA256 of the token under the service secret: a copy of the table alone cannot be replayed.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Argon2id hash of the web sign-in password; None for users who only use the API.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
