from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from feecollect.api.auth import PUBLIC, CaseReader, Finance
from feecollect.api.deps import AppSettings, DbSession
from feecollect.api.files import PDF, shown
from feecollect.einvoices import service, signing
from feecollect.einvoices.keys import private_key, public_pem
from feecollect.einvoices.models import Bill
from feecollect.einvoices.pdf import render_bill
from feecollect.einvoices.xml import to_xml
from feecollect.errors import NotFound, Unprocessable
from feecollect.settings import Settings
from feecollect.users.principal import Principal
from feecollect.web.render import page

router = APIRouter(tags=["electronic fiscal bills (财政电子票据)"])


class BillOut(BaseModel):
    code: str
    number: str
    check_code: str
    kind: str
    status: str
    algorithm: str
    signature: str
    content: dict[str, Any]
    reversed_reason: str | None

    @classmethod
    def of(cls, bill: Bill) -> BillOut:
        return cls(
            code=bill.bill_code,
            number=bill.number,
            check_code=bill.check_code,
            kind=bill.kind,
            status=bill.status,
            algorithm=bill.algorithm,
            signature=bill.signature,
            content=bill.content,
            reversed_reason=bill.reverse_reason,
        )


class ReverseIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class VerificationOut(BaseModel):
    valid: bool
    detail: str
    code: str
    number: str
    status: str | None = None
    payer: str | None = None
    total: str | None = None
    issue_date: str | None = None


@router.get(
    "/api/v1/bills/public-key",
    response_class=PlainTextResponse,
    dependencies=[PUBLIC],
    summary="The Ed25519 public key that verifies every bill (PEM)",
)
def public_key(settings: AppSettings) -> str:
    return public_pem(private_key(settings).public_key())


def _bill_for(session: Session, principal: Principal, code: str, number: str) -> Bill:
    return service.readable_by(session, principal, code, number)[0]


@router.get("/api/v1/bills/{code}/{number}.xml", summary="The bill as signed XML")
def bill_xml(
    code: str, number: str, principal: CaseReader, session: DbSession, settings: AppSettings
) -> Response:
    bill = _bill_for(session, principal, code, number)
    return shown(
        to_xml(bill.content, bill.signature, bill.algorithm, settings.bill_region),
        "application/xml",
        f"bill-{code}-{number}.xml",
    )


@router.get("/api/v1/bills/{code}/{number}.pdf", summary="The bill as a printable receipt (PDF)")
def bill_pdf(
    code: str, number: str, principal: CaseReader, session: DbSession, settings: AppSettings
) -> Response:
    bill = _bill_for(session, principal, code, number)
    return shown(render_bill(bill, base_url=settings.public_base_url), PDF, f"bill-{code}-{number}.pdf")


@router.get("/api/v1/bills/{code}/{number}", response_model=BillOut, summary="The bill as JSON")
def bill_json(code: str, number: str, principal: CaseReader, session: DbSession) -> BillOut:
    return BillOut.of(_bill_for(session, principal, code, number))


@router.post(
    "/api/v1/bills/{code}/{number}/reverse",
    response_model=BillOut,
    status_code=201,
    summary="Red reversal (冲红): a negative bill referencing the original",
)
def reverse_bill(
    code: str, number: str, body: ReverseIn, principal: Finance, session: DbSession, settings: AppSettings
) -> BillOut:
    return BillOut.of(service.reverse(session, settings, principal, code, number, body.reason))


@router.get(
    "/verify",
    response_model=VerificationOut,
    dependencies=[PUBLIC],
    summary="Public verification by bill code, number and check code (JSON, or HTML for browsers)",
)
def verify(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    code: Annotated[str | None, Query(max_length=8)] = None,
    number: Annotated[str | None, Query(max_length=10)] = None,
    check: Annotated[str | None, Query(max_length=6)] = None,
    format: str | None = None,
) -> Any:
    wants_html = format == "html" or (format is None and "text/html" in request.headers.get("accept", ""))
    if not (code and number and check):
        if wants_html:  # the public page's empty form
            return page(request, "verify.html")
        missing = ", ".join(n for n, v in (("code", code), ("number", number), ("check", check)) if not v)
        raise Unprocessable(f"{missing}: required to verify a bill", code="invalid_request")
    result = _verification(session, settings, code, number, check)
    if wants_html:
        return page(request, "verify.html", result=result, code=code, number=number, check=check)
    return result


def _verification(
    session: Session, settings: Settings, code: str, number: str, check: str
) -> VerificationOut:
    try:
        bill = service.get(session, code, number)
    except NotFound:
        return VerificationOut(valid=False, detail="查无此票据 (no such bill)", code=code, number=number)
    if bill.check_code != check.upper():
        return VerificationOut(
            valid=False, detail="校验码不符 (check code does not match)", code=code, number=number
        )
    if not signing.verify(private_key(settings).public_key(), bill.content, bill.signature):
        return VerificationOut(
            valid=False, detail="签名无效 (signature does not verify)", code=code, number=number
        )
    main = bill.content["Main"]
    state = (
        "已冲红 (reversed)"
        if bill.status == "reversed"
        else ("红字票据 (reversal)" if bill.kind == "reversal" else "有效 (valid)")
    )
    return VerificationOut(
        valid=True,
        detail=state,
        code=code,
        number=number,
        status=bill.status,
        payer=bill.content["PayerParty"]["Name"],
        total=main["TotalAmount"],
        issue_date=main["IssueDate"],
    )
