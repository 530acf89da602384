"""The caller a service acts for, and the refusals about who may act."""

from __future__ import annotations

from dataclasses import dataclass

from feecollect.audit.service import Actor
from feecollect.errors import FeeCollectError
from feecollect.users.service import Role


class Unauthorized(FeeCollectError):
    status_code = 401
    code = "unauthorized"


class Forbidden(FeeCollectError):
    status_code = 403
    code = "forbidden"


@dataclass(frozen=True, slots=True)
class Principal:
    name: str
    role: Role
    department: str | None

    @property
    def actor(self) -> Actor:
        return Actor(self.name, self.role.value)

    def listing_department(self, requested: str | None) -> str | None:
        """The department a listing is limited to: a clerk's own, whatever they asked for."""
        if self.role != Role.clerk:
            return requested
        if requested not in (None, self.department):
            raise Forbidden(f"clerk {self.name} works for {self.department}, not {requested}")
        return self.department

    def require_department(self, department: str, what: str) -> None:
        """Clerks act only within their own department; the other roles read across departments."""
        if self.role == Role.clerk and self.department != department:
            raise Forbidden(
                f"{what} belongs to department {department}; clerk {self.name} works for {self.department}"
            )
