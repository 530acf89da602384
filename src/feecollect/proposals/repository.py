from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from feecollect.proposals.models import Proposal, ProposalStatus


def add(session: Session, proposal: Proposal) -> None:
    session.add(proposal)
    session.flush()


def by_id(session: Session, proposal_id: int, *, for_update: bool = False) -> Proposal | None:
    query = select(Proposal).where(Proposal.id == proposal_id)
    return session.scalars(query.with_for_update() if for_update else query).first()


def open_for(session: Session, action: str, object_id: str) -> Proposal | None:
    query = select(Proposal).where(
        Proposal.action == action, Proposal.object_id == object_id, Proposal.status == ProposalStatus.PROPOSED
    )
    return session.scalars(query).first()


def of_object(session: Session, action: str, object_id: str) -> Sequence[Proposal]:
    query = select(Proposal).where(Proposal.action == action, Proposal.object_id == object_id)
    return session.scalars(query.order_by(Proposal.id)).all()


def listing(session: Session, status: str | None, limit: int = 500) -> Sequence[Proposal]:
    query = select(Proposal)
    if status is not None:
        query = query.where(Proposal.status == status)
    return session.scalars(query.order_by(Proposal.id).limit(limit)).all()


def approvers(session: Session, action: str, object_ids: Sequence[str]) -> dict[str, str]:
    """Object → who approved its act, for the objects whose proposal was approved."""
    found: dict[str, str] = {}
    wanted = sorted(set(object_ids))
    for start in range(0, len(wanted), 1000):
        query = select(Proposal.object_id, Proposal.decided_by).where(
            Proposal.action == action,
            Proposal.status == ProposalStatus.APPROVED,
            Proposal.object_id.in_(wanted[start : start + 1000]),
        )
        found.update({object_id: by for object_id, by in session.execute(query) if by})
    return found


def open_objects(session: Session, action: str, object_ids: Sequence[str]) -> set[str]:
    wanted, found = sorted(set(object_ids)), set[str]()
    for start in range(0, len(wanted), 1000):
        query = select(Proposal.object_id).where(
            Proposal.action == action,
            Proposal.status == ProposalStatus.PROPOSED,
            Proposal.object_id.in_(wanted[start : start + 1000]),
        )
        found.update(session.scalars(query))
    return found
