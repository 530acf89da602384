"""A run's results, read and worked: the summary, the report, the exceptions, and resolving one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from feecollect.audit import repository as audit_repository
from feecollect.audit.service import Actor, record
from feecollect.errors import Conflict, NotFound, Unprocessable
from feecollect.proposals import service as proposals
from feecollect.proposals.models import Proposal
from feecollect.reconcile import findings_repository as repository
from feecollect.reconcile import repository as statements
from feecollect.reconcile.ageing import BUCKETS, bucket
from feecollect.reconcile.models import ExceptionStatus, ReconciliationException, StatementLine
from feecollect.reconcile.report import reconciliation_workbook
from feecollect.reconcile.rows import OverdueNotice
from feecollect.schedules.service import current_catalogue
from feecollect.settings import Settings
from feecollect.users import repository as users

RESOLVE = "resolve_exception"


def day_report(session: Session, day: date) -> bytes:
    """The date's reconciliation report as an xlsx workbook."""
    _, found = repository.exceptions(session, day=day)
    lines = [e.evidence["statement_line"] for e in found if e.evidence.get("statement_line")]
    return reconciliation_workbook(
        run_summary(session, day),
        found,
        statements=statements.day_totals(session, day),
        serials=statements.serials_of(session, lines),
        approvers=proposals.approvers(session, RESOLVE, [str(e.id) for e in found if e.resolved_by]),
        department_names=current_catalogue(session).department_names(),
    )


def day_report_name(day: date) -> str:
    return f"对账报告-{day}.xlsx"


def latest_reconciled_day(session: Session) -> date | None:
    return repository.latest_run_date(session)


def open_by_age_bucket(session: Session, today: date) -> dict[str, int]:
    """Open exceptions per SPEC §16 ageing bucket, oldest bucket last."""
    counts = dict.fromkeys(BUCKETS, 0)
    for day, count in repository.open_by_business_date(session).items():
        counts[bucket(max(0, (today - day).days))] += count
    return counts


def exception_history(
    session: Session, exception: ReconciliationException, resolutions: Sequence[Proposal]
) -> list[tuple[str, str, str, str]]:
    """(when, who, what, detail) of an exception's life: found, seen again, assigned, proposed,
    decided, resolved; from its own fields, its resolution proposals and the audit log."""
    found = f"首次发现于 {exception.first_run_date} 的对账"
    rows = [(exception.created_at.isoformat(), "system", "found", found)]
    if exception.last_run_date != exception.first_run_date:
        rows.append(("", "system", "seen_again", f"最近一次出现于 {exception.last_run_date} 的对账"))
    for entry in audit_repository.of_object(session, "reconciliation_exception", str(exception.id)):
        after = entry.after or {}
        detail = str(after.get("assigned_to") or after.get("reason") or "")
        rows.append((entry.recorded_at, entry.actor, entry.action, detail))
    for proposal in resolutions:
        rows.append(
            (proposal.proposed_at.isoformat(), proposal.proposed_by, "proposal.made", proposal.reason)
        )
        if proposal.decided_at is not None and proposal.decided_by is not None:
            decided = f"proposal.{proposal.status}"
            rows.append(
                (
                    proposal.decided_at.isoformat(),
                    proposal.decided_by,
                    decided,
                    proposal.decision_reason or "",
                )
            )
    return sorted(rows, key=lambda row: row[0] or "9")


def days_with_regressions(session: Session, first: date, last: date) -> list[date]:
    return repository.days_with_regressions(session, first, last)


def reconciled_days(session: Session, first: date, last: date) -> list[date]:
    return repository.run_dates_between(session, first, last)


def run_summary(session: Session, day: date) -> dict[str, Any]:
    run = repository.run_of(session, day)
    if run is None:
        raise NotFound(f"no reconciliation has run for {day}", code="no_reconciliation")
    return run.summary | {
        "open": repository.open_counts(session, day),
        "run_at": run.run_at.isoformat(),
        "run_by": run.run_by,
        "regressions": [
            {
                "run_at": r.run_at.isoformat(),
                "run_by": r.run_by,
                "previous": r.previous_summary,
                "added": r.added,
                "gone": r.gone,
            }
            for r in repository.regressions_of(session, day)
        ],
    }


def propose_resolution(session: Session, maker: Actor, exception_id: int, reason: str) -> Proposal:
    """Closing a finding is a proposal (SPEC §16): the exception stays open until a second finance
    user approves it."""
    if not reason.strip():
        raise Unprocessable("reason: say why the exception is resolved", code="reason_required")
    _open_exception(session, exception_id)
    return proposals.propose(session, maker, RESOLVE, str(exception_id), reason)


def carry_out_resolution(
    session: Session, settings: Settings, proposal: Proposal, checker: Actor
) -> ReconciliationException:
    """The approved proposal closes the exception: its proposer's reason, both names in the audit."""
    exception = _open_exception(session, int(proposal.object_id), for_update=True)
    exception.status = ExceptionStatus.RESOLVED
    exception.resolved_by = proposal.proposed_by
    exception.resolved_at = datetime.now(UTC)
    exception.resolution = proposal.reason
    record(
        session,
        checker,
        "exception.resolved",
        "reconciliation_exception",
        str(exception.id),
        before={"status": "open"},
        after={
            "status": "resolved",
            "reason": exception.resolution,
            "class": exception.exception_class,
            "proposal": proposal.id,
            "proposed_by": proposal.proposed_by,
            "approved_by": checker.name,
        },
    )
    return exception


def _open_exception(
    session: Session, exception_id: int, *, for_update: bool = False
) -> ReconciliationException:
    exception = repository.exception_by_id(session, exception_id, for_update=for_update)
    if exception is None:
        raise NotFound(f"no exception {exception_id}", code="not_found")
    if exception.status == ExceptionStatus.RESOLVED:
        raise Conflict(
            f"exception {exception_id} was already resolved by {exception.resolved_by}: "
            f"{exception.resolution}",
            code="already_resolved",
        )
    return exception


def assign(session: Session, actor: Actor, exception_id: int, user: str) -> ReconciliationException:
    """Give an open exception to a finance user to work; the audit keeps who gave it to whom."""
    exception = _open_exception(session, exception_id, for_update=True)
    if not users.is_finance_user(session, user):
        raise Unprocessable(f"user: {user!r} is not a finance user", code="unknown_user")
    before = exception.assigned_to
    exception.assigned_to = user
    record(
        session,
        actor,
        "exception.assigned",
        "reconciliation_exception",
        str(exception.id),
        before={"assigned_to": before},
        after={"assigned_to": user},
    )
    return exception


def resolution_proposals(session: Session, exception_id: int) -> Sequence[Proposal]:
    return proposals.history(session, RESOLVE, str(exception_id))


# (how many match, the page of them by id): the listing needs no rule beyond its query.
exceptions = repository.exceptions


exceptions_by_ids = repository.exceptions_by_ids


def find_exception(session: Session, exception_id: int) -> ReconciliationException | None:
    return repository.exception_by_id(session, exception_id)


def amounts_by_class(session: Session, day: date) -> dict[str, int]:
    """Fen per exception class among the exceptions the run of ``day`` found."""
    return repository.exception_amounts(session, day)


def overdue_notices(session: Session, today: date, department: str | None = None) -> list[OverdueNotice]:
    """Unpaid notices past their due date as of ``today``, by department and due date."""
    return [n for n in repository.overdue_notices(session, today) if department in (None, n.department)]


def statement_line(session: Session, line_id: int) -> tuple[StatementLine, str, str] | None:
    """A stored statement line with its account number and source file name."""
    return statements.line_with_origin(session, line_id)
