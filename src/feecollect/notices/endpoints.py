from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from feecollect.api.auth import CaseReader, Clerk
from feecollect.api.deps import AppSettings, CurrentCatalogue, DbSession
from feecollect.api.files import PDF, shown
from feecollect.api.params import Offset
from feecollect.einvoices import repository as bills
from feecollect.notices import repository
from feecollect.notices import service as notices
from feecollect.notices.models import Notice
from feecollect.notices.schemas import BillRef, NoticeListOut, NoticeOut, VoidIn
from feecollect.notices.status import NoticeStatus
from feecollect.reconcile.accounts import notice_payee

router = APIRouter(prefix="/api/v1", tags=["payment notices (缴款通知书)"])
PaymentCode = Annotated[str, Path(pattern=r"^\d{20}$", description="the 20-digit payment code")]


@router.post(
    "/cases/{case_no}/notices",
    response_model=NoticeOut,
    status_code=201,
    summary="Issue the case's payment notice at the lowest lawful rate",
)
def issue_notice(
    case_no: str, principal: Clerk, session: DbSession, catalogue: CurrentCatalogue, settings: AppSettings
) -> NoticeOut:
    return NoticeOut.of(notices.issue(session, catalogue, settings, principal, case_no))


@router.get(
    "/notices",
    response_model=NoticeListOut,
    summary="Notices, newest first (a clerk sees their department's)",
)
def list_notices(
    principal: CaseReader,
    session: DbSession,
    department: str | None = None,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(NoticeStatus) + ")$")] = None,
    date_from: Annotated[date | None, Query(description="issued on or after")] = None,
    date_to: Annotated[date | None, Query(description="issued on or before")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> NoticeListOut:
    department = principal.listing_department(department)
    rows = repository.listing(
        session,
        department=department,
        status=status,
        date_from=date_from,
        date_to=date_to,
        case_id=None,
        limit=limit,
        offset=offset,
    )
    return NoticeListOut(items=[_with_bill(session, n) for n in rows], limit=limit, offset=offset)


@router.get(
    "/notices/{payment_code}.pdf",
    response_class=Response,
    summary="The printable notice (A4 PDF)",
    responses={200: {"content": {"application/pdf": {}}}},
)
def notice_pdf(
    payment_code: PaymentCode,
    principal: CaseReader,
    session: DbSession,
    catalogue: CurrentCatalogue,
    settings: AppSettings,
) -> Response:
    name, pdf = notices.printable_pdf(
        session, settings, catalogue, principal, payment_code, notice_payee(session)
    )
    return shown(pdf, PDF, name)


@router.get("/notices/{payment_code}", response_model=NoticeOut, summary="One notice")
def get_notice(payment_code: PaymentCode, principal: CaseReader, session: DbSession) -> NoticeOut:
    notice = notices.get(session, payment_code)
    principal.require_department(notice.department_code, f"notice {payment_code}")
    return _with_bill(session, notice)


@router.post(
    "/notices/{payment_code}/void", response_model=NoticeOut, summary="Void an unpaid notice, with a reason"
)
def void_notice(payment_code: PaymentCode, body: VoidIn, principal: Clerk, session: DbSession) -> NoticeOut:
    return NoticeOut.of(notices.void(session, principal, payment_code, body.reason))


def _with_bill(session: Session, notice: Notice) -> NoticeOut:
    out = NoticeOut.of(notice)
    bill = bills.live_bill_of_notice(session, notice.id)
    if bill is not None:
        out.bill = BillRef(code=bill.bill_code, number=bill.number, check_code=bill.check_code)
    return out
