"""Auditors (审计): projects and their ledgers with evidence, and the walk from a bill or a statement line
to the notice, the case, the item version and its legal basis; the audit chain's state."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from feecollect.api.deps import AppSettings, CurrentCatalogue, DbSession
from feecollect.api.files import download
from feecollect.api.params import RowId
from feecollect.audit import sealing
from feecollect.einvoices import service as bills
from feecollect.errors import NotFound
from feecollect.notices import service as notices
from feecollect.projects import project_ledger as ledgers
from feecollect.projects import service as projects
from feecollect.projects.project_ledger import EVENT_NAMES, Evidence
from feecollect.projects.project_ledger_report import project_ledger_file
from feecollect.reconcile import results
from feecollect.web.auth import AuditorPage, FinanceOrAuditorPage, ReaderPage
from feecollect.web.render import page
from feecollect.xlsx import MEDIA_TYPE as XLSX

router = APIRouter(include_in_schema=False)


def evidence_link(evidence: Evidence) -> str | None:
    """Where a piece of evidence is shown on the pages (the API's address, less its prefix)."""
    if evidence.kind in ("notice", "bill", "statement_line") and evidence.url:
        return evidence.url.removeprefix("/api/v1")
    if evidence.kind in ("project", "settlement"):
        return f"/auditor/projects/{evidence.ref}"
    return None


@router.get("/auditor")
def auditor_home(request: Request, user: AuditorPage, session: DbSession, settings: AppSettings) -> Response:
    return page(
        request,
        "auditor/home.html",
        user,
        projects=projects.recent(session),
        chain=sealing.verify(session, sealing.checkpoint_key(settings.secret_key.get_secret_value())),
    )


@router.get("/auditor/projects/{project_no}")
def project_page(
    project_no: str,
    request: Request,
    user: FinanceOrAuditorPage,
    session: DbSession,
    catalogue: CurrentCatalogue,
    settings: AppSettings,
) -> Response:
    ledger = ledgers.project_ledger(session, projects.get(session, project_no))
    return page(
        request,
        "auditor/project.html",
        user,
        ledger=ledger,
        names=catalogue.department_names(),
        event_names=EVENT_NAMES,
        link=evidence_link,
        zone=settings.zone,
    )


@router.get("/auditor/projects/{project_no}/ledger.xlsx")
def project_workbook(
    project_no: str,
    user: FinanceOrAuditorPage,
    session: DbSession,
    catalogue: CurrentCatalogue,
    settings: AppSettings,
) -> Response:
    name, content = project_ledger_file(session, project_no, catalogue.department_names(), settings.zone)
    return download(content, XLSX, name)


@router.get("/bills/{code}/{number}")
def bill_page(code: str, number: str, request: Request, user: ReaderPage, session: DbSession) -> Response:
    bill, notice = bills.readable_by(session, user.principal, code, number, label=f"票据 {code}/{number}")
    return page(request, "auditor/bill.html", user, bill=bill, notice=notice)


@router.get("/statement-lines/{line_id}")
def statement_line_page(
    line_id: RowId, request: Request, user: FinanceOrAuditorPage, session: DbSession
) -> Response:
    found = results.statement_line(session, line_id)
    if found is None:
        raise NotFound(f"没有编号为 {line_id} 的对账单明细")
    line, account_no, source = found
    notice = notices.find(session, line.payment_code) if line.payment_code else None
    return page(
        request, "auditor/line.html", user, line=line, account_no=account_no, source=source, notice=notice
    )
