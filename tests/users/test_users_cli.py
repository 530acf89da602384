from __future__ import annotations

import json

import pytest

from tests.conftest import bearer


def test_users_add_prints_a_token_that_works_once_rotated_the_old_one_stops(client, cli):
    result = cli("users", "add", "王芳", "--role", "clerk", "--department", "ZRZY", "--json")
    assert result.exit_code == 0, result.output
    token = json.loads(result.output)["token"]
    assert client.get("/api/v1/cases", headers=bearer(token)).status_code == 200
    plain = cli("users", "add", "李审计", "--role", "auditor")
    assert plain.exit_code == 0 and plain.output.startswith("fc_")
    rotated = cli("users", "token", "王芳").output.strip()
    assert client.get("/api/v1/cases", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/cases", headers=bearer(rotated)).status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("users", "add", "x1", "--role", "clerk"), "a clerk works for one department"),
        (
            ("users", "add", "x1", "--role", "clerk", "--department", "NOPE"),
            "department 'NOPE' is not in the schedules",
        ),
        (("users", "add", "x1", "--role", "boss"), "Invalid value for '--role'"),
        (("users", "add", "a b", "--role", "finance"), "must be 2–64 letters"),
        (("users", "token", "nobody"), "no user 'nobody'"),
    ],
)
def test_bad_user_commands_exit_non_zero_with_the_reason(cli, args, message):
    result = cli(*args)
    assert result.exit_code != 0 and message in result.output


def test_a_duplicate_user_is_refused(cli):
    assert cli("users", "add", "finance-1", "--role", "finance").exit_code == 0
    result = cli("users", "add", "finance-1", "--role", "auditor")
    assert result.exit_code == 1 and "user 'finance-1' already exists" in result.output
