from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from feecollect.api.auth import AuditReader
from feecollect.api.deps import DbSession
from feecollect.api.params import Offset
from feecollect.audit import repository, sealing

router = APIRouter(prefix="/api/v1/audit", tags=["audit log"])


class AuditEntryOut(BaseModel):
    seq: int | None = Field(description="its place in the chain; null until the sealer reaches it")
    recorded_at: str
    actor: str
    role: str
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    prev_hash: str | None
    hash: str | None


class ChainOut(BaseModel):
    ok: bool
    checked: int
    first_bad_seq: int | None
    reason: str | None
    pending: int = Field(description="entries appended but not yet sealed into the chain")
    checkpoints: int = Field(description="sealed checkpoints whose MAC and chain hash hold")


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


@router.get(
    "/verify",
    response_model=ChainOut,
    summary="Recompute the SHA-256 chain over every entry and its checkpoints",
)
def verify_chain(_: AuditReader, session: DbSession, request: Request) -> ChainOut:
    key = sealing.checkpoint_key(request.app.state.settings.secret_key.get_secret_value())
    report = sealing.verify(session, key)
    return ChainOut(
        ok=report.ok,
        checked=report.checked,
        first_bad_seq=report.first_bad_seq,
        reason=report.reason,
        pending=report.pending,
        checkpoints=report.checkpoints,
    )
