"""deploy/ (SPEC §17): the compose file and the systemd units name the same commands, keep secrets
out of the files, and those commands — API, worker and one beat, started as the units start them —
take a payment through to its bill on PostgreSQL and Redis."""

from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import yaml

from feecollect.devtools.bank_client import PAYMENTS, BankClient, payment_body
from tests.helpers import case_body

DEPLOY = Path(__file__).parents[2] / "deploy"
UNITS = ("api", "worker", "beat")
INSTALLED = "/opt/feecollect/venv/bin/feecollect"


def unit(name: str) -> configparser.ConfigParser:
    parsed = configparser.ConfigParser(strict=False, interpolation=None)
    parsed.optionxform = str  # type: ignore[assignment,method-assign]
    parsed.read(DEPLOY / "systemd" / f"feecollect-{name}.service")
    return parsed


def exec_start(name: str) -> list[str]:
    return shlex.split(unit(name)["Service"]["ExecStart"])


def unit_environment(name: str) -> dict[str, str]:
    lines = (DEPLOY / "systemd" / f"feecollect-{name}.service").read_text().splitlines()
    pairs = [
        line.removeprefix("Environment=").split("=", 1) for line in lines if line.startswith("Environment=")
    ]
    return dict(pairs)


def test_the_compose_file_runs_what_the_units_run_with_secrets_from_the_environment():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "api", "worker", "beat"}
    for name in UNITS:
        command, started = services[name]["command"], exec_start(name)
        assert started[0] == INSTALLED and command[0] == "feecollect"
        assert command[1] == started[1] == ("serve" if name == "api" else name)
    assert services["beat"]["deploy"]["replicas"] == 1, "exactly one beat"
    assert all("healthcheck" in services[name] for name in ("postgres", "redis", "api", "worker"))
    assert "/api/v1/ready" in json.dumps(services["api"]["healthcheck"])
    assert {"pgdata", "redisdata"} <= set(compose["volumes"])
    for name in UNITS:
        environment = services[name]["environment"]
        assert environment["FEECOLLECT_BROKER_URL"].startswith("redis://")
        for key, value in environment.items():
            if re.search("SECRET|PASSWORD|TOKEN", key):
                assert re.fullmatch(r"\$\{\w+:\?[^}]*\}", str(value)), f"{key} comes from the environment"
        assert "${POSTGRES_PASSWORD:?" in environment["FEECOLLECT_DATABASE_URL"]
    text = (DEPLOY / "compose.yaml").read_text() + "".join(
        (DEPLOY / "systemd" / f"feecollect-{n}.service").read_text() for n in UNITS
    )
    assert "SECRET_KEY=" not in text and "PASSWORD=" not in text, "no secret is written in a deploy file"
    assert all(unit(n)["Service"]["EnvironmentFile"] == "/etc/feecollect/feecollect.env" for n in UNITS)


