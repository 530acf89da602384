"""Reconciliation runs: load the day's facts, match them in the pure core, write what was found.

One run per business date. A re-run with the same inputs writes nothing: exceptions are found again
by their keys (ids and resolutions survive), the findings of the date are changed only where they
differ, and the stored summary is replaced only when it changed.
"""

from __future__ import annotations

import itertools
import operator
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from feecollect.audit.service import Actor, record
from feecollect.billing.quote import QuoteRefused, quote
from feecollect.cases import service as cases
from feecollect.cases.models import Case
from feecollect.errors import Unprocessable
from feecollect.ledger import suspense
from feecollect.money import format_yuan
from feecollect.notices.status import NoticeStatus
from feecollect.payments.rules import STATEMENT_BANK
from feecollect.payments.service import record_payment
from feecollect.reconcile import findings, findings_repository, repository
from feecollect.reconcile.bulk import cyclic_gc_paused
from feecollect.reconcile.importing import ImportReport
from feecollect.reconcile.matching import (
    EXCEPTION_CLASSES,
    CaseFacts,
    Finding,
    Line,
    NoticeFacts,
    applicant_ids_in,
    department_credits,
    match_department_credits,
    match_special_credits,
)
from feecollect.reconcile.models import ExceptionStatus, ReconciliationRegression, ReconciliationRun
from feecollect.reconcile.parts import Part, in_run_order
from feecollect.reconcile.rows import CompletedCase
from feecollect.reconcile.statement_payments import payment_from_line
from feecollect.schedules.catalogue import Catalogue
from feecollect.settings import Settings


@dataclass(frozen=True)
class RunOutcome:
    summary: dict[str, Any]
    changed: bool
    paid_from_statement: tuple[str, ...]


def reconcile_day(
    session: Session,
    settings: Settings,
    catalogue: Catalogue,
    day: date,
    actor: Actor,
    *,
    just_imported: ImportReport | None = None,
) -> RunOutcome:
    """``just_imported``: the import this same transaction made, whose lines need not be read back."""
    check_run_date(session, settings, day)
    with cyclic_gc_paused():
        return _reconcile_day(session, settings, catalogue, day, actor, just_imported)


def check_run_date(session: Session, settings: Settings, day: date) -> None:
    """A run is for a business day that has happened and that the data reaches: a day ahead finds
    every open notice overdue and every callback missing, and those findings never go away."""
    today = datetime.now(settings.zone).date()
    if day > today:
        raise Unprocessable.of_fields(
            [("date", f"{day} 在今天（{today}）之后：只能对已经过去或当天的业务日对账")], code="invalid_date"
        )
    first = repository.first_business_day(session)
    if first is None or day < first:
        since = f"最早的数据日期是 {first}" if first else "系统中还没有任何办件、缴款或对账单"
        raise Unprocessable.of_fields([("date", f"{day} 早于系统中的数据：{since}")], code="invalid_date")


def _lines_of_day(session: Session, day: date, just_imported: ImportReport | None) -> list[Line]:
    files, fresh = just_imported.lines_of_day(day) if just_imported else (set(), [])
    lines = repository.lines_of_day(session, day, except_files=files)
    if not fresh:
        return lines
    times = list(map(operator.attrgetter("booked_at"), fresh))
    untimed = None in times or any(line.booked_at is None for line in lines)
    if not lines and not untimed and all(map(operator.le, times, itertools.islice(times, 1, None))):
        return fresh  # a statement listed in time order, as banks list them: already in run order
    # The order the database gives: by booking time (lines without one first), then by id. The stored
    # lines come in that order and the fresh ones follow with larger ids, so a stable sort on the
    # time alone gives it; on a million lines a tuple key per line costs a second.
    lines += fresh
    lines.sort(key=(lambda line: line.booked_at or "") if untimed else operator.attrgetter("booked_at"))
    return lines


@dataclass(frozen=True)
class PartResult:
    """What one part of a day's lines found (``feecollect.reconcile.parts``), before the day's
    stored-state findings join them."""

    findings: list[Finding]
    matched: int
    paid_from_statement: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        """What a worker sends back to the run that gathers the parts."""
        return {
            "findings": [
                [
                    f.exception_class,
                    f.key,
                    f.business_date.isoformat(),
                    f.amount_fen,
                    f.department,
                    f.detail,
                    f.evidence,
                ]
                for f in self.findings
            ],
            "matched": self.matched,
            "paid_from_statement": list(self.paid_from_statement),
        }

    @classmethod
    def of_json(cls, sent: dict[str, Any]) -> PartResult:
        return cls(
            [
                Finding(cls_, key, date.fromisoformat(day), fen, department, detail, evidence)
                for cls_, key, day, fen, department, detail, evidence in sent["findings"]
            ],
            int(sent["matched"]),
            tuple(sent["paid_from_statement"]),
        )


def parts_of_day(session: Session, day: date) -> list[Part]:
    return repository.parts_of_day(session, day)


