"""Signing in to the pages: a password checked against its Argon2id hash, a server-side session named by
an HttpOnly, SameSite cookie, and a CSRF token that every form must send back. Pages declare their
roles with :class:`PageGate`, as API routes do with bearer tokens, under the same department rules."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from feecollect.api.auth import Gate
from feecollect.api.deps import DbSession
from feecollect.audit.service import Actor, record
from feecollect.errors import FeeCollectError
from feecollect.settings import Settings
from feecollect.users import repository as users_repository
from feecollect.users.models import User
from feecollect.users.principal import Forbidden, Principal, Unauthorized
from feecollect.users.service import Role, password_matches
from feecollect.web import repository, throttle
from feecollect.web.models import WebSession

SESSION_COOKIE = "feecollect_session"
LOGIN_CSRF_COOKIE = "feecollect_login_csrf"


class SignInRequired(Unauthorized):
    """Shown as the sign-in page, saying why (no session, expired, signed out)."""


class TooManyAttempts(FeeCollectError):
    """Shown as the sign-in page too: sign-in is closed for a while for this name or address."""

    status_code = 429
    code = "too_many_attempts"


def check_throttle(session: Session, name: str, address: str) -> None:
    """Refuse a try while the name or the address is locked out, before the password is looked at."""
    now = datetime.now(UTC)
    recent = repository.failures_since(session, now - throttle.REMEMBERED, name, address)
    for mine in (lambda f: f[0] == name, lambda f: f[1] == address):
        until = throttle.locked_until((at for *_, at in filter(mine, recent)), now)
        if until is not None:
            minutes = max(1, -int(-(until - now).total_seconds() // 60))
            raise TooManyAttempts(f"登录失败次数过多，请 {minutes} 分钟后再试")


def record_failure(session: Session, name: str, address: str) -> None:
    """The caller commits it and answers the refusal itself (a raised refusal would roll it back)."""
    now = datetime.now(UTC)
    repository.purge_failures(session, now - timedelta(days=1))
    repository.add_failure(session, name[:64], address[:64], now)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(session: Session, settings: Settings, name: str, password: str) -> tuple[str, User]:
    """A new session for ``name`` if the password matches; the returned token goes in the cookie."""
    user = users_repository.by_name(session, name)
    if not password_matches(user, password):
        raise SignInRequired("用户名或密码错误")
    assert user is not None
    now = datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    repository.add(
        session,
        WebSession(
            token_hash=_digest(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(24),
            created_at=now,
            expires_at=now + timedelta(minutes=settings.web_session_minutes),
        ),
    )
    record(session, Actor(user.name, user.role), "user.signed_in", "user", user.name)
    return token, user


def _session_of(session: Session, token: str | None) -> WebSession | None:
    if not token:
        return None
    return repository.by_token_hash(session, _digest(token))


def sign_out(session: Session, token: str | None) -> None:
    found = _session_of(session, token)
    if found is not None and found.ended_at is None:
        found.ended_at = datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class PageUser:
    principal: Principal
    csrf_token: str

    def check_csrf(self, sent: object) -> None:
        if not isinstance(sent, str) or not hmac.compare_digest(sent, self.csrf_token):
            raise Forbidden("表单校验失败：缺少或错误的 CSRF 令牌，请刷新页面后重新提交")


def current_user(request: Request, session: Session) -> PageUser:
    found = _session_of(session, request.cookies.get(SESSION_COOKIE))
    if found is None:
        raise SignInRequired("请先登录")
    if found.ended_at is not None:
        raise SignInRequired("您已退出登录，请重新登录")
    if found.expires_at <= datetime.now(UTC):
        raise SignInRequired("登录已过期，请重新登录")
    user = session.get(User, found.user_id)
    assert user is not None
    return PageUser(Principal(user.name, Role(user.role), user.department_code), found.csrf_token)


async def _sent_csrf(request: Request) -> object:
    """The form's ``csrf_token`` of a request that changes something (the parsed form is kept for the
    route's own fields)."""
    if request.method in ("GET", "HEAD"):
        return None
    return (await request.form()).get("csrf_token")


class PageGate(Gate):
    """The roles that may open a page; signed in by session cookie instead of a bearer token. A request
    that changes something must also send the session's CSRF token, checked here for every form."""

    def __call__(  # type: ignore[override]
        self, request: Request, session: DbSession, sent_csrf: Annotated[object, Depends(_sent_csrf)]
    ) -> PageUser:
        user = current_user(request, session)
        if user.principal.role not in self.roles:
            allowed = "、".join(ROLE_NAMES[r] for r in sorted(self.roles))
            raise Forbidden(f"此页面仅限{allowed}使用；您的角色是{ROLE_NAMES[user.principal.role]}")
        if request.method not in ("GET", "HEAD"):
            user.check_csrf(sent_csrf)
        return user


ROLE_NAMES = {
    Role.clerk: "窗口工作人员",
    Role.finance: "财务人员",
    Role.auditor: "审计人员",
    Role.admin: "管理员",
}
HOME = {Role.clerk: "/clerk", Role.finance: "/finance", Role.auditor: "/auditor", Role.admin: "/fees"}

ClerkPage = Annotated[PageUser, Depends(PageGate(Role.clerk))]
FinancePage = Annotated[PageUser, Depends(PageGate(Role.finance))]
AuditorPage = Annotated[PageUser, Depends(PageGate(Role.auditor))]
ReaderPage = Annotated[PageUser, Depends(PageGate(Role.clerk, Role.finance, Role.auditor))]
FinanceOrAuditorPage = Annotated[PageUser, Depends(PageGate(Role.finance, Role.auditor))]
SignedInPage = Annotated[PageUser, Depends(PageGate(*Role))]


def set_session_cookie(response: Response, settings: Settings, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.web_session_minutes * 60,
        httponly=True,
        samesite="strict",
        secure=settings.web_secure_cookies,
        path="/",
    )