def test_the_units_pass_systemd_analyze(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    feecollect = Path(sys.executable).with_name("feecollect")
    environment_file = tmp_path / "feecollect.env"
    environment_file.write_text((DEPLOY / "feecollect.env.example").read_text())
    for name in UNITS:
        text = (DEPLOY / "systemd" / f"feecollect-{name}.service").read_text()
        text = text.replace(INSTALLED, str(feecollect)).replace(
            "/etc/feecollect/feecollect.env", str(environment_file)
        )
        (tmp_path / f"feecollect-{name}.service").write_text(text)
    checked = subprocess.run(
        [analyze, "verify", "--man=no", *(str(tmp_path / f"feecollect-{n}.service") for n in UNITS)],
        capture_output=True,
        text=True,
    )
    ours = [line for line in checked.stderr.splitlines() if "feecollect-" in line]
    assert ours == [], checked.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_run_here(name: str, port: int, beat_dir: Path) -> list[str]:
    """The unit's command, with this checkout's interpreter for the installed one and free ports."""
    command = [sys.executable, "-m", "feecollect.cli", *exec_start(name)[1:]]
    if name == "api":
        command[command.index("--port") + 1] = str(port)
    if name == "beat":
        command[command.index("--schedule-file") + 1] = str(beat_dir / "celerybeat-schedule")
    return command


def _cli(environment: dict[str, str], *args: str) -> dict:  # type: ignore[type-arg]
    ran = subprocess.run(
        [sys.executable, "-m", "feecollect.cli", "--as", "部署测试", *args, "--json"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    return json.loads(ran.stdout)  # type: ignore[no-any-return]


def _wait(check, seconds: float, what: str, processes) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check():
        for process, log in processes:
            assert process.poll() is None, f"{log.name} exited: {log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"{what} after {seconds} s"
        time.sleep(0.3)


def test_the_units_commands_take_a_payment_to_its_bill(postgres_server, redis_url, tmp_path):
    keys = tmp_path / "keys"
    keys.mkdir()
    environment = os.environ | {
        "FEECOLLECT_ENVIRONMENT": "production",
        "FEECOLLECT_DATABASE_URL": postgres_server.fresh(),
        "FEECOLLECT_BROKER_URL": redis_url,
        "FEECOLLECT_SECRET_KEY": "deploy-test-secret-0123456789abcdef",
        "FEECOLLECT_METRICS_TOKEN": "deploy-test-scrape-token",
        "FEECOLLECT_SCHEDULES_DIR": str(Path(__file__).parents[2] / "fee_schedules"),
        "FEECOLLECT_LOG_FORMAT": "json",
        "FEECOLLECT_BILL_ISSUER_KEY_FILE": str(keys / "bill_issuer.key"),
        "FEECOLLECT_BILL_SUPERVISOR_KEY_FILE": str(keys / "bill_supervisor.key"),
    }
    environment.pop("FEECOLLECT_OPERATOR", None)
    for role in ("issuer", "supervisor"):
        made = subprocess.run(
            [sys.executable, "-m", "feecollect.cli", "keys", "generate", role, "--out", str(keys)],
            env=environment | {"FEECOLLECT_ENVIRONMENT": "development"},
            capture_output=True,
            text=True,
        )
        assert made.returncode == 0, made.stderr
    port, worker_metrics = _free_port(), _free_port()
    here = {"/run/": str(tmp_path) + "/", "9101": str(worker_metrics)}  # the units' paths and port, here

    def as_here(value: str) -> str:
        for there, replaced in here.items():
            value = value.replace(there, replaced)
        return value

    per_unit = {
        name: environment | {key: as_here(value) for key, value in unit_environment(name).items()}
        for name in UNITS
    }
    logs = {name: tmp_path / f"{name}.log" for name in (*UNITS, "second-beat")}
    outputs = {name: path.open("w") for name, path in logs.items()}
    started = {
        name: subprocess.Popen(
            _as_run_here(name, port, tmp_path),
            env=per_unit[name],
            stdout=outputs[name],
            stderr=subprocess.STDOUT,
        )
        for name in UNITS
    }
    running = [(started[name], logs[name]) for name in UNITS]
    api = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
    try:

        def ready() -> bool:
            try:
                return api.get("/api/v1/ready").status_code == 200
            except httpx.TransportError:
                return False

        _wait(ready, 90, "the API is not ready", running)
        assert api.get("/api/v1/ready").json() == {"database": "ok", "broker": "ok"}
        _wait(lambda: "ready." in logs["worker"].read_text(), 60, "the worker is not ready", running)

        second = subprocess.run(
            _as_run_here("beat", port, tmp_path / "second"),
            env=per_unit["beat"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode != 0 and "另一个 beat 正在运行" in second.stderr, "beat runs once"

        clerk = _cli(environment, "users", "add", "clerk_1", "--role", "clerk", "--department", "ZRZY")[
            "token"
        ]
        bank_key = _cli(environment, "banks", "add", "CCB", "--name", "中国建设银行", "--no-lookup-required")
        headers = {"Authorization": f"Bearer {clerk}"}
        assert api.post("/api/v1/cases", json=case_body("D-1"), headers=headers).status_code == 201
        notice = api.post("/api/v1/cases/D-1/notices", headers=headers).json()
        bank = BankClient(api, bank_key["key"], bank_key["secret"])
        body = payment_body("T-D-1", notice["payment_code"], notice["amount"], datetime.now(UTC))
        paid = bank._send("POST", PAYMENTS, body, headers={"X-Request-ID": "deploy-callback-1"})
        assert paid.status_code == 200 and paid.headers["x-request-id"] == "deploy-callback-1", paid.text

        def billed() -> bool:
            shown = api.get(f"/api/v1/notices/{notice['payment_code']}", headers=headers).json()
            return shown["bill"] is not None

        _wait(billed, 60, "no bill from the worker", running)
        worker_lines = [
            json.loads(line) for line in logs["worker"].read_text().splitlines() if line.startswith("{")
        ]
        issued = [line for line in worker_lines if line.get("event") == "bill issued"]
        assert [line["request_id"] for line in issued] == ["deploy-callback-1"], (
            "the request id reached the task"
        )
        assert issued[0]["payment_code"] == notice["payment_code"]

        scraped = httpx.get(f"http://127.0.0.1:{worker_metrics}/metrics").text
        assert re.search(r"^feecollect_bill_issue_lag_seconds_count 1\.0$", scraped, re.M), scraped[-2000:]
        assert api.get("/metrics").status_code == 401
        served = api.get("/metrics", headers={"Authorization": "Bearer deploy-test-scrape-token"}).text
        assert re.search(r'^feecollect_callbacks_total\{code="00000"\} 1\.0$', served, re.M)
        text = "".join(path.read_text() for path in logs.values())
        signing_keys = [
            line for key in keys.glob("*.key") for line in key.read_text().splitlines() if "-----" not in line
        ]
        secrets = [
            "deploy-test-secret-0123456789abcdef",
            clerk,
            bank_key["secret"],
            "deploy-test-scrape-token",
        ]
        for secret in secrets + signing_keys:
            assert secret not in text, "a secret or a signing key reached a log"
    finally:
        api.close()
        for process in started.values():
            process.terminate()
        for process in started.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for output in outputs.values():
            output.close()