def reconcile_part(
    session: Session, settings: Settings, catalogue: Catalogue, day: date, part: Part
) -> PartResult:
    """One part of a day's lines, matched beside its rivals: a worker's share of a fanned-out run. Its
    writes (notices paid from the statement, credits held in suspense) are idempotent."""
    with cyclic_gc_paused():
        lines = repository.lines_of_day(session, day, part=part)
        return _match_lines(session, settings, catalogue, day, lines, part)


def finish_day(
    session: Session,
    settings: Settings,
    catalogue: Catalogue,
    day: date,
    actor: Actor,
    parts: list[PartResult],
) -> RunOutcome:
    """The day's run from the results of its parts: the same summary and findings as one process."""
    line_findings = [finding for part in parts for finding in part.findings]
    matched = sum(part.matched for part in parts)
    paid = tuple(code for part in parts for code in part.paid_from_statement)
    return _conclude(session, settings, catalogue, day, actor, PartResult(line_findings, matched, paid))


def _reconcile_day(
    session: Session,
    settings: Settings,
    catalogue: Catalogue,
    day: date,
    actor: Actor,
    just_imported: ImportReport | None,
) -> RunOutcome:
    lines = _lines_of_day(session, day, just_imported)
    return _conclude(
        session, settings, catalogue, day, actor, _match_lines(session, settings, catalogue, day, lines)
    )


def _match_lines(
    session: Session,
    settings: Settings,
    catalogue: Catalogue,
    day: date,
    lines: list[Line],
    part: Part | None = None,
) -> PartResult:
    """The findings the lines tell, the notices they pay and the credits they put in suspense."""
    notices = _notices_credited_on(session, day, part)
    earlier = repository.earlier_special_credits(session, day, part)
    rivals = repository.rival_lines(session, day, part) if part is not None else []
    if rivals:
        day_result = match_special_credits(in_run_order([*lines, *rivals]), notices, earlier)
        day_result = day_result.of_lines({line.id for line in lines})
    else:
        day_result = match_special_credits(lines, notices, earlier)
    origins = repository.notice_origins(session, day_result.notice_ids)

    paid = tuple(
        _pay_from_statement(session, settings, line, notice) for line, notice in day_result.pay_from_statement
    )
    # Money on the special account that no notice explains waits in suspense until it is matched.
    suspense.hold_unidentified(
        session,
        (
            (v.line.id, v.line.amount_fen, v.line.booked_on)
            for v in day_result.verdicts
            if v.exception_class == "unidentified_credit" and v.line.currency == "CNY"
        ),
    )
    credits = department_credits(lines)
    found = [
        *day_result.findings(origins, _open_notices(session, day_result.unknown_credits)),
        *match_department_credits(credits, _cases_of_payers(session, catalogue, credits)),
    ]
    return PartResult(found, day_result.matched, paid)


def _conclude(
    session: Session, settings: Settings, catalogue: Catalogue, day: date, actor: Actor, lines: PartResult
) -> RunOutcome:
    """Join the lines' findings to the stored state's, store them and the run, and say what changed."""
    found = [*lines.findings, *_findings_from_stored_state(session, settings, catalogue, day)]
    paid = lines.paid_from_statement
    counts = dict.fromkeys(EXCEPTION_CLASSES, 0)
    for finding in found:
        counts[finding.exception_class] += 1
    summary: dict[str, Any] = {"date": day.isoformat(), "matched": lines.matched, "exceptions": counts}
    changed, added, gone = _store_findings(session, day, found)
    run = findings_repository.run_of(session, day)
    regressed = run is not None and bool(added or gone)
    if run is not None and regressed:
        findings_repository.add_regression(
            session,
            ReconciliationRegression(
                run_date=day,
                previous_summary=run.summary,
                previous_run_by=run.run_by,
                previous_run_at=run.run_at,
                summary=summary,
                added=added,
                gone=gone,
                run_by=actor.name,
                run_at=datetime.now(UTC),
            ),
        )
    if run is None or run.summary != summary:
        if run is None:
            run = ReconciliationRun(
                run_date=day, summary=summary, run_by=actor.name, run_at=datetime.now(UTC)
            )
            findings_repository.add_run(session, run)
        else:
            run.summary, run.run_by, run.run_at = summary, actor.name, datetime.now(UTC)
        changed = True
    if regressed:
        summary = summary | {"regression": {"added": added, "gone": gone}}
    if changed or paid:
        record(session, actor, "reconciliation.run", "reconciliation", day.isoformat(), after=summary)
    return RunOutcome(summary, changed or bool(paid), paid)


def _notices_credited_on(session: Session, day: date, part: Part | None) -> dict[str, NoticeFacts]:
    """The notices the day's credits name, by payment code (a million, for a year's statement: built
    at C speed, and the rows they are read as are dropped on return)."""
    facts = repository.notices_credited_on(session, day, part)
    return dict(zip(map(operator.attrgetter("payment_code"), facts), facts, strict=True))


