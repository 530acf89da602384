from __future__ import annotations

import re


def test_simulate_pays_every_notice_once_over_http_with_replays(live_server, cli):
    result = cli(
        "bank",
        "simulate",
        "--payments",
        "30",
        "--duplicates",
        "0.5",
        "--concurrency",
        "8",
        "--url",
        live_server,
    )
    assert result.exit_code == 0, result.output
    counts = dict(re.findall(r"(\w+): (\d+)", result.output.splitlines()[-1]))
    assert counts == {"accepted": "30", "duplicate": "15"}, result.output
    assert cli("ledger", "check").output.strip() == "账簿平衡：各项不变式均成立"


def test_simulate_fails_loudly_without_a_server(cli):
    result = cli("bank", "simulate", "--payments", "2", "--url", "http://127.0.0.1:9")
    assert result.exit_code != 0
