"""SPEC §11, endpoint by endpoint and role by role."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from feecollect.api.auth import Gate
from feecollect.bank.signing import signed_headers
from feecollect.devtools.bank_client import payment_body
from tests.conftest import bearer, row_counts
from tests.helpers import PROJECT_PARAMS, USCC, all_routes, case_body, is_api, project_body

CALLERS = ("anonymous", "bad_token", "bank", "clerk", "finance", "auditor", "admin")
READERS = {"clerk", "finance", "auditor"}
IMPORT_CSV = (
    "case_no,window,department,service_date,applicant_name,id_type,id_no,item\n"
    f"M-IMP,W01,ZRZY,2026-11-20,示范市星河商贸有限公司,uscc,{USCC},XZ-BDC-002\n"
).encode()

STATEMENT_CSV = (
    "账号,交易时间,借方发生额,贷方发生额,余额,对方户名,对方账号,摘要,流水号\n"
    "6200000000000000001,2026-11-21 10:00:00,,80.00,80.00,张三,6222,缴费,S1\n"
).encode()
FINANCE_READERS = {"finance", "auditor"}
LEDGER_READERS = {"finance", "auditor", "admin"}

# (method, route, URL called, request keyword arguments, roles allowed, status the allowed role gets);
# "{code}" in a URL is the payment code of a notice issued for case M-1.
MATRIX = [
    ("GET", "/api/v1/health", "/api/v1/health", {}, "public", 200),
    ("GET", "/api/v1/ready", "/api/v1/ready", {}, "public", 200),
    # Counts only; FEECOLLECT_METRICS_TOKEN closes it to all but the scraper (tests/api/test_operations).
    ("GET", "/metrics", "/metrics", {}, "public", 200),
    ("GET", "/api/v1/schedules", "/api/v1/schedules", {}, "public", 200),
    ("GET", "/api/v1/schedules/{code}", "/api/v1/schedules/JS-PT-001", {}, "public", 200),
    ("POST", "/api/v1/quotes", "/api/v1/quotes", {"json": {"lines": [{"item": "XZ-GA-001"}]}}, READERS, 200),
    ("POST", "/api/v1/cases", "/api/v1/cases", {"json": case_body("M-NEW")}, {"clerk"}, 201),
    ("GET", "/api/v1/cases", "/api/v1/cases", {}, READERS, 200),
    ("GET", "/api/v1/cases/{case_no}", "/api/v1/cases/M-1", {}, READERS, 200),
    (
        "POST",
        "/api/v1/cases/import",
        "/api/v1/cases/import",
        {"files": {"file": ("cases.csv", IMPORT_CSV)}},
        {"clerk"},
        200,
    ),
    ("POST", "/api/v1/cases/{case_no}/complete", "/api/v1/cases/M-2/complete", {}, {"clerk"}, 200),
    (
        "POST",
        "/api/v1/cases/{case_no}/withdraw",
        "/api/v1/cases/M-3/withdraw",
        {"json": {"reason": "撤回"}},
        {"clerk"},
        200,
    ),
    ("POST", "/api/v1/cases/{case_no}/notices", "/api/v1/cases/M-4/notices", {}, {"clerk"}, 201),
    ("GET", "/api/v1/notices", "/api/v1/notices", {}, READERS, 200),
    ("POST", "/api/v1/projects", "/api/v1/projects", {"json": project_body("P-NEW")}, {"clerk"}, 201),
    ("GET", "/api/v1/projects", "/api/v1/projects", {}, READERS, 200),
    ("GET", "/api/v1/projects/{project_no}", "/api/v1/projects/P-1", {}, READERS, 200),
    ("POST", "/api/v1/projects/{project_no}/bundle", "/api/v1/projects/P-1/bundle", {}, {"clerk"}, 201),
    (
        "POST",
        "/api/v1/projects/{project_no}/settlement",
        "/api/v1/projects/P-3/settlement",
        {"json": {"params": PROJECT_PARAMS}},
        {"finance"},
        201,
    ),
    ("GET", "/api/v1/refunds", "/api/v1/refunds", {}, FINANCE_READERS, 200),
    ("GET", "/api/v1/projects/{project_no}/ledger", "/api/v1/projects/P-2/ledger", {}, LEDGER_READERS, 200),
    (
        "GET",
        "/api/v1/projects/{project_no}/ledger.xlsx",
        "/api/v1/projects/P-2/ledger.xlsx",
        {},
        LEDGER_READERS,
        200,
    ),
    (
        "GET",
        "/api/v1/ledger/projects",
        "/api/v1/ledger/projects?from=2026-01-01&to=2026-12-31",
        {},
        LEDGER_READERS,
        200,
    ),
    (
        "GET",
        "/api/v1/ledger/projects.xlsx",
        "/api/v1/ledger/projects.xlsx?from=2026-01-01&to=2026-12-31",
        {},
        LEDGER_READERS,
        200,
    ),
    ("GET", "/api/v1/ledger/departments", "/api/v1/ledger/departments", {}, LEDGER_READERS, 200),
    ("GET", "/api/v1/bank/refunds", "/api/v1/bank/refunds", {}, {"bank"}, 200),
    ("POST", "/api/v1/bank/refunds", "/api/v1/bank/refunds", {"confirm": "refund"}, {"bank"}, 200),
    ("GET", "/api/v1/notices/{payment_code}", "/api/v1/notices/{code}", {}, READERS, 200),
    ("GET", "/api/v1/notices/{payment_code}.pdf", "/api/v1/notices/{code}.pdf", {}, READERS, 200),
    (
        "POST",
        "/api/v1/notices/{payment_code}/void",
        "/api/v1/notices/{code}/void",
        {"json": {"reason": "作废"}},
        {"clerk"},
        200,
    ),
    ("GET", "/api/v1/users", "/api/v1/users", {}, {"admin"}, 200),
    (
        "POST",
        "/api/v1/users",
        "/api/v1/users",
        {"json": {"name": "new-finance", "role": "finance"}},
        {"admin"},
        201,
    ),
    ("POST", "/api/v1/schedules/reload", "/api/v1/schedules/reload", {}, {"admin"}, 200),
    ("GET", "/api/v1/audit", "/api/v1/audit", {}, LEDGER_READERS, 200),
    ("GET", "/api/v1/audit/verify", "/api/v1/audit/verify", {}, LEDGER_READERS, 200),
    ("GET", "/api/v1/ledger/balances", "/api/v1/ledger/balances", {}, LEDGER_READERS, 200),
    ("GET", "/api/v1/ledger/check", "/api/v1/ledger/check", {}, LEDGER_READERS, 200),
    ("GET", "/api/v1/bank/notices/{payment_code}", "/api/v1/bank/notices/{code}", {}, {"bank"}, 200),
    ("POST", "/api/v1/bank/payments", "/api/v1/bank/payments", {"pay": "M-5"}, {"bank"}, 200),
    ("GET", "/api/v1/bills/public-key", "/api/v1/bills/public-key", {}, "public", 200),
    ("GET", "/api/v1/bills/keys", "/api/v1/bills/keys", {}, "public", 200),
    (
        "GET",
        "/api/v1/bills/{code}/{number}/signed-content",
        "/api/v1/bills/{bill}/signed-content",
        {},
        READERS,
        200,
    ),
    ("GET", "/api/v1/bills/{code}/{number}/signatures", "/api/v1/bills/{bill}/signatures", {}, READERS, 200),
    ("GET", "/verify", "/verify?{check}", {}, "public", 200),
    ("GET", "/api/v1/bills/{code}/{number}", "/api/v1/bills/{bill}", {}, READERS, 200),
    ("GET", "/api/v1/bills/{code}/{number}.xml", "/api/v1/bills/{bill}.xml", {}, READERS, 200),
    ("GET", "/api/v1/bills/{code}/{number}.pdf", "/api/v1/bills/{bill}.pdf", {}, READERS, 200),
    ("GET", "/api/v1/bills/{code}/{number}.ofd", "/api/v1/bills/{bill}.ofd", {}, READERS, 200),
    (
        "POST",
        "/api/v1/bills/{code}/{number}/reverse",
        "/api/v1/bills/{bill}/reverse",
        {"json": {"reason": "退付"}},
        {"finance"},
        202,
    ),
    (
        "POST",
        "/api/v1/statements",
        "/api/v1/statements",
        {"files": {"file": ("statement.csv", STATEMENT_CSV)}},
        {"finance"},
        201,
    ),
    ("GET", "/api/v1/statement-lines/{line_id}", "/api/v1/statement-lines/1", {}, FINANCE_READERS, 200),
    (
        "POST",
        "/api/v1/reconciliations",
        "/api/v1/reconciliations",
        {"json": {"date": "2026-11-21"}},
        {"finance"},
        200,
    ),
    ("GET", "/api/v1/reconciliations/{day}", "/api/v1/reconciliations/2026-11-21", {}, FINANCE_READERS, 200),
    (
        "GET",
        "/api/v1/reconciliations/{day}/report.xlsx",
        "/api/v1/reconciliations/2026-11-21/report.xlsx",
        {},
        FINANCE_READERS,
        200,
    ),
    (
        "GET",
        "/api/v1/reconciliations/{day}/exceptions",
        "/api/v1/reconciliations/2026-11-21/exceptions",
        {},
        FINANCE_READERS,
        200,
    ),
    ("GET", "/api/v1/exceptions", "/api/v1/exceptions", {}, FINANCE_READERS, 200),
    ("GET", "/api/v1/exceptions/{exception_id}", "/api/v1/exceptions/1", {}, FINANCE_READERS, 200),
    (
        "POST",
        "/api/v1/exceptions/{exception_id}/resolve",
        "/api/v1/exceptions/1/resolve",
        {"json": {"reason": "已核实"}},
        {"finance"},
        202,
    ),
    ("GET", "/api/v1/proposals", "/api/v1/proposals", {}, FINANCE_READERS, 200),
    ("GET", "/api/v1/exceptions.xlsx", "/api/v1/exceptions.xlsx", {}, FINANCE_READERS, 200),
    # Finance passes the gate and sends no file: the gate is what is tested.
    ("POST", "/api/v1/exceptions/bulk", "/api/v1/exceptions/bulk", {}, {"finance"}, 422),
    # The gate is what is tested: finance passes it and finds no such line.
    (
        "POST",
        "/api/v1/statement-lines/{line_id}/match",
        "/api/v1/statement-lines/999999/match",
        {"json": {"payment_code": "43032126000000000001", "reason": "核实"}},
        {"finance"},
        404,
    ),
    (
        "POST",
        "/api/v1/statement-lines/{line_id}/return",
        "/api/v1/statement-lines/999999/return",
        {"json": {"bank_code": "CCB", "reason": "退回"}},
        {"finance"},
        404,
    ),
    (
        "POST",
        "/api/v1/exceptions/{exception_id}/assign",
        "/api/v1/exceptions/1/assign",
        {"json": {"user": "finance_2"}},
        {"finance"},
        200,
    ),
    # A finance user passes the gate and finds no such proposal: the gate is what is tested here.
    (
        "POST",
        "/api/v1/proposals/approve",
        "/api/v1/proposals/approve",
        {"json": {"ids": [999999]}},
        {"finance"},
        404,
    ),
    (
        "POST",
        "/api/v1/proposals/{proposal_id}/approve",
        "/api/v1/proposals/999999/approve",
        {},
        {"finance"},
        404,
    ),
    (
        "POST",
        "/api/v1/proposals/{proposal_id}/reject",
        "/api/v1/proposals/999999/reject",
        {"json": {"reason": "不同意"}},
        {"finance"},
        404,
    ),
    (
        "GET",
        "/api/v1/reports/overdue-notices.xlsx",
        "/api/v1/reports/overdue-notices.xlsx",
        {},
        FINANCE_READERS,
        200,
    ),
]


def test_every_route_declares_who_may_call_it(client):
    def gates(dependant) -> list[Gate]:  # type: ignore[no-untyped-def]
        found = [dependant.call] if isinstance(dependant.call, Gate) else []
        return found + [g for sub in dependant.dependencies for g in gates(sub)]

    routes = list(all_routes(client.app.routes))
    undeclared = [f"{sorted(r.methods)} {r.path}" for r in routes if not gates(r.dependant)]
    assert undeclared == []
    served = {(method, route.path) for route in routes for method in route.methods if is_api(route.path)}
    assert served == {(method, route) for method, route, *_ in MATRIX}, "the role matrix covers every route"


@pytest.fixture
def prepared(client, tokens, bank):  # type: ignore[no-untyped-def]
    clerk = bearer(tokens["clerk"])
    for case_no in ("M-1", "M-2", "M-3", "M-4", "M-5", "M-6"):
        assert client.post("/api/v1/cases", json=case_body(case_no), headers=clerk).status_code == 201
    for project_no in ("P-1", "P-2", "P-3"):
        assert (
            client.post("/api/v1/projects", json=project_body(project_no), headers=clerk).status_code == 201
        )
    for project_no in ("P-2", "P-3"):
        bundle = client.post(f"/api/v1/projects/{project_no}/bundle", headers=clerk).json()
        assert (
            bank.pay(
                f"TXN-{project_no}", bundle["payment_code"], bundle["amount"], datetime.now(UTC)
            ).status_code
            == 200
        )
    smaller = {"params": PROJECT_PARAMS | {"floor_area_m2": "100"}}
    settled = client.post("/api/v1/projects/P-2/settlement", json=smaller, headers=bearer(tokens["finance"]))
    notices = {
        case_no: client.post(f"/api/v1/cases/{case_no}/notices", headers=clerk).json()
        for case_no in ("M-1", "M-5", "M-6")
    }
    paid = notices["M-6"]
    assert bank.pay("TXN-M6", paid["payment_code"], paid["amount"], datetime.now(UTC)).status_code == 200
    notices["bill"] = client.get(f"/api/v1/notices/{paid['payment_code']}", headers=clerk).json()["bill"]
    notices["refund"] = settled.json()["refund_order"]
    (approval,) = client.get("/api/v1/proposals?status=proposed", headers=bearer(tokens["finance"])).json()
    assert client.post(
        f"/api/v1/proposals/{approval['id']}/approve", headers=bearer(tokens["finance_2"])
    ).is_success
    from feecollect.audit.service import Actor
    from feecollect.db.engine import unit_of_work
    from feecollect.reconcile.accounts import add_account

    with unit_of_work(client.app.state.sessionmaker) as session:
        add_account(session, Actor("tests", "operator"), "6200000000000000001", "special", None, None, set())
    return notices


def test_role_matrix(client, tokens, prepared, bank_key):
    users = {"anonymous": {}, "bad_token": bearer("fc_not-a-real-token")} | {
        role: bearer(tokens[role]) for role in ("clerk", "finance", "auditor", "admin")
    }
    code = prepared["M-1"]["payment_code"]
    failures = []
    for method, path, url_template, kwargs, allowed, success in MATRIX:
        bill = prepared["bill"]
        url = (
            url_template.replace("{code}", code)
            .replace("{bill}", f"{bill['code']}/{bill['number']}")
            .replace("{check}", f"code={bill['code']}&number={bill['number']}&check={bill['check_code']}")
        )
        for caller in CALLERS:
            if allowed == "public" or caller in allowed:
                expected = success
            elif caller in ("anonymous", "bad_token", "bank") or allowed == {"bank"}:
                expected = 401  # a bank is not a user, and a user's token is no bank signature
            else:
                expected = 403
            request = dict(kwargs)
            content = b""
            if "pay" in request:
                notice = prepared[request.pop("pay")]
                content = payment_body("TXN-M", notice["payment_code"], notice["amount"], datetime.now(UTC))
                request["content"] = content
            if "confirm" in request:
                order = prepared[request.pop("confirm")]
                refund = {"refund_id": order["refund_id"], "bank_txn_id": "RTXN-M", "amount": order["amount"]}
                content = json.dumps(refund | {"refunded_at": datetime.now(UTC).isoformat()}).encode()
                request["content"] = content
            if caller == "bank":
                headers = signed_headers(bank_key[0], bank_key[1], method, url, content)
            else:
                headers = users[caller]
            before = row_counts(client) if expected in (401, 403) else None
            response = client.request(method, url, headers=headers, **request)
            if response.status_code != expected:
                failures.append(
                    f"{method} {path} as {caller}: {response.status_code}, expected {expected}: "
                    f"{response.text[:120]}"
                )
            elif expected in (401, 403):
                body = response.json()
                assert (
                    body["error"] == ("unauthorized" if expected == 401 else "forbidden") and body["detail"]
                )
                assert row_counts(client) == before, f"{method} {path} as {caller} wrote despite {expected}"
    assert failures == []


def test_tokens_are_stored_only_as_hashes(client, tokens):
    from sqlalchemy import text

    with client.app.state.engine.connect() as connection:
        stored = [tuple(row) for row in connection.execute(text("SELECT * FROM users"))]
    flat = " ".join(str(value) for row in stored for value in row)
    assert stored and not any(token in flat for token in tokens.values())
