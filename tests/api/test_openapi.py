"""The OpenAPI document describes the errors the app really sends, so that a client generated from it,
or a schema-driven fuzzer, meets no undeclared answer."""

from __future__ import annotations

import json

PUBLIC_PATHS = (
    "/api/v1/schedules",
    "/api/v1/schedules/{code}",
    "/api/v1/health",
    "/api/v1/ready",
    "/metrics",
)


def test_every_operation_declares_the_error_body_it_sends(client, tokens):
    document = client.get("/openapi.json").json()
    text = json.dumps(document)
    assert "HTTPValidationError" not in text
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert responses["422"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }, (method, path)
            public = path in PUBLIC_PATHS or path.startswith(
                ("/api/v1/bills/public-key", "/api/v1/bills/keys", "/verify")
            )
            if not public:
                assert {"401", "403"} <= set(responses), (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)


def test_the_declared_error_is_what_a_refusal_looks_like(client, tokens):
    document = client.get("/openapi.json").json()
    required = set(document["components"]["schemas"]["Error"]["required"])
    refused = client.get(
        "/api/v1/exceptions?offset=-1", headers={"Authorization": f"Bearer {tokens['finance']}"}
    )
    assert refused.status_code == 422 and required <= set(refused.json())


def test_files_are_declared_with_their_media_types(client):
    paths = client.get("/openapi.json").json()["paths"]
    report = paths["/api/v1/reconciliations/{day}/report.xlsx"]["get"]["responses"]["200"]["content"]
    assert list(report) == ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"]
    pdfs = [p for p in paths if p.endswith(".pdf")]
    assert pdfs and all(
        list(paths[p]["get"]["responses"]["200"]["content"]) == ["application/pdf"] for p in pdfs
    )
