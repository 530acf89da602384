"""Declaring a project: one validation path (the pure declaration check), then the row and its audit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from feecollect.audit.service import Actor, record
from feecollect.billing.quote import quote
from feecollect.errors import Conflict, NotFound, Unprocessable
from feecollect.notices import repository as notices_repository
from feecollect.notices.models import Notice
from feecollect.notices.service import new_notice
from feecollect.projects import repository
from feecollect.projects.declaration import (
    Declaration,
    applicable_items,
    bundle_request,
    declaration_problems,
)
from feecollect.projects.models import Project, ProjectStatus
from feecollect.schedules.catalogue import Catalogue
from feecollect.schedules.types import FeeItem
from feecollect.settings import Settings
from feecollect.users.principal import Forbidden, Principal


def declare(session: Session, catalogue: Catalogue, actor: Actor, declaration: Declaration) -> Project:
    if problems := declaration_problems(catalogue, declaration):
        raise Unprocessable.of_fields(problems, code="invalid_project")
    if repository.by_project_no(session, declaration.project_no) is not None:
        raise Conflict(f"project {declaration.project_no} is already declared", code="duplicate_project")
    project = Project(
        project_no=declaration.project_no,
        name=declaration.name,
        developer_name=declaration.developer_name,
        developer_uscc=declaration.developer_uscc.upper(),
        division=declaration.division,
        project_type=declaration.project_type,
        declared_params={name: str(value) for name, value in declaration.params},
        payer_flags=sorted(declaration.flags),
        declared_on=declaration.declared_on,
        status=ProjectStatus.DECLARED,
        declared_by=actor.name,
        declared_at=datetime.now(UTC),
    )
    repository.add(session, project)
    record(session, actor, "project.declared", "project", project.project_no, after=view(project))
    return project


def get(session: Session, project_no: str, *, for_update: bool = False) -> Project:
    project = repository.by_project_no(session, project_no, for_update=for_update)
    if project is None:
        raise NotFound(f"no project {project_no!r}", code="unknown_project")
    return project


def declaration_of(project: Project) -> Declaration:
    return Declaration(
        project_no=project.project_no,
        name=project.name,
        developer_name=project.developer_name,
        developer_uscc=project.developer_uscc,
        division=project.division,
        project_type=project.project_type,
        params=tuple((name, Decimal(value)) for name, value in project.declared_params.items()),
        flags=frozenset(project.payer_flags),
        declared_on=project.declared_on,
    )


def issue_bundle(
    session: Session, catalogue: Catalogue, settings: Settings, principal: Principal, project_no: str
) -> Notice:
    """The one-form notice: every fee the project owes, priced on its declared parameters at the rates
    of its declaration date, payable once; the money is held as pre-collected until settlement."""
    if principal.department is None:
        raise Forbidden(f"{principal.name} belongs to no department's window")
    project = get(session, project_no, for_update=True)  # one issuer per project at a time
    live = notices_repository.live_for_project(session, project.id)
    if live is not None:
        raise Conflict(
            f"project {project_no} already has notice {live.payment_code} ({live.status})",
            code="notice_exists",
        )
    priced = quote(catalogue, bundle_request(catalogue, declaration_of(project)))
    if priced.total_fen == 0:
        raise Unprocessable(f"project {project_no} owes nothing after reliefs", code="nothing_due")
    return new_notice(
        session,
        settings,
        principal,
        priced,
        # The window that issued it: its clerks follow the notice up, as they do a case's.
        notice_of(project, principal.department),
    )


def notice_of(project: Project, department_code: str) -> Notice:
    """A new notice of the project, payable by its developer, followed up by ``department_code``."""
    return Notice(
        project=project,
        project_id=project.id,
        department_code=department_code,
        payer_name=project.developer_name,
        payer_id_type="uscc",
        payer_id_no=project.developer_uscc,
        payer_flags=list(project.payer_flags),
        service_date=project.declared_on,
    )


def fees_of(catalogue: Catalogue, project: Project) -> list[tuple[FeeItem, Decimal | None]]:
    """The construction items the project owes, each with the declared quantity it is charged on."""
    declared = project.declared_params
    return [
        (item, Decimal(declared[item.parameter]) if item.parameter in declared else None)
        for item in applicable_items(catalogue, project.project_type, project.declared_on)
    ]


def view(project: Project) -> dict[str, object]:
    return {
        "name": project.name,
        "developer": {"name": project.developer_name, "uscc": project.developer_uscc},
        "division": project.division,
        "project_type": project.project_type,
        "params": project.declared_params,
        "flags": project.payer_flags,
        "declared_on": project.declared_on.isoformat(),
        "status": project.status,
    }


def recent(session: Session, limit: int = 200) -> Sequence[Project]:
    return repository.listing(session, limit=limit, offset=0)
