"""Web pages: test users get passwords, and a helper signs a TestClient in like a browser would."""

from __future__ import annotations

import re

import pytest

# The demo's users and the home page each opens on; the demo day fixture gives them known passwords.
DEMO_ROLES = {"clerk-zrzy": "/clerk", "clerk-zjj": "/clerk", "clerk-gaj": "/clerk", "finance": "/finance"}
DEMO_ROLES |= {"auditor": "/auditor", "admin": "/fees"}
DEMO_PASSWORD = "{role}-密码-2026"
PASSWORDS = {name: f"{name}-密码-2026" for name in ("clerk", "clerk_zjj", "finance", "finance_2", "auditor")}


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


@pytest.fixture
def demo_day(client, settings, tmp_path):  # type: ignore[no-untyped-def]
    """The day `make demo` builds, on the test database; every demo user gets a known password."""
    from feecollect.audit.service import Actor
    from feecollect.db.engine import unit_of_work
    from feecollect.devtools import demo
    from feecollect.schedules.service import current_catalogue
    from feecollect.users.service import set_password

    with unit_of_work(client.app.state.sessionmaker) as session:
        seeded = demo.seed(session, current_catalogue(session), settings)
    demo.pay_through_the_bank_client(settings, [code for _, code, _ in demo.paid_notices(seeded)])
    demo.settle_demo_project(settings)
    demo.reconcile_today(settings, seeded, report_dir=str(tmp_path))
    with unit_of_work(client.app.state.sessionmaker) as session:
        for name in DEMO_ROLES:
            set_password(session, Actor("tests", "operator"), name, DEMO_PASSWORD.format(role=name))
    return seeded
