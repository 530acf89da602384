"""The window (窗口): find or register a case, see its quote line by line, issue and print the notice,
follow the day's notices, void an unpaid one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from feecollect.api.deps import AppSettings, CurrentCatalogue, DbSession
from feecollect.api.errors import validation_detail
from feecollect.api.files import PDF, shown
from feecollect.billing.quote import QuoteRefused, quote
from feecollect.cases import service as cases
from feecollect.cases.schemas import CaseIn
from feecollect.einvoices import service as einvoices
from feecollect.errors import FeeCollectError
from feecollect.notices import service as notices
from feecollect.reconcile.accounts import notice_payee
from feecollect.settings import Settings
from feecollect.web.auth import ClerkPage, PageUser, ReaderPage
from feecollect.web.render import page

router = APIRouter(include_in_schema=False)


def _home(
    request: Request, user: PageUser, session: Session, settings: Settings, **context: Any
) -> HTMLResponse:
    today = datetime.now(settings.zone).date()
    todays = notices.issued_today(session, user.principal.department, today)
    blank = {"service_date": today.isoformat(), "window": "", "id_type": "uscc", "items": ""}
    context.setdefault("form", blank)
    return page(request, "clerk/home.html", user, today=today, notices=todays, **context)


@router.get("/clerk")
def clerk_home(request: Request, user: ClerkPage, session: DbSession, settings: AppSettings) -> Response:
    return _home(request, user, session, settings)


@router.get("/clerk/find")
def find_case(
    request: Request, user: ClerkPage, session: DbSession, settings: AppSettings, case_no: str = ""
) -> Response:
    case_no = case_no.strip()
    if case_no and cases.exists(session, case_no):
        return RedirectResponse(f"/clerk/cases/{case_no}", status_code=303)
    return _home(
        request, user, session, settings, error=f"未找到办件 {case_no}" if case_no else "请输入办件号"
    )


@router.post("/clerk/cases")
def register_case(
    request: Request,
    user: ClerkPage,
    session: DbSession,
    settings: AppSettings,
    catalogue: CurrentCatalogue,
    case_no: Annotated[str, Form()] = "",
    window: Annotated[str, Form()] = "",
    service_date: Annotated[str, Form()] = "",
    applicant_name: Annotated[str, Form()] = "",
    id_type: Annotated[str, Form()] = "uscc",
    id_no: Annotated[str, Form()] = "",
    flags: Annotated[str, Form()] = "",
    items: Annotated[str, Form()] = "",
) -> Response:
    """Items one per line: ``ITEM`` or ``ITEM QUANTITY``."""
    form = {
        "case_no": case_no,
        "window": window,
        "service_date": service_date,
        "applicant_name": applicant_name,
        "id_type": id_type,
        "id_no": id_no,
        "flags": flags,
        "items": items,
    }
    lines = [line.split() for line in items.splitlines() if line.strip()]
    body = {
        "case_no": case_no.strip(),
        "window": window.strip(),
        "department": user.principal.department,
        "service_date": service_date,
        "applicant": {"name": applicant_name.strip(), "id_type": id_type, "id_no": id_no.strip()},
        "payer": {"flags": [f for f in flags.replace("，", ",").split(",") if f.strip()]},
        "items": [
            {"item": parts[0], **({"quantity": parts[1]} if len(parts) > 1 else {})} for parts in lines
        ],
    }
    try:
        data = CaseIn.model_validate(body).data()
        case = cases.register(
            session, catalogue, user.principal.actor, data, departments={user.principal.department or ""}
        )
    except ValidationError as exc:
        return _home(
            request, user, session, settings, form=form, error=f"登记失败：{validation_detail(exc.errors())}"
        )
    except FeeCollectError as exc:
        session.rollback()
        return _home(request, user, session, settings, form=form, error=f"登记失败：{exc.detail}")
    return RedirectResponse(f"/clerk/cases/{case.case_no}", status_code=303)


@router.get("/clerk/cases/{case_no}")
def case_page(
    case_no: str, request: Request, user: ReaderPage, session: DbSession, catalogue: CurrentCatalogue
) -> Response:
    case = cases.get(session, case_no)
    user.principal.require_department(case.department_code, f"办件 {case_no}")
    live = notices.live_notice_of_case(session, case.id)
    try:
        priced = quote(catalogue, cases.data_of(case).quote_request())
        refused = None
    except QuoteRefused as exc:
        priced, refused = None, "；".join(e.detail for e in exc.errors)
    reliefs = "、".join(catalogue.relief_names().get(flag, flag) for flag in case.payer_flags)
    return page(
        request, "clerk/case.html", user, case=case, quote=priced, refused=refused, live=live, reliefs=reliefs
    )


@router.post("/clerk/cases/{case_no}/notice")
def issue_notice(
    case_no: str,
    user: ClerkPage,
    session: DbSession,
    settings: AppSettings,
    catalogue: CurrentCatalogue,
) -> Response:
    notice = notices.issue(session, catalogue, settings, user.principal, case_no)
    return RedirectResponse(f"/notices/{notice.payment_code}?issued=1", status_code=303)


@router.get("/notices/{payment_code}.pdf")
def notice_pdf(
    payment_code: str,
    user: ReaderPage,
    session: DbSession,
    settings: AppSettings,
    catalogue: CurrentCatalogue,
) -> Response:
    name, pdf = notices.printable_pdf(
        session, settings, catalogue, user.principal, payment_code, notice_payee(session)
    )
    return shown(pdf, PDF, name)


@router.get("/notices/{payment_code}")
def notice_page(
    payment_code: str, request: Request, user: ReaderPage, session: DbSession, issued: int = 0
) -> Response:
    notice = notices.get(session, payment_code)
    user.principal.require_department(notice.department_code, f"缴款通知书 {payment_code}")
    bill = einvoices.live_bill_of_notice(session, notice.id)
    message = "缴款通知书已开具，请打印交缴款人" if issued else None
    return page(request, "clerk/notice.html", user, notice=notice, bill=bill, message=message)


@router.post("/notices/{payment_code}/void")
def void_notice(
    payment_code: str,
    user: ClerkPage,
    session: DbSession,
    reason: Annotated[str, Form()] = "",
) -> Response:
    notices.void(session, user.principal, payment_code, reason)
    return RedirectResponse(f"/notices/{payment_code}", status_code=303)
