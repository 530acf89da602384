from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from feecollect.api.auth import PUBLIC, CaseReader, Finance
from feecollect.api.deps import AppSettings, DbSession
from feecollect.api.files import PDF, shown
from feecollect.einvoices import service
from feecollect.einvoices.keys import private_key, public_pem
from feecollect.einvoices.models import Bill
from feecollect.einvoices.ofd import render_ofd
from feecollect.einvoices.pdf import render_bill, verification_url
from feecollect.einvoices.verification import recorded_signatures
from feecollect.einvoices.xml import to_xml
from feecollect.errors import NotFound, Unprocessable
from feecollect.proposals.endpoints import ProposalOut
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


class SignatureOut(BaseModel):
    role: str = Field(description="issuer (开票单位) or supervisor (财政监制)")
    key_id: str
    algorithm: str
    signed_at: str | None
    value: str = Field(description="base64 of the DER signature; empty where the role has not signed yet")


class CheckedSignatureOut(SignatureOut):
    valid: bool


class SignaturesOut(BaseModel):
    signatures: list[SignatureOut]


class KeyOut(BaseModel):
    key_id: str
    role: str
    algorithm: str
    public_key_pem: str
    valid_from: str | None
    valid_to: str | None


class KeysOut(BaseModel):
    keys: list[KeyOut]


class VerificationOut(BaseModel):
    valid: bool
    detail: str
    code: str
    number: str
    complete: bool = Field(False, description="every role has signed and every signature holds")
    reversed: bool = Field(False, description="a red reversal bill (冲红) stands against it")
    status: str | None = None
    payer: str | None = None
    total: str | None = None
    issue_date: str | None = None
    signatures: list[CheckedSignatureOut] = []


@router.get(
    "/api/v1/bills/public-key",
    response_class=PlainTextResponse,
    dependencies=[PUBLIC],
    summary="The Ed25519 public key of the bills issued before SM2 (PEM); see /api/v1/bills/keys",
)
def public_key(settings: AppSettings) -> str:
    return public_pem(private_key(settings).public_key())


@router.get(
    "/api/v1/bills/keys",
    response_model=KeysOut,
    dependencies=[PUBLIC],
    summary="Every key that signs or signed bills, by role, with its validity (old and rotated included)",
)
def signing_keys(session: DbSession, settings: AppSettings) -> KeysOut:
    return KeysOut(keys=[KeyOut(**key) for key in service.public_keys(session, settings)])


def _bill_for(session: Session, principal: Principal, code: str, number: str) -> Bill:
    return service.readable_by(session, principal, code, number)[0]


def _bill_xml(settings: Settings, bill: Bill) -> bytes:
    """The bill XML with the signatures it carries (downloaded, and attached to the OFD)."""
    return to_xml(bill.content, settings.bill_region, recorded_signatures(bill))


@router.get(
    "/api/v1/bills/{code}/{number}/signed-content",
    summary="The exact bytes the issuer signed: the canonical bill XML",
    responses={200: {"content": {"application/xml": {}}}},
)
def bill_signed_content(code: str, number: str, principal: CaseReader, session: DbSession) -> Response:
    bill = _bill_for(session, principal, code, number)
    if bill.signed_content is None:
        raise NotFound(
            f"bill {code}/{number} was signed with Ed25519 over its canonical JSON, not SM2",
            code="not_sm2_signed",
        )
    return Response(bill.signed_content.encode(), media_type="application/xml")


@router.get(
    "/api/v1/bills/{code}/{number}/signatures",
    response_model=SignaturesOut,
    summary="The bill's signatures: the issuer's, the supervisor's over signed-content + the issuer's DER",
)
def bill_signatures(code: str, number: str, principal: CaseReader, session: DbSession) -> SignaturesOut:
    bill = _bill_for(session, principal, code, number)
    return SignaturesOut(signatures=[SignatureOut(**asdict(s)) for s in recorded_signatures(bill)])


@router.get("/api/v1/bills/{code}/{number}.xml", summary="The bill as signed XML")
def bill_xml(
    code: str, number: str, principal: CaseReader, session: DbSession, settings: AppSettings
) -> Response:
    bill = _bill_for(session, principal, code, number)
    return shown(_bill_xml(settings, bill), "application/xml", f"bill-{code}-{number}.xml")


@router.get(
    "/api/v1/bills/{code}/{number}.pdf",
    summary="The bill as a printable receipt (PDF) with the signed bill XML attached as einvoice.xml",
)
def bill_pdf(
    code: str, number: str, principal: CaseReader, session: DbSession, settings: AppSettings
) -> Response:
    bill = _bill_for(session, principal, code, number)
    pdf = render_bill(bill, base_url=settings.public_base_url, signed_xml=_bill_xml(settings, bill))
    return shown(pdf, PDF, f"bill-{code}-{number}.pdf")


@router.get(
    "/api/v1/bills/{code}/{number}.ofd",
    summary="The bill as OFD (GB/T 33190) with the signed bill XML attached as einvoice.xml",
    responses={200: {"content": {"application/ofd": {}}}},
)
def bill_ofd(
    code: str, number: str, principal: CaseReader, session: DbSession, settings: AppSettings
) -> Response:
    bill = _bill_for(session, principal, code, number)
    document = render_ofd(
        bill,
        _bill_xml(settings, bill),
        verification_url(settings.public_base_url, bill),
        created=bill.issued_at,
    )
    return shown(document, "application/ofd", f"bill-{code}-{number}.ofd")


@router.get("/api/v1/bills/{code}/{number}", response_model=BillOut, summary="The bill as JSON")
def bill_json(code: str, number: str, principal: CaseReader, session: DbSession) -> BillOut:
    return BillOut.of(_bill_for(session, principal, code, number))


@router.post(
    "/api/v1/bills/{code}/{number}/reverse",
    response_model=ProposalOut,
    status_code=202,
    summary="Propose a red reversal (冲红); a second finance user approves it and the red bill is issued",
)
def reverse_bill(
    code: str, number: str, body: ReverseIn, principal: Finance, session: DbSession
) -> ProposalOut:
    return ProposalOut.of(service.propose_reversal(session, principal, code, number, body.reason))


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
        return VerificationOut(valid=False, detail="查无此票据", code=code, number=number)
    # Check codes before SM2 were upper-case hexadecimal; since, they are mixed-case as on real bills.
    legacy = bill.signed_content is None
    if (check.upper() if legacy else check) != bill.check_code:
        return VerificationOut(valid=False, detail="校验码不符", code=code, number=number)
    verification = service.verification_of(session, settings, bill)
    signatures = [CheckedSignatureOut(**check.as_dict()) for check in verification.signatures]
    if not verification.valid:
        return VerificationOut(
            valid=False,
            detail="签名无效：票据内容或签名已被改动",
            code=code,
            number=number,
            signatures=signatures,
        )
    main = bill.content["Main"]
    if not verification.complete:
        state = "待监制"
    elif bill.status == "reversed":
        state = "已冲红"
    else:
        state = "红字票据" if bill.kind == "reversal" else "有效"
    return VerificationOut(
        valid=True,
        detail=state,
        code=code,
        number=number,
        complete=verification.complete,
        reversed=bill.status == "reversed",
        status=bill.status,
        payer=bill.content["PayerParty"]["Name"],
        total=main["TotalAmount"],
        issue_date=main["IssueDate"],
        signatures=signatures,
    )
