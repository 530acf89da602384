"""Every page declares who may open it, with the API's role and department rules (SPEC §11)."""

from __future__ import annotations

from tests.helpers import all_routes, is_api
from tests.web.conftest import sign_in

# (method, route, URL opened, roles allowed); POST forms are refused before their CSRF check when the
# role is wrong, and anonymous callers get the sign-in page.
PAGES = [
    ("GET", "/", "/", "public"),
    ("GET", "/login", "/login", "public"),
    ("POST", "/login", None, "public"),
    ("POST", "/logout", None, "signed in"),
    ("GET", "/fees", "/fees", "public"),
    ("GET", "/clerk", "/clerk", {"clerk"}),
    ("GET", "/clerk/find", "/clerk/find", {"clerk"}),
    ("POST", "/clerk/cases", "/clerk/cases", {"clerk"}),
    ("GET", "/clerk/cases/{case_no}", None, {"clerk", "finance", "auditor"}),
    ("POST", "/clerk/cases/{case_no}/notice", "/clerk/cases/X/notice", {"clerk"}),
    ("GET", "/notices/{payment_code}", None, {"clerk", "finance", "auditor"}),
    ("GET", "/notices/{payment_code}.pdf", None, {"clerk", "finance", "auditor"}),
    ("POST", "/notices/{payment_code}/void", "/notices/X/void", {"clerk"}),
    ("GET", "/finance", "/finance", {"finance"}),
    ("POST", "/finance/statements", "/finance/statements", {"finance"}),
    ("POST", "/finance/reconciliations", "/finance/reconciliations", {"finance"}),
    ("GET", "/finance/reconciliations/{day}/report.xlsx", None, {"finance", "auditor"}),
    ("GET", "/finance/exceptions/{exception_id}", None, {"finance", "auditor"}),
    ("POST", "/finance/exceptions/{exception_id}/resolve", "/finance/exceptions/1/resolve", {"finance"}),
    ("POST", "/finance/exceptions/{exception_id}/assign", "/finance/exceptions/1/assign", {"finance"}),
    ("POST", "/finance/exceptions/{exception_id}/match", "/finance/exceptions/1/match", {"finance"}),
    ("POST", "/finance/exceptions/{exception_id}/return", "/finance/exceptions/1/return", {"finance"}),
    ("GET", "/finance/exceptions.xlsx", "/finance/exceptions.xlsx", {"finance"}),
    ("POST", "/finance/exceptions/bulk", "/finance/exceptions/bulk", {"finance"}),
    ("GET", "/finance/overdue", "/finance/overdue", {"finance"}),
    ("GET", "/finance/proposals", "/finance/proposals", {"finance", "auditor"}),
    ("POST", "/finance/proposals/{proposal_id}/approve", "/finance/proposals/1/approve", {"finance"}),
    ("POST", "/finance/proposals/{proposal_id}/reject", "/finance/proposals/1/reject", {"finance"}),
    ("POST", "/finance/settlements", "/finance/settlements", {"finance"}),
    ("GET", "/auditor", "/auditor", {"auditor"}),
    ("GET", "/auditor/projects/{project_no}", None, {"finance", "auditor"}),
    ("GET", "/auditor/projects/{project_no}/ledger.xlsx", None, {"finance", "auditor"}),
    ("GET", "/bills/{code}/{number}", None, {"clerk", "finance", "auditor"}),
    ("GET", "/statement-lines/{line_id}", None, {"finance", "auditor"}),
]


def test_every_page_is_in_the_matrix(client):
    pages = {
        (method, route.path)
        for route in all_routes(client.app.routes)
        for method in route.methods
        if not is_api(route.path)
    }
    assert pages == {(method, path) for method, path, *_ in PAGES}


def test_each_role_opens_only_its_pages(client, passwords):
    failures = []
    for caller in ("anonymous", "clerk", "finance", "auditor"):
        client.cookies.clear()
        if caller != "anonymous":
            assert sign_in(client, caller, passwords[caller]).status_code == 303
        for method, _, url, allowed in PAGES:
            if url is None or allowed in ("public", "signed in"):
                continue
            response = client.request(method, url, follow_redirects=False)
            if caller == "anonymous":
                expected = {401}
            elif caller in allowed:
                expected = {200, 303, 403, 404, 422}  # past the gate: the form's own checks answer
            else:
                expected = {403}
            if response.status_code not in expected:
                failures.append(f"{method} {url} as {caller}: {response.status_code}")
            elif caller not in allowed and "<html" not in response.text:
                failures.append(f"{method} {url} as {caller}: no page says why")
    assert failures == []
