from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.orm import Session

from feecollect.audit.service import Actor, record
from feecollect.errors import Conflict, NotFound, Unprocessable
from feecollect.users import repository
from feecollect.users.models import User

USER_NAME = re.compile(r"[A-Za-z0-9_.\-\u4e00-\u9fff]{2,64}")
TOKEN_PREFIX = "fc_"


class Role(StrEnum):
    clerk = "clerk"
    finance = "finance"
    auditor = "auditor"
    admin = "admin"


def hash_token(secret: str, token: str) -> str:
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


MIN_PASSWORD = 10
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise Unprocessable(f"password: at least {MIN_PASSWORD} characters", code="weak_password")
    return _hasher.hash(password)


def password_matches(user: User | None, password: str) -> bool:
    """Constant work whether or not the user exists, so timing does not tell names apart."""
    unknown = _unknown_user_hash()
    stored = user.password_hash if user is not None and user.password_hash else unknown
    try:
        return _hasher.verify(stored, password) and stored is not unknown
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@functools.cache
def _unknown_user_hash() -> str:
    """Made on the first sign-in, not at import: hashing costs every process (each CLI command, each
    worker) about 130 ms, and most never check a password."""
    return _hasher.hash(secrets.token_urlsafe(16))


def user_view(user: User) -> dict[str, str | None]:
    return {
        "name": user.name,
        "role": user.role,
        "department": user.department_code,
        "display_name": user.display_name,
    }


def add_user(
    session: Session,
    secret: str,
    actor: Actor,
    *,
    name: str,
    role: str,
    department: str | None,
    known_departments: set[str],
    password: str | None = None,
    display_name: str | None = None,
) -> tuple[User, str]:
    """Create a user and return the bearer token, which is shown this once and stored only hashed. A
    ``password`` lets the user sign in to the web pages; only its Argon2id hash is stored."""
    if not USER_NAME.fullmatch(name):
        raise Unprocessable(
            f"name {name!r} must be 2–64 letters, digits, Chinese characters, '.', '_' or '-'",
            code="invalid_name",
        )
    if role not in Role.__members__:
        raise Unprocessable(f"role {role!r} is not one of {', '.join(Role)}", code="invalid_role")
    if role == Role.clerk and department is None:
        raise Unprocessable("a clerk works for one department: give --department", code="department_required")
    if department is not None and department not in known_departments:
        known = ", ".join(sorted(known_departments))
        raise Unprocessable(
            f"department {department!r} is not in the schedules (known: {known})", code="unknown_department"
        )
    if repository.by_name(session, name) is not None:
        raise Conflict(f"user {name!r} already exists", code="duplicate_user")
    display_name = _display_name(display_name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    user = User(
        name=name,
        role=role,
        department_code=department,
        display_name=display_name,
        token_hash=hash_token(secret, token),
        password_hash=None if password is None else hash_password(password),
        created_at=datetime.now(UTC),
    )
    repository.add(session, user)
    record(session, actor, "user.created", "user", name, after=user_view(user))
    return user, token


def rotate_token(session: Session, secret: str, actor: Actor, name: str) -> str:
    user = repository.by_name(session, name)
    if user is None:
        raise NotFound(f"no user {name!r}", code="unknown_user")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    user.token_hash = hash_token(secret, token)
    record(session, actor, "user.token_rotated", "user", name)
    return token


def set_password(session: Session, actor: Actor, name: str, password: str) -> None:
    """Set (or replace) the web sign-in password; sessions opened with the old one end."""
    user = repository.by_name(session, name)
    if user is None:
        raise NotFound(f"no user {name!r}", code="unknown_user")
    user.password_hash = hash_password(password)
    repository.end_web_sessions(session, user.id, datetime.now(UTC))
    record(session, actor, "user.password_set", "user", name)


def _display_name(text: str | None) -> str | None:
    shown = " ".join((text or "").split())
    if len(shown) > 64 or any(not c.isprintable() for c in shown):
        raise Unprocessable("display name must be at most 64 printable characters", code="invalid_name")
    return shown or None


def rename(session: Session, actor: Actor, name: str, display_name: str) -> User:
    """Set the name people read for ``name``'s acts."""
    user = repository.by_name(session, name)
    if user is None:
        raise NotFound(f"no user {name!r}", code="unknown_user")
    before = user.display_name
    user.display_name = _display_name(display_name)
    record(
        session,
        actor,
        "user.renamed",
        "user",
        name,
        before={"display_name": before},
        after={"display_name": user.display_name},
    )
    return user
