"""Finance (财务): upload statements, run the day's reconciliation, work its exceptions, download the
report, follow overdue notices, settle construction projects."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from feecollect.api.deps import AppSettings, CurrentCatalogue, DbSession
from feecollect.api.files import download
from feecollect.api.params import RowId
from feecollect.bank import repository as banks_repository
from feecollect.errors import FeeCollectError, NotFound, Unprocessable
from feecollect.notices import service as notices
from feecollect.projects import settlement_service
from feecollect.projects.declaration import CONSTRUCTION_FAMILY
from feecollect.proposals import service as proposals
from feecollect.reconcile import bulk_resolution, results
from feecollect.reconcile.daily import MAX_UPLOAD, import_files
from feecollect.reconcile.line_return import propose_return
from feecollect.reconcile.manual_match import propose_match
from feecollect.reconcile.results import propose_resolution, run_summary
from feecollect.reconcile.rows import OverdueNotice
from feecollect.reconcile.service import reconcile_day
from feecollect.schedules.service import CatalogueProvider
from feecollect.settings import Settings
from feecollect.users import repository as users_repository
from feecollect.web.auth import FinanceOrAuditorPage, FinancePage, PageUser
from feecollect.web.render import page
from feecollect.wording import PROPOSAL_STATUS, REFUSALS, parameter_name
from feecollect.xlsx import MEDIA_TYPE as XLSX

router = APIRouter(include_in_schema=False)
PAGE = 200  # exceptions listed on the page; the xlsx report has them all


def _home(
    request: Request,
    user: PageUser,
    session: Session,
    settings: Settings,
    day: date | None,
    **context: Any,
) -> Response:
    # The day finance last reconciled is the one it comes back to; before any run, yesterday.
    yesterday = datetime.now(settings.zone).date() - timedelta(days=1)
    day = day or results.latest_reconciled_day(session) or yesterday
    try:
        summary = run_summary(session, day)
    except NotFound:
        summary = None
    total, found = results.exceptions(session, day=day, limit=PAGE) if summary else (0, [])
    amounts = results.amounts_by_class(session, day) if summary else {}
    context.setdefault("settlement", {"project_no": "", "values": {}, "problems": {}})
    return page(
        request,
        "finance/home.html",
        user,
        day=day,
        summary=summary,
        exceptions=found,
        amounts=amounts,
        total=total,
        run_at=datetime.fromisoformat(summary["run_at"]) if summary else None,
        regressed_days=results.days_with_regressions(session, day - timedelta(days=60), day),
        ageing=results.open_by_age_bucket(session, datetime.now(settings.zone).date()),
        parameters=_construction_parameters(request, session, datetime.now(settings.zone).date()),
        parameter_name=parameter_name,
        **context,
    )


def _construction_parameters(request: Request, session: Session, on: date) -> list[tuple[str, str]]:
    """(parameter, unit) of every construction fee in force: what a settlement states."""
    provider: CatalogueProvider = request.app.state.catalogue_provider
    found: dict[str, str] = {}
    for item in provider.get(session).in_force(on):
        if item.family == CONSTRUCTION_FAMILY and item.parameter:
            found.setdefault(item.parameter, item.unit)
    return sorted(found.items())


@router.get("/finance")
def finance_home(
    request: Request, user: FinancePage, session: DbSession, settings: AppSettings, date: date | None = None
) -> Response:
    return _home(request, user, session, settings, date)


@router.post("/finance/statements")
def upload_statement(
    request: Request,
    user: FinancePage,
    session: DbSession,
    settings: AppSettings,
    file: Annotated[UploadFile, File()],
    account: Annotated[str, Form()] = "",
) -> Response:
    content = file.file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise Unprocessable(f"{file.filename}：文件超过 512 MiB", code="statement_too_large")
    report = import_files(
        session, settings, user.principal.actor, [(file.filename or "statement", content)], account or None
    )
    imported = "；".join(
        f"{s.source}：账户 {s.account_no}，{s.lines} 笔，新增 {s.new_lines} 笔"
        f"（{s.first_date} 至 {s.last_date}）"
        for s in report.statements
    )
    last = max((s.last_date for s in report.statements), default=None)
    shown = date.fromisoformat(last) if last else None
    stale = sorted(
        {
            day
            for s in report.statements
            if s.new_lines
            for day in results.reconciled_days(
                session, date.fromisoformat(s.first_date), date.fromisoformat(s.last_date)
            )
        }
    )
    rerun = f"；{'、'.join(map(str, stale))} 已对账，新导入的明细需重新对账后才计入" if stale else ""
    return _home(request, user, session, settings, shown, message=f"已导入 {imported}{rerun}")


@router.post("/finance/reconciliations")
def run_reconciliation(
    user: FinancePage,
    session: DbSession,
    settings: AppSettings,
    catalogue: CurrentCatalogue,
    day: Annotated[date, Form(alias="date")] = ...,  # type: ignore[assignment]
) -> Response:
    reconcile_day(session, settings, catalogue, day, user.principal.actor)
    return RedirectResponse(f"/finance?date={day}", status_code=303)


@router.get("/finance/reconciliations/{day}/report.xlsx")
def report(day: date, user: FinanceOrAuditorPage, session: DbSession) -> Response:
    return download(results.day_report(session, day), XLSX, results.day_report_name(day))


@router.get("/finance/exceptions/{exception_id}")
def exception_page(
    exception_id: RowId, request: Request, user: FinanceOrAuditorPage, session: DbSession
) -> Response:
    found = results.find_exception(session, exception_id)
    if found is None:
        raise NotFound(f"没有编号为 {exception_id} 的对账异常")
    codes = [found.evidence.get(key) for key in ("payment_code", "suggested_notice")]
    known = {code for code in codes if code and notices.find(session, str(code)) is not None}
    resolutions = results.resolution_proposals(session, exception_id)
    return page(
        request,
        "finance/exception.html",
        user,
        exception=found,
        known_notice=lambda code: code in known,
        proposals=resolutions,
        history=results.exception_history(session, found, resolutions),
        finance_users=users_repository.finance_users(session),
        banks=banks_repository.banks(session),
    )


@router.get("/finance/exceptions.xlsx")
def exceptions_workbook(
    user: FinancePage, session: DbSession, settings: AppSettings, catalogue: CurrentCatalogue
) -> Response:
    today = datetime.now(settings.zone).date()
    name, content = bulk_resolution.open_exceptions_file(session, today, catalogue.department_names())
    return download(content, XLSX, name)


@router.post("/finance/exceptions/bulk")
def exceptions_bulk(
    request: Request,
    user: FinancePage,
    session: DbSession,
    settings: AppSettings,
    file: Annotated[UploadFile, File()],
    dry_run: Annotated[str, Form()] = "",
) -> Response:
    """The filled workbook back: a dry run says what would change; for real, the proposals are made."""
    content = file.file.read(bulk_resolution.MAX_UPLOAD + 1)
    if len(content) > bulk_resolution.MAX_UPLOAD:
        raise Unprocessable(f"{file.filename}：工作簿超过 64 MiB", code="invalid_workbook")
    today = datetime.now(settings.zone).date()
    outcome = bulk_resolution.upload(session, user.principal.actor, content, today=today)
    trial = dry_run == "on"
    if trial:
        session.rollback()
    said = "试算（未写入）" if trial else "已提交审核"
    problems = "；".join(f"第 {p['row']} 行：{p['detail']}" for p in outcome.problems[:20])
    more = f"等 {len(outcome.problems)} 处" if len(outcome.problems) > 20 else ""
    message = f"{said}：{outcome.proposals} 项处理提议，{outcome.unchanged} 项未填处理意见"
    error = f"以下行未处理：{problems}{more}" if outcome.problems else None
    return _home(request, user, session, settings, None, message=message, error=error)


@router.post("/finance/exceptions/{exception_id}/match")
def match_exception_line(
    exception_id: RowId,
    user: FinancePage,
    session: DbSession,
    payment_code: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """An unidentified credit matched by hand to the notice it pays: a proposal for a second user."""
    line_id = _statement_line_of(session, exception_id, "没有可匹配的对账异常")
    propose_match(session, user.principal.actor, line_id, payment_code, reason)
    return RedirectResponse("/finance/proposals", status_code=303)


@router.post("/finance/exceptions/{exception_id}/return")
def return_exception_line(
    exception_id: RowId,
    user: FinancePage,
    session: DbSession,
    bank_code: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """An unidentified credit sent back to its payer by the bank: a proposal for a second user."""
    line_id = _statement_line_of(session, exception_id, "没有可退回的对账异常")
    propose_return(session, user.principal.actor, line_id, bank_code, reason)
    return RedirectResponse("/finance/proposals", status_code=303)


def _statement_line_of(session: Session, exception_id: int, refusal: str) -> int:
    """The statement line an exception is about; ``refusal`` says why not when it has none."""
    found = results.find_exception(session, exception_id)
    if found is None or not found.evidence.get("statement_line"):
        raise NotFound(f"{refusal} {exception_id}")
    return int(found.evidence["statement_line"])


@router.post("/finance/exceptions/{exception_id}/assign")
def assign_exception(
    exception_id: RowId, user: FinancePage, session: DbSession, assignee: Annotated[str, Form()] = ""
) -> Response:
    results.assign(session, user.principal.actor, exception_id, assignee)
    return RedirectResponse(f"/finance/exceptions/{exception_id}", status_code=303)


@router.post("/finance/exceptions/{exception_id}/resolve")
def resolve_exception(
    exception_id: RowId,
    user: FinancePage,
    session: DbSession,
    reason: Annotated[str, Form()] = "",
) -> Response:
    propose_resolution(session, user.principal.actor, exception_id, reason)
    return RedirectResponse(f"/finance/exceptions/{exception_id}", status_code=303)


@router.get("/finance/proposals")
def proposals_page(
    request: Request, user: FinanceOrAuditorPage, session: DbSession, status: str = "proposed"
) -> Response:
    """待审核: what other finance users proposed, with the evidence to decide it."""
    status = status if status in PROPOSAL_STATUS else "proposed"
    found = proposals.listing(session, status)
    ids = [int(p.object_id) for p in found if p.action == "resolve_exception" and p.object_id.isdigit()]
    exceptions = {str(i): e for i, e in results.exceptions_by_ids(session, ids).items()}
    return page(
        request, "finance/proposals.html", user, proposals=found, status=status, exceptions=exceptions
    )


@router.post("/finance/proposals/{proposal_id}/approve")
def approve_proposal(
    proposal_id: RowId, user: FinancePage, session: DbSession, settings: AppSettings
) -> Response:
    proposals.approve(session, settings, user.principal.actor, proposal_id)
    return RedirectResponse("/finance/proposals?status=approved", status_code=303)


@router.post("/finance/proposals/{proposal_id}/reject")
def reject_proposal(
    proposal_id: RowId, user: FinancePage, session: DbSession, reason: Annotated[str, Form()] = ""
) -> Response:
    proposals.reject(session, user.principal.actor, proposal_id, reason)
    return RedirectResponse("/finance/proposals?status=rejected", status_code=303)


@router.get("/finance/overdue")
def overdue(
    request: Request,
    user: FinancePage,
    session: DbSession,
    settings: AppSettings,
    catalogue: CurrentCatalogue,
) -> Response:
    today = datetime.now(settings.zone).date()
    by_department: dict[str, list[OverdueNotice]] = {}
    for row in results.overdue_notices(session, today):
        by_department.setdefault(row.department, []).append(row)
    names = catalogue.department_names()
    return page(
        request,
        "finance/overdue.html",
        user,
        today=today,
        by_department=sorted(by_department.items()),
        names=names,
    )


@router.post("/finance/settlements")
def settle(
    request: Request,
    user: FinancePage,
    session: DbSession,
    settings: AppSettings,
    catalogue: CurrentCatalogue,
    project_no: Annotated[str, Form()] = "",
    param: Annotated[list[str] | None, Form()] = None,
    value: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """The actual parameters at completion, one field per parameter the construction fees are charged
    on (named, with its unit); a field left empty is not given."""
    given = list(zip(param or [], value or [], strict=False))
    typed = {name: text for name, text in given}
    actual: dict[str, Decimal] = {}
    problems = {}
    for name, text in given:
        if text.strip():
            try:
                actual[name] = Decimal(text.strip().replace(",", ""))
            except InvalidOperation:
                problems[f"params.{name}"] = f"{parameter_name(name)}：{text.strip()} 不是数字"
    if problems:
        return _settlement_refused(request, user, session, settings, project_no, typed, problems)
    try:
        outcome = settlement_service.settle_project(
            session, catalogue, settings, user.principal, project_no.strip(), actual
        )
    except Unprocessable as exc:
        session.rollback()
        found = exc.wordings or {"": REFUSALS.get(exc.code, exc.detail)}
        return _settlement_refused(request, user, session, settings, project_no, typed, found)
    except FeeCollectError as exc:
        session.rollback()
        found = {"": REFUSALS.get(exc.code, exc.detail)}
        return _settlement_refused(request, user, session, settings, project_no, typed, found)
    return page(request, "finance/settled.html", user, outcome=outcome)


def _settlement_refused(
    request: Request,
    user: PageUser,
    session: Session,
    settings: Settings,
    project_no: str,
    typed: dict[str, str],
    problems: dict[str, str],
) -> Response:
    """The finance page again, the settlement form as it was filled, each problem beside its field."""
    listed = "；".join(problems.values())
    settlement = {"project_no": project_no, "values": typed, "problems": problems}
    return _home(
        request,
        user,
        session,
        settings,
        None,
        error=f"决算未完成：{listed}",
        settlement=settlement,
        status_code=422 if any(k.startswith("params.") for k in problems) else 200,
    )
