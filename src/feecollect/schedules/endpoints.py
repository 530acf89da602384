from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from feecollect.api.auth import PUBLIC, Admin
from feecollect.api.deps import AppSettings, CurrentCatalogue, DbSession
from feecollect.audit.service import record
from feecollect.errors import NotFound
from feecollect.schedules import repository
from feecollect.schedules.schemas import ItemHistoryOut, ScheduleItemOut, ScheduleListOut, VersionOut
from feecollect.schedules.service import load_schedules, to_item

router = APIRouter(prefix="/api/v1/schedules", tags=["schedules (public, 七公开)"])


class ReloadOut(BaseModel):
    added: list[str]
    superseded: list[str]
    unchanged: int


@router.get(
    "",
    response_model=ScheduleListOut,
    summary="Published fee standards and their legal bases",
    dependencies=[PUBLIC],
)
def list_schedules(
    catalogue: CurrentCatalogue,
    department: Annotated[str | None, Query(description="collecting department code, e.g. ZRZY")] = None,
    on: Annotated[date | None, Query(description="only items chargeable for a service on this date")] = None,
) -> ScheduleListOut:
    items = catalogue.in_force(on) if on is not None else list(catalogue)
    if department is not None:
        items = [item for item in items if item.department.code == department]
    return ScheduleListOut(items=[ScheduleItemOut.of(item) for item in items])


@router.get(
    "/{code}",
    response_model=ItemHistoryOut,
    summary="Every version of one fee item, superseded included",
    dependencies=[PUBLIC],
)
def item_history(code: str, session: DbSession) -> ItemHistoryOut:
    rows = repository.history(session, code)
    if not rows:
        raise NotFound(f"no fee item with code {code!r}", code="unknown_item")
    return ItemHistoryOut(
        code=code,
        versions=[
            VersionOut(
                version=row.version,
                effective_from=row.effective_from,
                effective_to=row.effective_to,
                content_hash=row.content_hash,
                source_file=row.source_file,
                loaded_at=row.loaded_at,
                superseded_at=row.superseded_at,
                item=ScheduleItemOut.of(to_item(row)),
            )
            for row in rows
        ],
    )


@router.post(
    "/reload",
    response_model=ReloadOut,
    summary="Load the schedule files again (changed items get new versions)",
)
def reload_schedules(principal: Admin, session: DbSession, settings: AppSettings) -> ReloadOut:
    report = load_schedules(session, settings.schedules_dir)
    record(
        session,
        principal.actor,
        "schedules.reloaded",
        "schedules",
        settings.schedules_dir.name,
        after={
            "directory": str(settings.schedules_dir),
            "added": report.added,
            "superseded": report.superseded,
        },
    )
    return ReloadOut(
        added=[f"{c} v{v}" for c, v in report.added],
        superseded=[f"{c} v{v}" for c, v in report.superseded],
        unchanged=report.unchanged,
    )
