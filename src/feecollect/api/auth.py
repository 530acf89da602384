"""Who is calling, and may they. Every route declares a :class:`Gate` (a test checks that none lacks one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from feecollect.api.deps import DbSession
from feecollect.users import repository
from feecollect.users.principal import Forbidden, Principal, Unauthorized
from feecollect.users.service import Role, hash_token

_bearer = HTTPBearer(auto_error=False, description="token printed by `feecollect users add`")


class Gate:
    """A dependency naming the roles that may call a route; a test checks every route declares one."""

    def __init__(self, *roles: Role):
        self.roles = frozenset(roles)

    def __call__(
        self,
        request: Request,
        session: DbSession,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None:
            raise Unauthorized("send a bearer token: Authorization: Bearer <token>")
        secret = request.app.state.settings.secret_key.get_secret_value()
        user = repository.by_token_hash(session, hash_token(secret, credentials.credentials))
        if user is None:
            raise Unauthorized("the bearer token is not valid")
        principal = Principal(user.name, Role(user.role), user.department_code)
        if principal.role not in self.roles:
            allowed = ", ".join(sorted(self.roles))
            raise Forbidden(f"role {principal.role} may not do this (allowed: {allowed})")
        return principal


class PublicGate(Gate):
    """Anyone may call: no token, no database work."""

    async def __call__(self) -> None:  # type: ignore[override]
        return None


def allow(*roles: Role) -> Principal:
    # Typed as what the endpoint receives: FastAPI resolves the dependency before the call.
    principal: Principal = Depends(Gate(*roles))
    return principal


PUBLIC = Depends(PublicGate())
QUOTE_ROLES = (Role.clerk, Role.finance, Role.auditor)
ANY_READER = (Role.clerk, Role.finance, Role.auditor)
Clerk = Annotated[Principal, allow(Role.clerk)]
CaseReader = Annotated[Principal, allow(*ANY_READER)]
QuoteCaller = Annotated[Principal, allow(*QUOTE_ROLES)]
Admin = Annotated[Principal, allow(Role.admin)]
AuditReader = Annotated[Principal, allow(Role.finance, Role.auditor, Role.admin)]
Finance = Annotated[Principal, allow(Role.finance)]
FinanceReader = Annotated[Principal, allow(Role.finance, Role.auditor)]
