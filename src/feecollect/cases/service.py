"""Registering cases and moving them through their states. One validation path serves the API and
the bulk import, so an imported case is held to exactly the rules of one typed in at a window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from feecollect.audit.service import Actor, record
from feecollect.billing.quote import LineError, LineRequest, Payer, QuoteRefused, QuoteRequest, quote
from feecollect.cases import repository
from feecollect.cases.models import Case, CaseItem, CaseStatus
from feecollect.errors import Conflict, FieldProblem, NotFound, Unprocessable
from feecollect.identity import InvalidIdentity, validate
from feecollect.schedules.catalogue import Catalogue
from feecollect.users.principal import Forbidden
from feecollect.wording import field_name, identity_problem, parameter_name, quote_refusal

PAYER_KIND_OF_ID = {"uscc": "enterprise", "ric": "person"}


@dataclass(frozen=True, slots=True)
class CaseData:
    """A case as submitted: validated, normalised, not yet stored."""

    case_no: str
    window: str
    department: str
    service_date: date
    applicant_name: str
    id_type: str
    id_no: str
    flags: tuple[str, ...]
    items: tuple[tuple[str, Decimal | None], ...]

    @property
    def payer(self) -> Payer:
        return Payer(PAYER_KIND_OF_ID[self.id_type], frozenset(self.flags))  # type: ignore[arg-type]

    def quote_request(self) -> QuoteRequest:
        return QuoteRequest(self.service_date, self.payer, tuple(LineRequest(c, q) for c, q in self.items))


def departments_of(catalogue: Catalogue) -> set[str]:
    return {item.department.code for item in catalogue}


def foreign_items(catalogue: Catalogue, data: CaseData, departments: set[str]) -> list[str]:
    """The items of ``data`` collected by a department outside ``departments``, as "item (department)":
    a clerk bills only their own departments' fees, or the notice collecting another department's
    revenue would be hidden from that department's clerks."""
    found = []
    for code, _ in data.items:
        periods = catalogue.periods(code)
        if periods and periods[-1].department.code not in departments:
            found.append(f"{code} ({periods[-1].department.code})")
    return found


def _other_departments(what: str, actor: Actor, departments: set[str], items: str) -> Forbidden:
    return Forbidden(
        f"{what}: {actor.name} works for {'/'.join(sorted(departments))}; items of other departments: {items}"
    )


def check_case(catalogue: Catalogue, data: CaseData) -> list[FieldProblem]:
    """Every problem with a submitted case, by field; empty when it may be registered."""
    problems: list[FieldProblem] = []
    if not data.case_no.strip() or len(data.case_no) > 64:
        problems.append(FieldProblem("case_no", "must be 1–64 characters", "办件号：须为 1–64 个字符"))
    if not data.window.strip() or len(data.window) > 32:
        problems.append(FieldProblem("window", "must be 1–32 characters", "窗口：须为 1–32 个字符"))
    if not data.applicant_name.strip() or len(data.applicant_name) > 200:
        problems.append(
            FieldProblem("applicant.name", "must be 1–200 characters", "申请人：须为 1–200 个字符")
        )
    if data.department not in departments_of(catalogue):
        problems.append(
            FieldProblem(
                "department",
                f"{data.department!r} is not a collecting department in the schedules",
                "部门：不是收费标准中的执收单位",
            )
        )
    try:
        validate(data.id_type, data.id_no)
    except InvalidIdentity as exc:
        compact = "".join(data.id_no.split()).upper()
        wording = f"证件号码：{identity_problem(exc.reason, data.id_type, compact)}"
        problems.append(FieldProblem("applicant.id_no", str(exc), wording))
    if data.id_type in PAYER_KIND_OF_ID:
        try:
            quote(catalogue, data.quote_request())
        except QuoteRefused as refused:
            problems.extend(_line_problem(catalogue, data, error) for error in refused.errors)
    return problems


def _line_problem(catalogue: Catalogue, data: CaseData, error: LineError) -> FieldProblem:
    if not error.number:
        wording = f"减免：{quote_refusal(error.code)}"
        return FieldProblem("payer.flags", f"{error.code}: {error.detail}", wording)
    field = f"items[{error.number - 1}]"
    known = catalogue.periods(error.item or "")
    item = known[-1] if known else None
    facts = {"parameter": parameter_name(item.parameter) if item and item.parameter else "数量"}
    facts["unit"] = item.unit if item else ""
    named = f"（{item.name}）" if item else f"（{error.item}）"
    wording = f"{field_name(field)}{named}：{quote_refusal(error.code, **facts)}"
    return FieldProblem(field, f"{error.code}: {error.detail}", wording)


def normalised(data: CaseData) -> CaseData:
    return CaseData(
        case_no=data.case_no.strip(),
        window=data.window.strip(),
        department=data.department,
        service_date=data.service_date,
        applicant_name=data.applicant_name.strip(),
        id_type=data.id_type,
        id_no=validate(data.id_type, data.id_no),
        flags=tuple(sorted(set(data.flags))),
        items=tuple((code, None if q is None else q.normalize()) for code, q in data.items),
    )