def _open_notices(session: Session, unknown: list[Line]) -> dict[tuple[str, int], list[str]]:
    """Unpaid notices by (payer name, amount) for the payers and amounts of these credits."""
    found: dict[tuple[str, int], list[str]] = defaultdict(list)
    rows = repository.open_notices_by_payer(
        session, {line.counterparty_name for line in unknown}, {line.amount_fen for line in unknown}
    )
    for notice in rows:
        found[(notice.payer_name, notice.amount_fen)].append(notice.payment_code)
    return found


def _pay_from_statement(session: Session, settings: Settings, line: Line, notice: NoticeFacts) -> str:
    """The statement proves the money arrived: the notice becomes paid, as a callback would make it."""
    serial = repository.line_serial(session, line.id)
    record_payment(
        session,
        Actor("reconciliation", "system"),
        payment_from_line(
            line,
            serial,
            notice.id,
            notice.payment_code,
            settings.zone,
            bank_code=STATEMENT_BANK,
            channel="statement",
        ),
        memo=f"对账确认缴款 {notice.payment_code}",
        before_status=notice.status,
        audit_after={"status": "paid", "statement_line": line.id, "amount": format_yuan(line.amount_fen)},
    )
    return notice.payment_code


def _case_total(catalogue: Catalogue, case: Case) -> tuple[int, tuple[int, ...]]:
    try:
        priced = quote(catalogue, cases.data_of(case).quote_request())
    except QuoteRefused:
        return 0, ()
    return priced.total_fen, tuple(line.amount_fen for line in priced.lines)


def _cases_of_payers(session: Session, catalogue: Catalogue, credits: list[Line]) -> list[CaseFacts]:
    """The cases whose applicants may have made these department-account credits."""
    if not credits:
        return []
    names = {line.counterparty_name for line in credits if line.counterparty_name}
    ids = {token for line in credits for token in applicant_ids_in(line.remark)}
    facts = []
    for case in repository.cases_of_applicants(session, names, ids):
        total, per_line = _case_total(catalogue, case)
        facts.append(
            CaseFacts(
                case.case_no, case.applicant_name, case.applicant_id_no, case.department_code, total, per_line
            )
        )
    return facts


def _findings_from_stored_state(
    session: Session, settings: Settings, catalogue: Catalogue, day: date
) -> list[Finding]:
    """What the day's lines cannot tell: payments the statements never showed, notices overdue, fees
    paid outside the centre, rates above the lowest, cancelled items still billed."""
    through = datetime.combine(day + timedelta(days=1), time(0), settings.zone)
    completed = []
    for case in findings_repository.completed_cases_without_payment(session, through):
        total, _ = _case_total(catalogue, case)
        changed = case.status_changed_at
        completed_on = changed.astimezone(settings.zone).date() if changed else day
        completed.append(
            CompletedCase(case.case_no, case.applicant_name, case.department_code, total, completed_on)
        )
    cancelled = {item.code: item.cancellation for item in catalogue if item.cancellation is not None}
    paid_by = day - timedelta(days=settings.settlement_days)
    return [
        *findings.missing_on_statement(findings_repository.unreceived_payments(session, paid_by, day), day),
        *findings.overdue(findings_repository.overdue_notices(session, day)),
        *findings.fee_outside_centre(completed),
        *findings.over_standard(findings_repository.priced_lines_off_lowest_rate(session), settings.zone),
        *findings.cancelled_items(
            findings_repository.notice_lines_of_items(
                session, set(cancelled), (NoticeStatus.ISSUED, NoticeStatus.PAID)
            ),
            cancelled,
        ),
    ]


def _store_findings(
    session: Session, day: date, findings: list[Finding]
) -> tuple[bool, list[int], list[int]]:
    """Insert exceptions never seen before, mark those seen again, and make the date's findings exactly
    these; returns whether anything changed, and the exceptions the date gained and lost."""
    by_key = {finding.key: finding for finding in findings}
    stored = findings_repository.exceptions_by_key(session, set(by_key))
    now = datetime.now(UTC)
    unseen = [f for key, f in by_key.items() if key not in stored]
    new_ids = findings_repository.new_exception_ids(session, len(unseen))
    new_rows: list[dict[str, Any]] = [
        {
            "id": exception_id,
            "exception_class": f.exception_class,
            "key": f.key,
            "business_date": f.business_date,
            "amount_fen": f.amount_fen,
            "department_code": f.department,
            "detail": f.detail,
            "evidence": f.evidence,
            "first_run_date": day,
            "last_run_date": day,
            "status": ExceptionStatus.OPEN,
            "created_at": now,
        }
        # The ids may be an endless count (SQLite): the unseen findings end the pairing.
        for exception_id, f in zip(new_ids, unseen, strict=False)
    ]
    findings_repository.insert_exceptions(session, new_rows)
    later = [exception_id for exception_id, last in stored.values() if last < day.isoformat()]
    findings_repository.touch_exceptions(session, later, day)
    wanted = {exception_id for exception_id, _ in stored.values()} | {row["id"] for row in new_rows}
    current = findings_repository.finding_ids(session, day)
    findings_repository.add_findings(session, day, sorted(wanted - current))
    findings_repository.remove_findings(session, day, current - wanted)
    return bool(new_rows or later or wanted != current), sorted(wanted - current), sorted(current - wanted)
