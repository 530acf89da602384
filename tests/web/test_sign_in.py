"""Signing in and the refusals a person at a desk gets: each says why, in Chinese, and writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from tests.conftest import bearer, row_counts
from tests.helpers import case_body
from tests.web.conftest import csrf_of, sign_in


def test_each_role_lands_on_its_own_page(client, passwords):
    for name, home in (("clerk", "/clerk"), ("finance", "/finance"), ("auditor", "/auditor")):
        client.cookies.clear()
        response = sign_in(client, name, passwords[name])
        assert response.status_code == 303 and response.headers["location"] == home
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        page = client.get(home)
        assert page.status_code == 200 and name in page.text


def test_a_wrong_password_is_refused_with_a_reason(client, passwords):
    before = row_counts(client)
    response = sign_in(client, "clerk", "not-the-password")
    assert response.status_code == 401 and "用户名或密码错误" in response.text
    unknown = sign_in(client, "nobody", "whatever-it-is")
    assert unknown.status_code == 401 and "用户名或密码错误" in unknown.text
    after = row_counts(client)
    assert after.pop("sign_in_failures") == before.pop("sign_in_failures") + 2  # what the throttle counts
    assert after == before
    assert client.get("/clerk").status_code == 401


def test_a_sign_in_without_its_csrf_token_is_refused(client, passwords):
    client.get("/login")
    response = client.post("/login", data={"username": "clerk", "password": passwords["clerk"]})
    assert response.status_code == 403 and "CSRF" in response.text


def test_a_form_without_its_csrf_token_is_refused_and_writes_nothing(client, passwords):
    sign_in(client, "clerk", passwords["clerk"])
    before = row_counts(client)
    response = client.post("/clerk/cases", data={"case_no": "W-1", "window": "A1", "items": "XZ-BDC-002"})
    assert response.status_code == 403 and "CSRF" in response.text and "<html" in response.text
    assert row_counts(client) == before


def test_an_expired_session_is_refused_with_a_page_that_says_so(client, passwords):
    sign_in(client, "finance", passwords["finance"])
    assert client.get("/finance").status_code == 200
    from feecollect.db.engine import unit_of_work
    from feecollect.web.models import WebSession

    with unit_of_work(client.app.state.sessionmaker) as session:
        session.execute(update(WebSession).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    response = client.get("/finance")
    assert response.status_code == 401 and "登录已过期" in response.text


def test_signing_out_ends_the_session(client, passwords):
    sign_in(client, "auditor", passwords["auditor"])
    home = client.get("/auditor")
    cookie = client.cookies.get("feecollect_session")
    out = client.post("/logout", data={"csrf_token": csrf_of(home.text)}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.set("feecollect_session", cookie)  # a copy kept from before signing out
    response = client.get("/auditor")
    assert response.status_code == 401 and "已退出登录" in response.text


def test_a_clerk_cannot_open_another_departments_case_or_another_roles_page(client, tokens, passwords):
    created = client.post("/api/v1/cases", json=case_body("W-ZJJ"), headers=bearer(tokens["clerk"]))
    assert created.status_code == 201
    client.cookies.clear()
    sign_in(client, "clerk_zjj", passwords["clerk_zjj"])
    refused = client.get("/clerk/cases/W-ZJJ")
    assert refused.status_code == 403 and "ZRZY" in refused.text and "无权办理" in refused.text
    finance_page = client.get("/finance")
    assert finance_page.status_code == 403 and "财务人员" in finance_page.text


def test_the_public_pages_need_no_sign_in(client):
    landing = client.get("/")
    assert landing.status_code == 200 and "/login" in landing.text and "/fees" in landing.text
    fees = client.get("/fees")
    assert fees.status_code == 200 and "JS-PT-001" in fees.text and "已于" in fees.text  # a cancelled item
    form = client.get("/verify", headers={"Accept": "text/html"})
    assert form.status_code == 200 and 'name="check"' in form.text
    assert client.get("/verify").status_code == 422  # the JSON contract still wants its parameters


def test_a_user_added_with_a_password_on_the_command_line_signs_in(client, cli):
    added = cli(
        "users",
        "add",
        "窗口李四",
        "--role",
        "clerk",
        "--department",
        "ZRZY",
        "--password",
        input="一个足够长的密码-2026\n一个足够长的密码-2026\n",
    )
    assert added.exit_code == 0, added.output
    assert sign_in(client, "窗口李四", "一个足够长的密码-2026").headers["location"] == "/clerk"
    short = cli("users", "add", "窗口王五", "--role", "finance", "--password", input="short\nshort\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    changed = cli("users", "password", "窗口李四", input="另一个足够长的密码-2027\n另一个足够长的密码-2027\n")
    assert changed.exit_code == 0
    assert client.get("/clerk").status_code == 401  # the session opened with the old password ended
    assert sign_in(client, "窗口李四", "一个足够长的密码-2026").status_code == 401


def _age_failures(client, minutes: int) -> None:  # type: ignore[no-untyped-def]
    from feecollect.web.models import SignInFailure

    with client.app.state.engine.begin() as db:
        db.execute(update(SignInFailure).values(failed_at=datetime.now(UTC) - timedelta(minutes=minutes)))


def test_five_failures_close_sign_in_for_fifteen_minutes_even_to_the_right_password(
    client, passwords, settings
):
    for _ in range(5):
        assert sign_in(client, "clerk", "guess-guess").status_code == 401
    locked = sign_in(client, "clerk", passwords["clerk"])
    assert locked.status_code == 429 and "登录失败次数过多" in locked.text
    # From the same address, another name is refused too: guessing across names is throttled.
    assert sign_in(client, "finance", passwords["finance"]).status_code == 429

    # The count is in the database: another API process refuses the same name.
    from fastapi.testclient import TestClient

    from feecollect.api.app import create_app

    other = create_app(settings)
    with TestClient(other) as second:
        assert sign_in(second, "clerk", passwords["clerk"]).status_code == 429
    other.state.engine.dispose()

    _age_failures(client, 14)
    assert sign_in(client, "clerk", passwords["clerk"]).status_code == 429
    _age_failures(client, 16)
    assert sign_in(client, "clerk", passwords["clerk"]).status_code == 303


def test_four_failures_do_not_lock(client, passwords):
    for _ in range(4):
        assert sign_in(client, "clerk", "guess-guess").status_code == 401
    assert sign_in(client, "clerk", passwords["clerk"]).status_code == 303
