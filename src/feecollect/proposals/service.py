"""Maker and checker: a proposal names the act, its object and why; nothing moves until a second
finance user approves it, and then the act is carried out once, in the approving transaction.

The acts themselves live with their objects; they are named here by path, as event handlers are, so
that this package imports none of them (the reconciliation, ledger and bills import this one)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feecollect.audit.service import Actor, record
from feecollect.errors import Conflict, NotFound, Unprocessable
from feecollect.proposals import repository
from feecollect.proposals.models import Proposal, ProposalStatus
from feecollect.settings import Settings
from feecollect.users.principal import Forbidden

# action → the function carrying it out: (session, settings, proposal, checker) → what it did.
ACTIONS = {
    "resolve_exception": "feecollect.reconcile.results:carry_out_resolution",
    "reverse_bill": "feecollect.einvoices.service:carry_out_reversal",
    "remit": "feecollect.ledger.remittance:carry_out_remittance",
    "approve_refund": "feecollect.refunds.service:carry_out_refund_approval",
    "match_line": "feecollect.reconcile.manual_match:carry_out_match",
}
MAX_REASON = 500


def person(actor_name: str) -> str:
    """The person behind an actor name: ``王芳（cli:root）`` is 王芳, as on the API."""
    return actor_name.split("（cli:", 1)[0]


def propose(
    session: Session,
    maker: Actor,
    action: str,
    object_id: str,
    reason: str,
    payload: dict[str, Any] | None = None,
) -> Proposal:
    if action not in ACTIONS:
        raise Unprocessable(f"action {action!r} is not one of {', '.join(ACTIONS)}", code="unknown_action")
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise Unprocessable(f"reason: say why, in at most {MAX_REASON} characters", code="reason_required")
    if (open_one := repository.open_for(session, action, object_id)) is not None:
        raise Conflict(
            f"{action} of {object_id} is already proposed (proposal {open_one.id} by {open_one.proposed_by})",
            code="already_proposed",
        )
    proposal = Proposal(
        action=action,
        object_id=object_id,
        reason=reason,
        payload=payload or {},
        status=ProposalStatus.PROPOSED,
        proposed_by=maker.name,
        proposed_at=datetime.now(UTC),
    )
    try:
        with session.begin_nested():
            repository.add(session, proposal)
    except IntegrityError:  # another maker's proposal committed between the check and the insert
        raise Conflict(f"{action} of {object_id} is already proposed", code="already_proposed") from None
    record(session, maker, "proposal.made", "proposal", str(proposal.id), after=view(proposal))
    return proposal


def propose_many(session: Session, maker: Actor, action: str, items: Sequence[tuple[str, str]]) -> int:
    """Proposals for many objects at once (a bulk workbook): the caller has checked each object and
    that none has an open proposal; the database's unique index still refuses a race (409)."""
    now = datetime.now(UTC)
    made = [
        Proposal(
            action=action,
            object_id=object_id,
            reason=reason,
            payload={},
            status=ProposalStatus.PROPOSED,
            proposed_by=maker.name,
            proposed_at=now,
        )
        for object_id, reason in items
    ]
    try:
        with session.begin_nested():
            session.add_all(made)
            session.flush()
    except IntegrityError:
        raise Conflict(
            f"some of these {action} proposals were made meanwhile", code="already_proposed"
        ) from None
    for proposal in made:
        record(session, maker, "proposal.made", "proposal", str(proposal.id), after=view(proposal))
    return len(made)


def open_objects(session: Session, action: str, object_ids: Sequence[str]) -> set[str]:
    return repository.open_objects(session, action, object_ids)


def approve(session: Session, settings: Settings, checker: Actor, proposal_id: int) -> tuple[Proposal, Any]:
    """Carry the act out as the checker; the proposer may not check their own proposal."""
    proposal = _decidable(session, checker, proposal_id)
    done = _carry_out(proposal.action)(session, settings, proposal, checker)
    _decide(session, checker, proposal, ProposalStatus.APPROVED, None)
    return proposal, done


def reject(session: Session, checker: Actor, proposal_id: int, reason: str) -> Proposal:
    if not reason.strip():
        raise Unprocessable("reason: say why the proposal is rejected", code="reason_required")
    proposal = _decidable(session, checker, proposal_id)
    _decide(session, checker, proposal, ProposalStatus.REJECTED, reason.strip()[:MAX_REASON])
    return proposal


def approve_many(session: Session, settings: Settings, checker: Actor, ids: Sequence[int]) -> list[Proposal]:
    """All or nothing: one refusal (own proposal, already decided, the act refused) approves none."""
    return [approve(session, settings, checker, proposal_id)[0] for proposal_id in dict.fromkeys(ids)]


def listing(session: Session, status: str | None) -> Sequence[Proposal]:
    return repository.listing(session, status)


def history(session: Session, action: str, object_id: str) -> Sequence[Proposal]:
    return repository.of_object(session, action, object_id)


def approvers(session: Session, action: str, object_ids: Sequence[str]) -> dict[str, str]:
    return repository.approvers(session, action, object_ids)


def view(proposal: Proposal) -> dict[str, Any]:
    return {
        "id": proposal.id,
        "action": proposal.action,
        "object": proposal.object_id,
        "reason": proposal.reason,
        "payload": proposal.payload,
        "status": proposal.status,
        "proposed_by": proposal.proposed_by,
        "proposed_at": proposal.proposed_at.isoformat(),
        "decided_by": proposal.decided_by,
        "decided_at": proposal.decided_at.isoformat() if proposal.decided_at else None,
        "decision_reason": proposal.decision_reason,
    }


def _decidable(session: Session, checker: Actor, proposal_id: int) -> Proposal:
    proposal = repository.by_id(session, proposal_id, for_update=True)
    if proposal is None:
        raise NotFound(f"no proposal {proposal_id}", code="unknown_proposal")
    if proposal.status != ProposalStatus.PROPOSED:
        raise Conflict(
            f"proposal {proposal_id} was already {proposal.status} by {proposal.decided_by}",
            code="already_decided",
        )
    if person(checker.name) == person(proposal.proposed_by):
        raise Forbidden(
            f"proposal {proposal_id} was made by {proposal.proposed_by}: a second person must decide it",
            code="same_person",
        )
    return proposal


def _decide(
    session: Session, checker: Actor, proposal: Proposal, status: ProposalStatus, reason: str | None
) -> None:
    before = {"status": proposal.status}
    proposal.status = status
    proposal.decided_by = checker.name
    proposal.decided_at = datetime.now(UTC)
    proposal.decision_reason = reason
    record(
        session,
        checker,
        f"proposal.{status}",
        "proposal",
        str(proposal.id),
        before=before,
        after=view(proposal),
    )


CarryOut = Callable[[Session, "Settings", Proposal, Actor], Any]


def _carry_out(action: str) -> CarryOut:
    module, _, function = ACTIONS[action].partition(":")
    found: CarryOut = getattr(importlib.import_module(module), function)
    return found
