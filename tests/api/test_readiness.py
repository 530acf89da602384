"""Readiness (SPEC §17): 200 with the database and the broker reached, 503 naming what is down; the
liveness check stays free of database work."""

from __future__ import annotations

from sqlalchemy import create_engine


def test_the_embedded_default_is_ready_with_eager_tasks(client):
    answer = client.get("/api/v1/ready")
    assert answer.status_code == 200 and answer.json() == {"database": "ok", "broker": "eager"}
    assert client.get("/api/v1/health").json() == {"status": "ok"}


def test_a_reachable_broker_is_ok(client, redis_url):
    client.app.state.settings = client.app.state.settings.model_copy(update={"broker_url": redis_url})
    assert client.get("/api/v1/ready").json() == {"database": "ok", "broker": "ok"}


def test_an_unreachable_broker_or_database_answers_503_naming_it(client, tmp_path):
    settings = client.app.state.settings
    client.app.state.settings = settings.model_copy(update={"broker_url": "redis://127.0.0.1:1/0"})
    down = client.get("/api/v1/ready")
    assert down.status_code == 503
    assert down.json() | {"detail": ""} == {
        "error": "not_ready",
        "detail": "",
        "database": "ok",
        "broker": "down",
    }
    client.app.state.settings = settings
    working = client.app.state.engine
    client.app.state.engine = create_engine(f"sqlite:///{tmp_path}/no/such/dir/x.db")
    try:
        gone = client.get("/api/v1/ready")
    finally:
        client.app.state.engine.dispose()
        client.app.state.engine = working
    assert (
        gone.status_code == 503 and gone.json()["database"] == "down" and "database" in gone.json()["detail"]
    )
