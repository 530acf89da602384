"""Proposals (SPEC §16): finance lists them, a second finance user approves or rejects them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from feecollect.api.auth import Finance, FinanceReader
from feecollect.api.deps import AppSettings, DbSession
from feecollect.api.params import RowId
from feecollect.proposals import service as proposals
from feecollect.proposals.models import Proposal

router = APIRouter(prefix="/api/v1", tags=["proposals (审核)"])


class ProposalOut(BaseModel):
    id: int
    action: str
    object: str
    reason: str
    payload: dict[str, Any]
    status: str
    proposed_by: str
    proposed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None

    @classmethod
    def of(cls, proposal: Proposal) -> ProposalOut:
        return cls(
            id=proposal.id,
            action=proposal.action,
            object=proposal.object_id,
            reason=proposal.reason,
            payload=proposal.payload,
            status=proposal.status,
            proposed_by=proposal.proposed_by,
            proposed_at=proposal.proposed_at,
            decided_by=proposal.decided_by,
            decided_at=proposal.decided_at,
            decision_reason=proposal.decision_reason,
        )


class RejectIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class ApproveManyIn(BaseModel):
    ids: list[int] = Field(min_length=1, max_length=10_000)


StatusFilter = Annotated[str | None, Query(pattern="^(proposed|approved|rejected)$")]


@router.get("/proposals", response_model=list[ProposalOut], summary="Proposals, oldest first")
def list_proposals(
    principal: FinanceReader, session: DbSession, status: StatusFilter = None
) -> list[ProposalOut]:
    return [ProposalOut.of(p) for p in proposals.listing(session, status)]


@router.post(
    "/proposals/approve",
    response_model=list[ProposalOut],
    summary="Approve several proposals at once: all or none (one refusal approves none)",
)
def approve_many(
    body: ApproveManyIn, principal: Finance, session: DbSession, settings: AppSettings
) -> list[ProposalOut]:
    return [ProposalOut.of(p) for p in proposals.approve_many(session, settings, principal.actor, body.ids)]


@router.post(
    "/proposals/{proposal_id}/approve",
    response_model=ProposalOut,
    summary="Approve a proposal, as a finance user other than its proposer: the act is carried out",
    responses={
        403: {"description": "`same_person`: the proposer cannot approve"},
        409: {"description": "decided"},
    },
)
def approve(proposal_id: RowId, principal: Finance, session: DbSession, settings: AppSettings) -> ProposalOut:
    proposal, _ = proposals.approve(session, settings, principal.actor, proposal_id)
    return ProposalOut.of(proposal)


@router.post(
    "/proposals/{proposal_id}/reject", response_model=ProposalOut, summary="Reject a proposal, saying why"
)
def reject(proposal_id: RowId, body: RejectIn, principal: Finance, session: DbSession) -> ProposalOut:
    return ProposalOut.of(proposals.reject(session, principal.actor, proposal_id, body.reason))
