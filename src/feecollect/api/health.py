from __future__ import annotations

from fastapi import APIRouter

from feecollect.api.auth import PUBLIC

router = APIRouter(prefix="/api/v1", tags=["operations"])


@router.get("/health", summary="The process answers (no database work)", dependencies=[PUBLIC])
async def health() -> dict[str, str]:
    return {"status": "ok"}
