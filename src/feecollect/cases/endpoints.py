from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, UploadFile
from sqlalchemy.orm import Session

from feecollect.api.auth import CaseReader, Clerk
from feecollect.api.deps import CurrentCatalogue, DbSession
from feecollect.api.params import Offset
from feecollect.cases import repository
from feecollect.cases import service as cases
from feecollect.cases.importing import MAX_BYTES, locate, parse_import
from feecollect.cases.models import Case
from feecollect.cases.schemas import CaseIn, CaseListOut, CaseOut, ImportOut, ReasonIn
from feecollect.notices import repository as notices_repository
from feecollect.notices import service as notices
from feecollect.users.principal import Forbidden

router = APIRouter(prefix="/api/v1/cases", tags=["cases (办件)"])


def _out(session: Session, case: Case) -> CaseOut:
    notices = notices_repository.listing(
        session,
        department=None,
        status=None,
        date_from=None,
        date_to=None,
        case_id=case.id,
        limit=100,
        offset=0,
    )
    return CaseOut.of(case, list(notices))


@router.post("", response_model=CaseOut, status_code=201, summary="Register a case at the window")
def register_case(body: CaseIn, principal: Clerk, session: DbSession, catalogue: CurrentCatalogue) -> CaseOut:
    principal.require_department(body.department, f"case {body.case_no}")
    departments = {principal.department or ""}
    return CaseOut.of(
        cases.register(session, catalogue, principal.actor, body.data(), departments=departments)
    )


@router.get("", response_model=CaseListOut, summary="Cases, newest first (a clerk sees their department's)")
def list_cases(
    principal: CaseReader,
    session: DbSession,
    department: str | None = None,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> CaseListOut:
    department = principal.listing_department(department)
    rows = repository.listing(session, department=department, status=status, limit=limit, offset=offset)
    return CaseListOut(items=[_out(session, case) for case in rows], limit=limit, offset=offset)


@router.post(
    "/import", response_model=ImportOut, summary="Import cases from the approval system (CSV or XLSX)"
)
def import_cases(
    file: UploadFile, principal: Clerk, session: DbSession, catalogue: CurrentCatalogue
) -> ImportOut:
    filename = file.filename or "upload"
    content = file.file.read(MAX_BYTES + 1)
    parsed = parse_import(filename, content)
    foreign = [
        f"rows {parsed.rows_of[c.case_no]} (department {c.department})"
        for c in parsed.cases
        if c.department != principal.department
    ]
    if foreign:
        raise Forbidden(
            f"{filename}: clerk {principal.name} works for {principal.department}; "
            f"the file also holds other departments' cases: {'; '.join(foreign)}"
        )
    report = cases.import_cases(
        session,
        catalogue,
        principal.actor,
        parsed.cases,
        lambda case_no, field: locate(parsed, case_no, field),
        filename,
        departments={principal.department or ""},
    )
    return ImportOut(created=report.created, unchanged=report.unchanged)


@router.get("/{case_no}", response_model=CaseOut, summary="One case with its notices")
def get_case(case_no: str, principal: CaseReader, session: DbSession) -> CaseOut:
    case = cases.get(session, case_no)
    principal.require_department(case.department_code, f"case {case_no}")
    return _out(session, case)


@router.post("/{case_no}/complete", response_model=CaseOut, summary="Mark an accepted case completed (办结)")
def complete_case(case_no: str, principal: Clerk, session: DbSession) -> CaseOut:
    case = cases.get(session, case_no, for_update=True)
    principal.require_department(case.department_code, f"case {case_no}")
    return _out(session, cases.change_status(session, principal.actor, case, "completed"))


@router.post("/{case_no}/withdraw", response_model=CaseOut, summary="Withdraw an accepted case (撤件)")
def withdraw_case(case_no: str, body: ReasonIn, principal: Clerk, session: DbSession) -> CaseOut:
    return _out(session, notices.withdraw_case(session, principal, case_no, body.reason))
