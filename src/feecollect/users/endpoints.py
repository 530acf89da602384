from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from feecollect.api.auth import Admin
from feecollect.api.deps import AppSettings, CurrentCatalogue, DbSession
from feecollect.cases.service import departments_of
from feecollect.users import repository, service

router = APIRouter(prefix="/api/v1/users", tags=["users (admin)"])


class UserIn(BaseModel):
    name: str = Field(min_length=2, max_length=64)
    role: service.Role
    department: str | None = None


class UserOut(BaseModel):
    name: str
    role: str
    department: str | None


class NewUserOut(UserOut):
    token: str = Field(description="shown once; only its hash is stored")


@router.get("", response_model=list[UserOut], summary="Every user (tokens are never listed)")
def list_users(_: Admin, session: DbSession) -> list[UserOut]:
    return [
        UserOut(name=u.name, role=u.role, department=u.department_code) for u in repository.all_users(session)
    ]


@router.post(
    "", response_model=NewUserOut, status_code=201, summary="Create a user and show their token once"
)
def add_user(
    body: UserIn, principal: Admin, session: DbSession, settings: AppSettings, catalogue: CurrentCatalogue
) -> NewUserOut:
    user, token = service.add_user(
        session,
        settings.secret_key.get_secret_value(),
        principal.actor,
        name=body.name,
        role=body.role.value,
        department=body.department,
        known_departments=departments_of(catalogue),
    )
    return NewUserOut(name=user.name, role=user.role, department=user.department_code, token=token)
