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
from feecollect.api.files import PDF, shown
from feecollect.billing.quote import QuoteRefused, quote
from feecollect.cases import service as cases
from feecollect.cases.schemas import CaseIn
from feecollect.einvoices import service as einvoices
from feecollect.errors import FeeCollectError, Unprocessable
from feecollect.notices import service as notices
from feecollect.reconcile.accounts import notice_payee
from feecollect.schedules.catalogue import Catalogue
from feecollect.settings import Settings
from feecollect.web.auth import ClerkPage, PageUser, ReaderPage
from feecollect.web.render import page
from feecollect.wording import REFUSALS, input_problem, parameter_name

router = APIRouter(include_in_schema=False)


ITEM_ROWS = 5  # rows of the items table on a blank form; a refused form keeps every row it had


def _home(
    request: Request,
    user: PageUser,
    session: Session,
    settings: Settings,
    catalogue: Catalogue,
    **context: Any,
) -> HTMLResponse:
    today = datetime.now(settings.zone).date()
    todays = notices.issued_today(session, user.principal.department, today)
    offered = [i for i in catalogue.in_force(today) if i.department.code == user.principal.department]
    reliefs = {r.flag: r.name or r.flag for item in offered for r in item.reliefs}
    blank = {
        "service_date": today.isoformat(),
        "id_type": "uscc",
        "rows": [("", "")] * ITEM_ROWS,
        "flags": [],
    }
    context.setdefault("form", blank)
    context.setdefault("problems", {})
    return page(
        request,
        "clerk/home.html",
        user,
        today=today,
        notices=todays,
        offered=offered,
        reliefs=sorted(reliefs.items()),
        parameter_name=parameter_name,
        **context,
    )


@router.get("/clerk")
def clerk_home(
    request: Request, user: ClerkPage, session: DbSession, settings: AppSettings, catalogue: CurrentCatalogue
) -> Response:
    return _home(request, user, session, settings, catalogue)


@router.get("/clerk/find")
def find_case(
    request: Request,
    user: ClerkPage,
    session: DbSession,
    settings: AppSettings,
    catalogue: CurrentCatalogue,
    case_no: str = "",
) -> Response:
    case_no = case_no.strip()
    if case_no and cases.exists(session, case_no):
        return RedirectResponse(f"/clerk/cases/{case_no}", status_code=303)
    missing = f"未找到办件 {case_no}" if case_no else "请输入办件号"
    return _home(request, user, session, settings, catalogue, error=missing)


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
    flag: Annotated[list[str] | None, Form()] = None,
    item: Annotated[list[str] | None, Form()] = None,
    quantity: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Items come as rows of the form: a fee item chosen from the department's, and its quantity."""
    chosen, amounts = item or [], quantity or []
    rows = [(code.strip(), (amounts[n] if n < len(amounts) else "").strip()) for n, code in enumerate(chosen)]
    filled = [(code, amount) for code, amount in rows if code]
    form = {
        "case_no": case_no,
        "window": window,
        "service_date": service_date,
        "applicant_name": applicant_name,
        "id_type": id_type,
        "id_no": id_no,
        "flags": flag or [],
        "rows": rows or [("", "")] * ITEM_ROWS,
    }
    body = {
        "case_no": case_no.strip(),
        "window": window.strip(),
        "department": user.principal.department,
        "service_date": service_date,
        "applicant": {"name": applicant_name.strip(), "id_type": id_type, "id_no": id_no.strip()},
        "payer": {"flags": flag or []},
        "items": [{"item": code, **({"quantity": amount} if amount else {})} for code, amount in filled],
    }
    try:
        data = CaseIn.model_validate(body).data()
        case = cases.register(
            session, catalogue, user.principal.actor, data, departments={user.principal.department or ""}
        )
    except ValidationError as exc:
        found = [input_problem(tuple(e["loc"]), e["type"], e.get("ctx")) for e in exc.errors()]
        problems = _by_row(dict(found), filled)
        return _refused(request, user, session, settings, catalogue, form, problems)
    except Unprocessable as exc:
        session.rollback()
        problems = _by_row(exc.wordings, filled) or {"": REFUSALS.get(exc.code, exc.detail)}
        return _refused(request, user, session, settings, catalogue, form, problems)
    except FeeCollectError as exc:
        session.rollback()
        problems = {"": REFUSALS.get(exc.code, exc.detail)}
        return _refused(request, user, session, settings, catalogue, form, problems)
    return RedirectResponse(f"/clerk/cases/{case.case_no}", status_code=303)


def _by_row(problems: dict[str, str], filled: list[tuple[str, str]]) -> dict[str, str]:
    """The filled rows are numbered among themselves; a problem of ``items[k]`` belongs to the k-th
    filled row, which the page shows beside that row (``row:CODE``)."""
    placed = {}
    for field, wording in problems.items():
        if field.startswith("items[") and field[6:-1].split("]")[0].isdigit():
            k = int(field[6:].split("]")[0])
            placed[f"row:{filled[k][0]}" if k < len(filled) else "items"] = wording
        else:
            placed[field.split("[")[0] if field.startswith("items") else field] = wording
    return placed


def _refused(
    request: Request,
    user: PageUser,
    session: Session,
    settings: Settings,
    catalogue: Catalogue,
    form: dict[str, Any],
    problems: dict[str, str],
) -> HTMLResponse:
    listed = "；".join(problems.values())
    return _home(
        request, user, session, settings, catalogue, form=form, problems=problems, error=f"登记失败：{listed}"
    )


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
