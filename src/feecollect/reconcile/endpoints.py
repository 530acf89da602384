"""Statements, reconciliation runs and exceptions: finance works them, auditors read them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from feecollect.api.auth import Finance, FinanceReader
from feecollect.api.deps import AppSettings, CurrentCatalogue, DbSession
from feecollect.api.files import download
from feecollect.api.params import Offset, RowId
from feecollect.errors import NotFound, Unprocessable
from feecollect.money import format_yuan
from feecollect.proposals.endpoints import ProposalOut
from feecollect.reconcile import bulk_resolution, repository, results
from feecollect.reconcile.ageing import newest_business_date, oldest_business_date
from feecollect.reconcile.daily import MAX_UPLOAD, import_files
from feecollect.reconcile.line_return import propose_return
from feecollect.reconcile.manual_match import propose_match
from feecollect.reconcile.matching import EXCEPTION_CLASSES
from feecollect.reconcile.report import overdue_workbook
from feecollect.reconcile.results import day_report, day_report_name, propose_resolution, run_summary
from feecollect.reconcile.schemas import (
    AssignIn,
    ExceptionOut,
    ExceptionPage,
    MatchIn,
    ResolveIn,
    ReturnIn,
    RunIn,
    StatementLineOut,
)
from feecollect.reconcile.service import reconcile_day
from feecollect.xlsx import MEDIA_TYPE as XLSX

router = APIRouter(prefix="/api/v1", tags=["reconciliation (对账)"])
ClassFilter = Annotated[str | None, Query(alias="class", pattern="^(" + "|".join(EXCEPTION_CLASSES) + ")$")]
StatusFilter = Annotated[str | None, Query(pattern="^(open|resolved)$")]


@router.post("/statements", status_code=201, summary="Import bank statement files (multipart, field `file`)")
def upload_statements(
    principal: Finance,
    session: DbSession,
    settings: AppSettings,
    file: Annotated[list[UploadFile], File(description="one or more statement files")],
    account: Annotated[str | None, Form(description="account number, where a file names none")] = None,
) -> dict[str, Any]:
    files = []
    for upload in file:
        # A plain def, run in the thread pool: the import below is blocking database work.
        content = upload.file.read(MAX_UPLOAD + 1)
        if len(content) > MAX_UPLOAD:
            raise Unprocessable(f"{upload.filename}：文件超过 512 MiB", code="statement_too_large")
        files.append((upload.filename or "statement", content))
    report = import_files(session, settings, principal.actor, files, account)
    return {"statements": [s.as_dict() for s in report.statements]}


@router.post(
    "/statement-lines/{line_id}/match",
    response_model=ProposalOut,
    status_code=202,
    summary="Propose matching a special-account credit to the notice it pays; a second finance user approves",
)
def match_line(line_id: RowId, body: MatchIn, principal: Finance, session: DbSession) -> ProposalOut:
    return ProposalOut.of(propose_match(session, principal.actor, line_id, body.payment_code, body.reason))


@router.post(
    "/statement-lines/{line_id}/return",
    response_model=ProposalOut,
    status_code=202,
    summary="Propose sending an unidentified credit back to its payer; a second finance user approves",
)
def return_line(line_id: RowId, body: ReturnIn, principal: Finance, session: DbSession) -> ProposalOut:
    return ProposalOut.of(propose_return(session, principal.actor, line_id, body.bank_code, body.reason))


@router.get("/statement-lines/{line_id}", response_model=StatementLineOut, summary="One statement line")
def statement_line(line_id: RowId, principal: FinanceReader, session: DbSession) -> StatementLineOut:
    found = repository.line_with_origin(session, line_id)
    if found is None:
        raise NotFound(f"no statement line {line_id}")
    line, account_no, source = found
    return StatementLineOut(
        id=line.id,
        account=account_no,
        booked_on=line.booked_on,
        booked_at=line.booked_at,
        amount=format_yuan(line.amount_fen),
        currency=line.currency,
        counterparty_name=line.counterparty_name,
        counterparty_account=line.counterparty_account,
        remark=line.remark,
        serial=line.serial,
        payment_code=line.payment_code,
        source=source,
        line_no=line.line_no,
    )


@router.post("/reconciliations", summary="Run (or re-run) the reconciliation of a business date")
def run_reconciliation(
    body: RunIn, principal: Finance, session: DbSession, settings: AppSettings, catalogue: CurrentCatalogue
) -> dict[str, Any]:
    return reconcile_day(session, settings, catalogue, body.date, principal.actor).summary


@router.get("/reconciliations/{day}", summary="The summary of a date's reconciliation")
def get_reconciliation(day: date, principal: FinanceReader, session: DbSession) -> dict[str, Any]:
    return run_summary(session, day)


@router.get("/reconciliations/{day}/report.xlsx", summary="The date's report as xlsx")
def reconciliation_report(day: date, principal: FinanceReader, session: DbSession) -> Response:
    return download(day_report(session, day), XLSX, day_report_name(day))


@dataclass
class ExceptionQuery:
    """The filters and page of an exception listing (query parameters)."""

    exception_class: ClassFilter = None
    status: StatusFilter = None
    department: str | None = None
    assigned_to: Annotated[str | None, Query(max_length=64)] = None
    age_bucket: Annotated[str | None, Query(pattern="^(0-2|3-6|7-29|30\\+)$")] = None
    offset: Offset = 0
    limit: Annotated[int, Query(ge=1, le=500)] = 50

    def page(self, session: Session, day: date | None, today: date) -> ExceptionPage:
        between = None
        if self.age_bucket:
            between = (
                oldest_business_date(self.age_bucket, today),
                newest_business_date(self.age_bucket, today),
            )
        total, found = results.exceptions(
            session,
            day=day,
            exception_class=self.exception_class,
            status=self.status,
            department=self.department,
            assigned_to=self.assigned_to,
            booked_between=between,
            offset=self.offset,
            limit=self.limit,
        )
        items = [ExceptionOut.of(e, today) for e in found]
        return ExceptionPage(total=total, offset=self.offset, limit=self.limit, items=items)


Listing = Annotated[ExceptionQuery, Depends()]


@router.get(
    "/reconciliations/{day}/exceptions",
    response_model=ExceptionPage,
    response_model_by_alias=True,
    summary="Exceptions the run of a date found",
)
def day_exceptions(
    day: date, principal: FinanceReader, session: DbSession, settings: AppSettings, listing: Listing
) -> ExceptionPage:
    run_summary(session, day)  # 404 for a date never run
    return listing.page(session, day, datetime.now(settings.zone).date())


@router.get(
    "/exceptions", response_model=ExceptionPage, response_model_by_alias=True, summary="All exceptions"
)
def all_exceptions(
    principal: FinanceReader, session: DbSession, settings: AppSettings, listing: Listing
) -> ExceptionPage:
    return listing.page(session, None, datetime.now(settings.zone).date())


@router.get(
    "/exceptions.xlsx", summary="Open exceptions as a workbook with an empty 处理意见 column, for bulk work"
)
def exceptions_workbook(
    principal: FinanceReader, session: DbSession, settings: AppSettings, catalogue: CurrentCatalogue
) -> Response:
    today = datetime.now(settings.zone).date()
    name, content = bulk_resolution.open_exceptions_file(session, today, catalogue.department_names())
    return download(content, XLSX, name)


@router.post(
    "/exceptions/bulk",
    summary="Upload the workbook back: each filled 处理意见 becomes a proposal (dry_run=true writes nothing)",
)
def exceptions_bulk(
    principal: Finance,
    session: DbSession,
    settings: AppSettings,
    file: Annotated[UploadFile, File(description="the workbook of GET /exceptions.xlsx, filled in")],
    dry_run: Annotated[bool, Form()] = True,
) -> dict[str, Any]:
    content = file.file.read(bulk_resolution.MAX_UPLOAD + 1)
    if len(content) > bulk_resolution.MAX_UPLOAD:
        raise Unprocessable(f"{file.filename}：工作簿超过 64 MiB", code="invalid_workbook")
    today = datetime.now(settings.zone).date()
    outcome = bulk_resolution.upload(session, principal.actor, content, today=today)
    if dry_run:
        session.rollback()
    return outcome.as_dict() | {"dry_run": dry_run, "by_age_bucket": outcome.by_bucket}


@router.get(
    "/exceptions/{exception_id}",
    response_model=ExceptionOut,
    response_model_by_alias=True,
    summary="One exception with its evidence",
)
def one_exception(
    exception_id: RowId, principal: FinanceReader, session: DbSession, settings: AppSettings
) -> ExceptionOut:
    found = results.find_exception(session, exception_id)
    if found is None:
        raise NotFound(f"no exception {exception_id}")
    return ExceptionOut.of(found, datetime.now(settings.zone).date())


@router.post(
    "/exceptions/{exception_id}/assign",
    response_model=ExceptionOut,
    response_model_by_alias=True,
    summary="Give an open exception to a finance user to work",
)
def assign_exception(
    exception_id: RowId, body: AssignIn, principal: Finance, session: DbSession, settings: AppSettings
) -> ExceptionOut:
    assigned = results.assign(session, principal.actor, exception_id, body.user)
    return ExceptionOut.of(assigned, datetime.now(settings.zone).date())


@router.post(
    "/exceptions/{exception_id}/resolve",
    response_model=ProposalOut,
    status_code=202,
    summary="Propose resolving an exception with a reason; a second finance user approves it (SPEC §16)",
)
def resolve_exception(
    exception_id: RowId, body: ResolveIn, principal: Finance, session: DbSession
) -> ProposalOut:
    return ProposalOut.of(propose_resolution(session, principal.actor, exception_id, body.reason))


@router.get("/reports/overdue-notices.xlsx", summary="Overdue unpaid notices per department (办件预警)")
def overdue_report(
    principal: FinanceReader,
    session: DbSession,
    settings: AppSettings,
    catalogue: CurrentCatalogue,
    on: date | None = None,
    department: str | None = None,
) -> Response:
    today = on or datetime.now(settings.zone).date()
    rows = results.overdue_notices(session, today, department)
    names = catalogue.department_names()
    return download(overdue_workbook(rows, today, names), XLSX, f"逾期未缴-{today}.xlsx")
