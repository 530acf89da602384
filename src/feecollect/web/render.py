"""Rendering pages: Jinja2 templates with the signed-in user, their CSRF token and money formatting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from feecollect.money import format_yuan
from feecollect.reconcile.wording import chinese_detail
from feecollect.web.auth import HOME, ROLE_NAMES, PageUser

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.filters["yuan"] = lambda fen: "" if fen is None else format_yuan(fen)
TEMPLATES.env.filters["chinese_detail"] = lambda exception: chinese_detail(
    exception.exception_class, exception.evidence
)
TEMPLATES.env.globals["ROLE_NAMES"] = ROLE_NAMES
TEMPLATES.env.globals["HOME"] = HOME
TEMPLATES.env.globals["STATUS"] = {
    "issued": "待缴款",
    "paid": "已缴款",
    "refunded": "已退付",
    "voided": "已作废",
    "expired": "已逾期",
    "registered": "已登记",
    "completed": "已办结",
    "withdrawn": "已撤回",
    "open": "待处理",
    "resolved": "已处理",
    "declared": "已申报",
    "settling": "决算中",
    "settled": "已决算分割",
}


def page(
    request: Request, template: str, user: PageUser | None = None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, template, {"user": user, **context}, status_code=status_code)
