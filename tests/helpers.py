"""Request bodies for API tests. Identity numbers carry valid check characters (python-stdnum)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from feecollect import events, subscriptions

USCC = "91110000600037341L"
USCC_2 = "91110000MA0000001L"
RIC = "11010519491231002X"
RIC_2 = "430321199001010024"


def case_body(
    case_no: str = "C-0001",
    *,
    department: str = "ZRZY",
    id_type: str = "uscc",
    id_no: str = USCC,
    name: str = "示范市星河商贸有限公司",
    items: list[dict[str, Any]] | None = None,
    flags: list[str] | None = None,
    service_date: str = "2026-11-20",
) -> dict[str, Any]:
    return {
        "case_no": case_no,
        "window": "W01",
        "department": department,
        "service_date": service_date,
        "applicant": {"name": name, "id_type": id_type, "id_no": id_no},
        "payer": {"flags": flags or []},
        "items": items
        if items is not None
        else [{"item": "XZ-BDC-002"}, {"item": "XZ-BDC-003", "quantity": "2"}],
    }


# What a residential project must declare: every parameter a construction fee of its type is charged on.
PROJECT_PARAMS = {
    "floor_area_m2": "12000.50",
    "above_ground_area_m2": "9000",
    "land_area_m2": "20000",
    "farmland_m2": "0",
    "forest_land_m2": "0",
    "road_excavation_m2": "150",
}


def project_body(project_no: str = "P-2026-001", **changes: object) -> dict:  # type: ignore[type-arg]
    body: dict = {  # type: ignore[type-arg]
        "project_no": project_no,
        "name": "示范市星河花园一期",
        "developer": {"name": "示范市星河房地产开发有限公司", "uscc": USCC},
        "division": "430321",
        "project_type": "residential",
        "params": dict(PROJECT_PARAMS),
    }
    body.update(changes)
    return body


def is_api(path: str) -> bool:
    """The API's routes (tests/users/test_roles.py); the pages have tests/web/test_page_roles.py."""
    return path.startswith("/api/") or path in ("/verify", "/metrics")


def all_routes(routes):  # type: ignore[no-untyped-def]
    """Every route, including those of included routers (FastAPI wraps them as ``original_router``)."""
    from fastapi.routing import APIRoute

    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from all_routes(route.original_router.routes)


def backdate_notice(client, payment_code: str, issued_at) -> None:  # type: ignore[no-untyped-def]
    """Set when a notice was issued, for tests that pay it at a fixed date in the past: a callback's
    paid_at may not come before the notice's issue (SPEC §6)."""
    from sqlalchemy import update

    from feecollect.notices.models import Notice

    with client.app.state.engine.begin() as db:
        db.execute(update(Notice).where(Notice.payment_code == payment_code).values(issued_at=issued_at))


def register_as_approval_system(client, body: dict) -> None:  # type: ignore[no-untyped-def, type-arg]
    """Register a case through the service, as the approval system's import does, without a clerk's
    department rules (for cases with several departments' items)."""
    from feecollect.audit.service import Actor
    from feecollect.cases.schemas import CaseIn
    from feecollect.cases.service import register
    from feecollect.db.engine import unit_of_work

    with unit_of_work(client.app.state.sessionmaker) as session:
        catalogue = client.app.state.catalogue_provider.get(session)
        register(session, catalogue, Actor("approval-system", "system"), CaseIn.model_validate(body).data())


@contextmanager
def bills_left_to_workers() -> Iterator[None]:
    """Payments made inside do not enqueue their bill (the test issues them another way)."""
    events.unsubscribe(events.PaymentRecorded, subscriptions.BILL_AFTER_PAYMENT)
    try:
        yield
    finally:
        events.subscribe(events.PaymentRecorded, subscriptions.BILL_AFTER_PAYMENT)


def approve_as_second_finance_user(client, tokens, proposed):  # type: ignore[no-untyped-def]
    """Four eyes: what ``finance`` proposed (a 202 answer), approved by ``finance_2``."""
    assert proposed.status_code == 202, proposed.text
    from tests.conftest import bearer

    approved = client.post(
        f"/api/v1/proposals/{proposed.json()['id']}/approve", headers=bearer(tokens["finance_2"])
    )
    assert approved.status_code == 200, approved.text
    return approved


SPECIAL_ACCOUNT = "43050162360800000001"


def reconcile_special_credits(cli, tmp_path, day: str, credits: list[tuple[str, str, str, str]]) -> None:  # type: ignore[no-untyped-def]
    """Register the special account, then import and reconcile, for ``day``, a CCB statement of these
    credits, each (time, amount, payer, remark); their serials are S1, S2…"""
    assert cli("accounts", "add", SPECIAL_ACCOUNT, "--kind", "special").exit_code == 0
    statement = tmp_path / "ccb.csv"
    statement.write_text(
        "账号,交易时间,借方发生额,贷方发生额,余额,对方户名,对方账号,摘要,流水号\n"
        + "".join(
            f"{SPECIAL_ACCOUNT},{day} {at},,{amount},,{payer},6223,{remark},S{n}\n"
            for n, (at, amount, payer, remark) in enumerate(credits, start=1)
        ),
        encoding="utf-8",
    )
    assert cli("reconcile", "--statement", str(statement), "--date", day).exit_code == 0
