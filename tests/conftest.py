"""Shared fixtures. Database tests run on SQLite and, where reachable, on the PostgreSQL server."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url

from feecollect import subscriptions
from feecollect.db.engine import make_engine, migrate
from feecollect.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_SCHEDULES = ROOT / "fee_schedules"
POSTGRES_ADMIN_URL = os.environ.get(
    "FEECOLLECT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_SERVICES = os.environ.get("FEECOLLECT_REQUIRE_SERVICES") == "1"
_names = itertools.count()


@pytest.fixture(scope="session", autouse=True)
def _subscriptions() -> None:
    """Services called without the API or the command line react to events as those do."""
    subscriptions.install()


def _postgres_unavailable() -> str | None:
    import psycopg

    url = make_url(POSTGRES_ADMIN_URL)
    try:
        psycopg.connect(
            url.set(drivername="postgresql").render_as_string(hide_password=False), connect_timeout=3
        ).close()
    except psycopg.Error as exc:
        return f"PostgreSQL not reachable at {url.render_as_string()}: {str(exc).strip().splitlines()[0]}"
    return None


class PostgresServer:
    """Hands out fresh migrated databases cloned from one template (far faster than migrating each)."""

    def __init__(self) -> None:
        import psycopg

        self.url = make_url(POSTGRES_ADMIN_URL)
        self.admin = psycopg.connect(
            self.url.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
        )
        self.template = f"feecollect_tpl_{os.getpid()}"
        self.created: list[str] = []
        self._create(self.template)
        engine = make_engine(self.url.set(database=self.template).render_as_string(hide_password=False))
        migrate(engine)
        engine.dispose()

    def _create(self, name: str, template: str | None = None) -> None:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        self.admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.created.append(name)

    def fresh(self, *, migrated: bool = True) -> str:
        name = f"feecollect_t{os.getpid()}_{next(_names)}"
        self._create(name, self.template if migrated else None)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def close(self) -> None:
        for name in reversed(self.created):
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    reason = _postgres_unavailable()
    if reason:
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason} (FEECOLLECT_REQUIRE_SERVICES=1: CI must exercise PostgreSQL)")
        pytest.skip(reason)
    server = PostgresServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh, migrated, empty database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "feecollect.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_server").fresh()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        schedules_dir=SHIPPED_SCHEDULES,
        secret_key="a-test-secret-that-is-not-a-placeholder",
    )


@pytest.fixture
def client(settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from feecollect.api.app import create_app
    from feecollect.settings import get_settings

    # Eager tasks (the electronic bill after a payment) read their settings from the environment.
    monkeypatch.setenv("FEECOLLECT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FEECOLLECT_SCHEDULES_DIR", str(settings.schedules_dir))
    monkeypatch.setenv("FEECOLLECT_SECRET_KEY", settings.secret_key.get_secret_value())
    get_settings.cache_clear()

    app = create_app(settings)
    with TestClient(app) as test_client:
        yield test_client
    app.state.engine.dispose()


# Users the API tests act as: a clerk of each of two departments and one of every other role.
TEST_USERS = {
    "clerk": ("clerk", "ZRZY"),
    "clerk_zjj": ("clerk", "ZJJ"),
    "finance": ("finance", None),
    "finance_2": ("finance", None),  # the checker of what finance proposes (four eyes)
    "auditor": ("auditor", None),
    "admin": ("admin", None),
}


def add_test_users(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Create TEST_USERS in the app's database and return their tokens."""
    from feecollect.audit.service import Actor
    from feecollect.db.engine import unit_of_work
    from feecollect.users.service import add_user

    secret = app.state.settings.secret_key.get_secret_value()
    issued = {}
    with unit_of_work(app.state.sessionmaker) as session:
        for name, (role, department) in TEST_USERS.items():
            _, issued[name] = add_user(
                session,
                secret,
                Actor("tests", "operator"),
                name=name,
                role=role,
                department=department,
                known_departments={"ZRZY", "ZJJ"},
            )
    return issued


