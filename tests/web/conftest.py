"""Web pages: test users get passwords, and a helper signs a TestClient in like a browser would."""

from __future__ import annotations

import re

import pytest

PASSWORDS = {name: f"{name}-密码-2026" for name in ("clerk", "clerk_zjj", "finance", "auditor")}


@pytest.fixture
def passwords(client, tokens) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from feecollect.audit.service import Actor
    from feecollect.db.engine import unit_of_work
    from feecollect.users.service import set_password

    with unit_of_work(client.app.state.sessionmaker) as session:
        for name, password in PASSWORDS.items():
            set_password(session, Actor("tests", "operator"), name, password)
    return PASSWORDS


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def sign_in(client, name: str, password: str):  # type: ignore[no-untyped-def]
    form = client.get("/login")
    return client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
