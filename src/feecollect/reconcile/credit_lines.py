"""A special-account credit that finance works by hand: matched to the notice it pays
(``manual_match``) or sent back to its payer (``line_return``). Both start from the same line and
close the same finding, its 未明款项."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from feecollect.audit.service import Actor, record
from feecollect.errors import NotFound, Unprocessable
from feecollect.reconcile import findings_repository, repository
from feecollect.reconcile.matching import line_key
from feecollect.reconcile.models import ExceptionStatus, StatementLine


def special_credit(session: Session, line_id: int, *, refused_as: str) -> StatementLine:
    """The line, when it is a credit in yuan on the special account; ``refused_as`` names the refusal."""
    found = repository.line_with_origin(session, line_id)
    if found is None:
        raise NotFound(f"no statement line {line_id}", code="unknown_statement_line")
    line, account_no, _ = found
    account = repository.account_by_no(session, account_no)
    if account is None or account.kind != "special" or line.amount_fen <= 0 or line.currency != "CNY":
        raise Unprocessable(
            f"statement line {line_id} is not a credit in yuan on the special account", code=refused_as
        )
    return line


def close_unidentified(
    session: Session, actor: Actor, line_id: int, *, resolved_by: str, resolution: str, **audit: Any
) -> None:
    """The line's 未明款项 is explained: resolved with ``resolution``, where it is still open."""
    exception = findings_repository.open_by_key(session, line_key("unidentified_credit", line_id))
    if exception is None:
        return
    exception.status = ExceptionStatus.RESOLVED
    exception.resolved_by = resolved_by
    exception.resolved_at = datetime.now(UTC)
    exception.resolution = resolution
    record(
        session,
        actor,
        "exception.resolved",
        "reconciliation_exception",
        str(exception.id),
        before={"status": "open"},
        after={"status": "resolved", "reason": resolution, **audit},
    )
