from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from feecollect.api.auth import AuditReader, CaseReader, Clerk, Finance
from feecollect.api.deps import AppSettings, CurrentCatalogue, DbSession
from feecollect.api.files import download
from feecollect.api.params import Offset
from feecollect.errors import Unprocessable
from feecollect.notices.schemas import NoticeOut
from feecollect.projects import project_ledger as ledgers
from feecollect.projects import repository, settlement_service
from feecollect.projects import service as projects
from feecollect.projects.project_ledger_report import project_ledger_file, summary_workbook
from feecollect.projects.schemas import (
    ProjectIn,
    ProjectLedgerOut,
    ProjectListOut,
    ProjectOut,
    ProjectsSummaryOut,
    SettlementIn,
    SettlementOut,
)
from feecollect.projects.summary import MonthRow, summary
from feecollect.xlsx import MEDIA_TYPE as XLSX

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
    offset: Offset = 0,
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


@router.post(
    "/{project_no}/settlement",
    response_model=SettlementOut,
    status_code=201,
    summary="Settle a paid project on its actual parameters (once)",
    responses={
        404: {"description": "unknown_project"},
        409: {"description": "already_settled, or not_paid: the bundle is not paid yet"},
        422: {"description": "invalid_settlement: a parameter missing, unknown or negative"},
    },
)
def settle_project(
    project_no: str,
    body: SettlementIn,
    principal: Finance,
    session: DbSession,
    catalogue: CurrentCatalogue,
    settings: AppSettings,
) -> SettlementOut:
    outcome = settlement_service.settle_project(
        session, catalogue, settings, principal, project_no, body.actual()
    )
    return SettlementOut.of(outcome.project, outcome.settlement, outcome.top_up_notice, outcome.refund_order)


@router.get(
    "/{project_no}/ledger",
    response_model=ProjectLedgerOut,
    summary="The auditors' ledger: every event with its evidence and running balances per department",
)
def project_ledger(
    project_no: str, _: AuditReader, session: DbSession, catalogue: CurrentCatalogue
) -> ProjectLedgerOut:
    ledger = ledgers.project_ledger(session, projects.get(session, project_no))
    return ProjectLedgerOut.of(ledger, catalogue.department_names())


@router.get(
    "/{project_no}/ledger.xlsx",
    summary="The auditors' ledger as a workbook: summary, every event, one sheet per department",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def project_ledger_xlsx(
    project_no: str, _: AuditReader, session: DbSession, catalogue: CurrentCatalogue, settings: AppSettings
) -> Response:
    name, content = project_ledger_file(session, project_no, catalogue.department_names(), settings.zone)
    return download(content, XLSX, name)


summary_router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])
Start = Annotated[date, Query(alias="from", description="first business date, inclusive")]
End = Annotated[date, Query(alias="to", description="last business date, inclusive")]


def _summary_rows(session: DbSession, settings: AppSettings, start: date, end: date) -> list[MonthRow]:
    if end < start:
        raise Unprocessable(f"to: {end} is before from: {start}", code="invalid_range")
    return summary(session, start, end, settings.zone)


@summary_router.get(
    "/projects",
    response_model=ProjectsSummaryOut,
    response_model_by_alias=True,
    summary="One-form projects across projects: collected, refunded and split, by department and month",
)
def projects_summary(
    _: AuditReader,
    session: DbSession,
    catalogue: CurrentCatalogue,
    settings: AppSettings,
    start: Start,
    end: End,
) -> ProjectsSummaryOut:
    rows = _summary_rows(session, settings, start, end)
    return ProjectsSummaryOut.of(start, end, rows, catalogue.department_names())


@summary_router.get(
    "/projects.xlsx",
    summary="The cross-project summary as a workbook",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def projects_summary_xlsx(
    _: AuditReader,
    session: DbSession,
    catalogue: CurrentCatalogue,
    settings: AppSettings,
    start: Start,
    end: End,
) -> Response:
    rows = _summary_rows(session, settings, start, end)
    return download(
        summary_workbook(rows, catalogue.department_names(), start, end),
        XLSX,
        f"项目汇总-{start}至{end}.xlsx",
    )
