"""A schema-driven fuzzer against the app's own OpenAPI document: every GET operation and the main
POSTs, as each role, with a fixed example budget. No answer may be a server error, and every status
must be one the document declares."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

MAIN_POSTS = {"/api/v1/quotes", "/api/v1/cases", "/api/v1/reconciliations", "/api/v1/projects"}
EXAMPLES = 12


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_server_error_and_no_undeclared_status(client, tokens, database_url):
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().method.upper() == "GET" or result.ok().path in MAIN_POSTS
    ]
    assert len(operations) > 20
    for role in ("clerk", "finance", "auditor", "admin"):
        for operation in operations:
            _fuzz(operation, {"Authorization": f"Bearer {tokens[role]}"})


def _fuzz(operation, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """A failed check raises with the request that reproduces it."""

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case):  # type: ignore[no-untyped-def]
        case.call_and_validate(headers=headers, checks=[not_a_server_error, status_code_conformance])

    fuzz()
