"""The public pages, signing in and out, and the page every refusal becomes."""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from feecollect.api.auth import PUBLIC
from feecollect.api.deps import AppSettings, CurrentCatalogue, DbSession
from feecollect.users.service import Role
from feecollect.web import auth
from feecollect.web.auth import HOME, LOGIN_CSRF_COOKIE, SESSION_COOKIE, SignedInPage
from feecollect.web.render import page
from feecollect.web.standards import published_standard
from feecollect.wording import REFUSALS

router = APIRouter(include_in_schema=False)

HEADINGS = {
    400: "请求有误",
    401: "需要登录",
    403: "无权办理",
    404: "未找到",
    409: "当前状态下不能办理",
    413: "提交的内容过大",
    422: "提交的内容有误",
    500: "系统错误",
}


def error_page(request: Request, status: int, code: str, detail: str) -> Response:
    if status in (401, 429):
        return login_page(request, error=detail, status_code=status)
    heading = HEADINGS.get(status, "无法完成")
    # Details the services write in English (the API's) are shown as technical information under a
    # Chinese sentence; a Chinese detail is the sentence itself.
    said, technical = (detail, "") if _is_chinese(detail) else (REFUSALS.get(code, heading), detail)
    return page(
        request,
        "error.html",
        status_code=status,
        heading=heading,
        detail=said,
        technical=technical,
        code=code,
        status=status,
    )


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def login_page(request: Request, *, error: str | None = None, status_code: int = 200) -> HTMLResponse:
    """The form carries a token that must match its cookie (double submit): a sign-in cannot be forged
    from another site."""
    token = secrets.token_urlsafe(24)
    response = page(request, "login.html", status_code=status_code, error=error, csrf_token=token)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login")
    return response


@router.get("/", dependencies=[PUBLIC])
def landing(request: Request) -> HTMLResponse:
    return page(request, "index.html")


@router.get("/login", dependencies=[PUBLIC])
def login_form(request: Request) -> HTMLResponse:
    return login_page(request)


@router.post("/login", dependencies=[PUBLIC])
def login(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    csrf_token: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not (csrf_token and expected and hmac.compare_digest(csrf_token, expected)):
        return login_page(request, error="表单已失效（CSRF 校验失败），请重新登录", status_code=403)
    name = username.strip()
    address = request.client.host if request.client else "unknown"
    auth.check_throttle(session, name, address)
    try:
        token, user = auth.sign_in(session, settings, name, password)
    except auth.SignInRequired as refused:
        auth.record_failure(session, name, address)
        return login_page(request, error=refused.detail, status_code=401)
    response = RedirectResponse(HOME[Role(user.role)], status_code=303)
    auth.set_session_cookie(response, settings, token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, _: SignedInPage, session: DbSession) -> Response:
    auth.sign_out(session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/fees", dependencies=[PUBLIC])
def fees(request: Request, catalogue: CurrentCatalogue, settings: AppSettings) -> HTMLResponse:
    """The published standards and bases (七公开): every item's current version, cancelled ones marked."""
    today = datetime.now(settings.zone).date()
    by_department: dict[str, list[dict[str, object]]] = {}
    for code in catalogue.codes():
        item = catalogue.periods(code)[-1]
        by_department.setdefault(item.department.name, []).append(
            {
                "code": item.code,
                "name": item.name,
                "standard": published_standard(item),
                "basis": item.basis,
                "effective_from": item.effective_from,
                "cancelled_on": item.cancellation.on if item.cancellation else None,
                "cancellation_basis": item.cancellation.basis if item.cancellation else None,
            }
        )
    return page(request, "fees.html", today=today, by_department=sorted(by_department.items()))
