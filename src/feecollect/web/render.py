"""Rendering pages: Jinja2 templates with the signed-in user, their CSRF token and money formatting."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from feecollect.audit.actors import actor_names
from feecollect.db.engine import unit_of_work
from feecollect.money import format_yuan
from feecollect.projects.declaration import PROJECT_TYPES
from feecollect.reconcile.wording import chinese_detail
from feecollect.schedules.service import CatalogueProvider
from feecollect.web.auth import HOME, ROLE_NAMES, PageUser
from feecollect.wording import (
    AGE_BUCKETS,
    BILL_STATUS_NAMES,
    EVIDENCE_LABELS,
    EXCEPTION_CLASS_NAMES,
    EXCEPTION_HISTORY,
    PROPOSAL_ACTIONS,
    PROPOSAL_STATUS,
    STATUS_NAMES,
    actor_display,
    day_text,
    evidence_value,
    local_time,
)

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.filters["yuan"] = lambda fen: "" if fen is None else format_yuan(fen)
TEMPLATES.env.filters["chinese_detail"] = lambda exception: chinese_detail(
    exception.exception_class, exception.evidence
)
TEMPLATES.env.globals["ROLE_NAMES"] = ROLE_NAMES
TEMPLATES.env.globals["HOME"] = HOME
TEMPLATES.env.globals["PROJECT_TYPES"] = PROJECT_TYPES
TEMPLATES.env.globals["STATUS"] = STATUS_NAMES
TEMPLATES.env.globals["BILL_STATUS"] = BILL_STATUS_NAMES
TEMPLATES.env.globals["CLASS_NAMES"] = EXCEPTION_CLASS_NAMES
TEMPLATES.env.globals["EVIDENCE"] = EVIDENCE_LABELS
TEMPLATES.env.globals["PROPOSAL_ACTIONS"] = PROPOSAL_ACTIONS
TEMPLATES.env.globals["PROPOSAL_STATUS"] = PROPOSAL_STATUS
TEMPLATES.env.globals["EXCEPTION_HISTORY"] = EXCEPTION_HISTORY
TEMPLATES.env.globals["AGE_BUCKETS"] = AGE_BUCKETS
TEMPLATES.env.filters["shown"] = evidence_value
TEMPLATES.env.filters["day"] = day_text


@pass_context
def _department(context: Context, code: str | None) -> str:
    """A department by its name; its code only where the schedules do not name it."""
    return "" if not code else context.get("department_names", {}).get(code, code)


@pass_context
def _when(context: Context, moment: datetime | None) -> str:
    return local_time(moment, context["zone"])


@pass_context
def _moment(context: Context, text: str | None) -> str:
    """A stored ISO moment (as signatures keep them) in local time; a dash when there is none."""
    if not text:
        return "—"
    try:
        return local_time(datetime.fromisoformat(text), context["zone"])
    except ValueError:
        return text


TEMPLATES.env.filters["department"] = _department
TEMPLATES.env.filters["moment"] = _moment
TEMPLATES.env.filters["when"] = _when


def page(
    request: Request, template: str, user: PageUser | None = None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    departments, actors = _names(request)
    known = {
        "user": user,
        "zone": request.app.state.settings.zone,
        "department_names": departments,
        "actor_name": lambda actor: actor_display(actor, actors),
    }
    return TEMPLATES.TemplateResponse(request, template, known | context, status_code=status_code)


def _names(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    """Department and actor names, read in the request's session or, for pages without one (errors,
    sign-in), in a short one of their own."""
    provider: CatalogueProvider = request.app.state.catalogue_provider
    session = getattr(request.state, "db_session", None)
    if session is not None:
        return provider.get(session).department_names(), actor_names(session)
    with unit_of_work(request.app.state.sessionmaker) as own:
        return provider.get(own).department_names(), actor_names(own)
