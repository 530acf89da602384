from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from feecollect.api.auth import CaseReader, Clerk
from feecollect.api.deps import AppSettings, CurrentCatalogue, DbSession
from feecollect.notices.schemas import NoticeOut
from feecollect.projects import repository
from feecollect.projects import service as projects
from feecollect.projects.schemas import ProjectIn, ProjectListOut, ProjectOut

router = APIRouter(prefix="/api/v1/projects", tags=["construction projects (一表制)"])


@router.post("", response_model=ProjectOut, status_code=201, summary="Declare a construction project")
def declare_project(
    body: ProjectIn, principal: Clerk, session: DbSession, catalogue: CurrentCatalogue, settings: AppSettings
) -> ProjectOut:
    today = datetime.now(settings.zone).date()
    project = projects.declare(session, catalogue, principal.actor, body.declaration(today))
    return ProjectOut.of(project, projects.fees_of(catalogue, project))


@router.post(
    "/{project_no}/bundle",
    response_model=NoticeOut,
    status_code=201,
    summary="Issue the project's one-form notice",
)
def issue_bundle(
    project_no: str, principal: Clerk, session: DbSession, catalogue: CurrentCatalogue, settings: AppSettings
) -> NoticeOut:
    return NoticeOut.of(projects.issue_bundle(session, catalogue, settings, principal, project_no))


@router.get("", response_model=ProjectListOut, summary="Declared projects, newest first")
def list_projects(
    _: CaseReader,
    session: DbSession,
    catalogue: CurrentCatalogue,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ProjectListOut:
    rows = repository.listing(session, limit=limit, offset=offset)
    items = [ProjectOut.of(project, projects.fees_of(catalogue, project)) for project in rows]
    return ProjectListOut(items=items, limit=limit, offset=offset)


@router.get("/{project_no}", response_model=ProjectOut, summary="One project and the fees it owes")
def get_project(
    project_no: str, _: CaseReader, session: DbSession, catalogue: CurrentCatalogue
) -> ProjectOut:
    project = projects.get(session, project_no)
    return ProjectOut.of(project, projects.fees_of(catalogue, project))