def case_view(case: Case) -> dict[str, object]:
    return {
        "case_no": case.case_no,
        "window": case.window,
        "department": case.department_code,
        "service_date": case.service_date.isoformat(),
        "status": case.status,
        "applicant": {
            "name": case.applicant_name,
            "id_type": case.applicant_id_type,
            "id_no": case.applicant_id_no,
        },
        "payer": {"flags": list(case.payer_flags)},
        "items": [{"item": i.item_code, "quantity": i.quantity} for i in case.items],
    }


def data_of(case: Case) -> CaseData:
    return CaseData(
        case_no=case.case_no,
        window=case.window,
        department=case.department_code,
        service_date=case.service_date,
        applicant_name=case.applicant_name,
        id_type=case.applicant_id_type,
        id_no=case.applicant_id_no,
        flags=tuple(case.payer_flags),
        items=tuple((i.item_code, None if i.quantity is None else Decimal(i.quantity)) for i in case.items),
    )


def _new_case(data: CaseData, actor: Actor, now: datetime) -> Case:
    return Case(
        case_no=data.case_no,
        window=data.window,
        department_code=data.department,
        service_date=data.service_date,
        applicant_name=data.applicant_name,
        applicant_id_type=data.id_type,
        applicant_id_no=data.id_no,
        payer_flags=list(data.flags),
        status=CaseStatus.ACCEPTED,
        registered_by=actor.name,
        registered_at=now,
        items=[
            CaseItem(line_no=n, item_code=code, quantity=None if q is None else format(q, "f"))
            for n, (code, q) in enumerate(data.items, start=1)
        ],
    )


def register(
    session: Session,
    catalogue: Catalogue,
    actor: Actor,
    data: CaseData,
    *,
    departments: set[str] | None = None,
) -> Case:
    """``departments``: those the registering clerk works for, whose items alone they may bill."""
    problems = check_case(catalogue, data)
    if problems:
        raise Unprocessable.of_fields(problems, code="invalid_case")
    if departments is not None and (foreign := foreign_items(catalogue, data, departments)):
        raise _other_departments(f"case {data.case_no}", actor, departments, ", ".join(foreign))
    data = normalised(data)
    if repository.by_case_no(session, data.case_no) is not None:
        raise Conflict(f"case {data.case_no} is already registered", code="duplicate_case")
    case = _new_case(data, actor, datetime.now(UTC))
    repository.add(session, case)
    record(session, actor, "case.registered", "case", case.case_no, after=case_view(case))
    return case


def get(session: Session, case_no: str, *, for_update: bool = False) -> Case:
    case = repository.by_case_no(session, case_no, for_update=for_update)
    if case is None:
        raise NotFound(f"no case {case_no!r}", code="unknown_case")
    return case


def change_status(
    session: Session, actor: Actor, case: Case, target: str, *, reason: str | None = None
) -> Case:
    if case.status != CaseStatus.ACCEPTED:
        raise Conflict(
            f"case {case.case_no} is {case.status}; only an accepted case can become {target}",
            code="case_not_open",
        )
    before = case_view(case)
    case.status = target
    case.status_changed_at = datetime.now(UTC)
    after = case_view(case) | ({"reason": reason} if reason else {})
    record(session, actor, f"case.{target}", "case", case.case_no, before=before, after=after)
    return case


@dataclass
class ImportReport:
    created: list[str]
    unchanged: list[str]


def import_cases(
    session: Session,
    catalogue: Catalogue,
    actor: Actor,
    cases: list[CaseData],
    where: Callable[[str, str], str],
    filename: str,
    *,
    departments: set[str] | None = None,
) -> ImportReport:
    """All or nothing: any problem refuses the whole file. A case already registered with the same
    content is left as it is, so importing the same file twice changes nothing.

    ``where(case_no, field)`` says where in the file a problem sits (``row 3, column 证件号码``)."""
    problems = [
        f"{where(data.case_no, problem.field)}: {problem.detail}"
        for data in cases
        for problem in check_case(catalogue, data)
    ]
    if not problems:
        existing = repository.by_case_nos(session, [c.case_no for c in cases])
        for data in map(normalised, cases):
            known = existing.get(data.case_no)
            if known is not None and normalised(data_of(known)) != data:
                problems.append(
                    f"{where(data.case_no, 'case_no')}: case {data.case_no} is already registered "
                    "with different content"
                )
    if problems:
        raise Unprocessable(
            f"{filename}: nothing imported: " + "; ".join(problems),
            code="invalid_import",
            extra={"problems": problems},
        )
    if departments is not None:
        foreign = [
            f"{where(data.case_no, 'item')} ({', '.join(items)})"
            for data in cases
            if (items := foreign_items(catalogue, data, departments))
        ]
        if foreign:
            raise _other_departments(f"{filename}: nothing imported", actor, departments, "; ".join(foreign))
    created, unchanged, now = [], [], datetime.now(UTC)
    for data in map(normalised, cases):
        if data.case_no in existing:
            unchanged.append(data.case_no)
            continue
        case = _new_case(data, actor, now)
        repository.add(session, case)
        record(session, actor, "case.imported", "case", case.case_no, after=case_view(case))
        created.append(case.case_no)
    return ImportReport(created, unchanged)


def exists(session: Session, case_no: str) -> bool:
    return repository.by_case_no(session, case_no) is not None
