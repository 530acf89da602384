from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from feecollect.api.auth import AuditReader
from feecollect.api.deps import DbSession
from feecollect.api.params import Offset
from feecollect.audit import repository, service

router = APIRouter(prefix="/api/v1/audit", tags=["audit log"])


class AuditEntryOut(BaseModel):
    seq: int
    recorded_at: str
    actor: str
    role: str
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    prev_hash: str
    hash: str


class ChainOut(BaseModel):
    ok: bool
    checked: int
    first_bad_seq: int | None
    reason: str | None


@router.get("", response_model=list[AuditEntryOut], summary="Audit entries, newest first")
def list_entries(
    _: AuditReader,
    session: DbSession,
    object_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[AuditEntryOut]:
    rows = repository.page(session, object_id=object_id, limit=limit, offset=offset)
    return [AuditEntryOut.model_validate(row, from_attributes=True) for row in rows]


@router.get("/verify", response_model=ChainOut, summary="Recompute the SHA-256 chain over every entry")
def verify_chain(_: AuditReader, session: DbSession) -> ChainOut:
    report = service.verify(session)
    return ChainOut(
        ok=report.ok, checked=report.checked, first_bad_seq=report.first_bad_seq, reason=report.reason
    )