@pytest.fixture
def tokens(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return add_test_users(client.app)


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run ``feecollect`` against the test database, as an operator on the server would."""
    from click.testing import CliRunner

    from feecollect.cli import main
    from feecollect.settings import get_settings

    monkeypatch.setenv("FEECOLLECT_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FEECOLLECT_SCHEDULES_DIR", str(settings.schedules_dir))
    monkeypatch.setenv("FEECOLLECT_SECRET_KEY", settings.secret_key.get_secret_value())
    monkeypatch.setenv("FEECOLLECT_OPERATOR", "operator-on-duty")
    get_settings.cache_clear()
    yield lambda *args, input=None: CliRunner().invoke(main, list(args), input=input)
    get_settings.cache_clear()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def row_counts(client) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Rows in every table: taken before and after a refused request to show it wrote nothing."""
    from sqlalchemy import func, select

    from feecollect.migrations.schema import Base

    with client.app.state.engine.connect() as connection:
        return {
            t.name: connection.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables
        }


REDIS_URL = os.environ.get("FEECOLLECT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis database for broker tests, emptied first; skipped (or, in CI, failed) where Redis is absent."""
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        client.flushdb()
        client.close()
    except redis.RedisError as exc:
        reason = f"Redis not reachable at {REDIS_URL}: {exc}"
        if REQUIRE_SERVICES:
            pytest.fail(f"{reason} (FEECOLLECT_REQUIRE_SERVICES=1: CI must exercise Redis)")
        pytest.skip(reason)
    return REDIS_URL


def _add_bank(client, code: str, name: str, *, lookup_required: bool) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    from feecollect.audit.service import Actor
    from feecollect.bank.service import add_bank
    from feecollect.db.engine import unit_of_work

    with unit_of_work(client.app.state.sessionmaker) as session:
        return add_bank(
            session,
            client.app.state.settings.secret_key.get_secret_value(),
            Actor("tests", "operator"),
            code,
            name,
            lookup_required=lookup_required,
        )


@pytest.fixture
def bank_key(client) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The key id and secret of a bank registered without lookups: the scenario tests date payments
    on fixed past days, which no lookup made now could cover. The lookup contract is tested with
    ``looking_bank``."""
    return _add_bank(client, "CCB", "中国建设银行示范市分行", lookup_required=False)


@pytest.fixture
def bank(client, bank_key):  # type: ignore[no-untyped-def]
    """The reference bank client, talking to the app."""
    from feecollect.devtools.bank_client import BankClient

    return BankClient(client, *bank_key)


@pytest.fixture
def looking_bank(client):  # type: ignore[no-untyped-def]
    """A bank registered as banks are by default: its callbacks echo the confirm code of a lookup."""
    from feecollect.devtools.bank_client import BankClient

    return BankClient(client, *_add_bank(client, "ICBC", "中国工商银行示范市分行", lookup_required=True))


@pytest.fixture
def live_server(settings: Settings, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The app served by uvicorn in another process, on a free loopback port: a real HTTP peer."""
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = os.environ | {
        "FEECOLLECT_DATABASE_URL": settings.database_url,
        "FEECOLLECT_SCHEDULES_DIR": str(settings.schedules_dir),
        "FEECOLLECT_SECRET_KEY": settings.secret_key.get_secret_value(),
        "FEECOLLECT_ENVIRONMENT": "test",
    }
    # The server's log goes to a file: a pipe nobody reads fills up and stalls the server.
    log = tmp_path_factory.mktemp("server") / "uvicorn.log"
    log_file = log.open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "feecollect.cli", "serve", "--port", str(port), "--workers", "2"],
        env=environment,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"uvicorn did not start: {log.read_text()[-2000:]}")
        time.sleep(0.2)
    yield url
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log_file.close()
