"""A busy day binds more values than a database driver takes in one statement (PostgreSQL's protocol
stops at 65,535 parameters): tens of thousands of credits without a payment code, whose payer names,
amounts and identity numbers are looked up. The day must reconcile, and still find what it should."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

from feecollect.reconcile.models import ReconciliationException
from tests.conftest import bearer
from tests.helpers import case_body
from tests.reconcile.test_scenario import DEPARTMENT, HEADER, SPECIAL, special_row

UNIDENTIFIED = 50_000
DEPARTMENT_CREDITS = 35_000


def test_a_day_of_fifty_thousand_code_less_credits_reconciles(client, tokens, cli, settings, tmp_path):
    day = datetime.now(settings.zone).date()
    clerk = bearer(tokens["clerk"])
    assert client.post("/api/v1/cases", json=case_body("SUG1"), headers=clerk).status_code == 201
    suggested = client.post("/api/v1/cases/SUG1/notices", headers=clerk).json()
    outside = case_body("OUT1", name="示范市体外一号公司")
    assert client.post("/api/v1/cases", json=outside, headers=clerk).status_code == 201

    # Distinct payers and distinct amounts: every one is a value to look up.
    rows = [
        special_row(n, day, f"{1000 + n}.{n % 100:02d}", f"缴款人{n:06d}", "缴费")
        for n in range(1, UNIDENTIFIED)
    ]
    rows.append(special_row(UNIDENTIFIED, day, "570.00", "示范市星河商贸有限公司", "缴费"))
    special = tmp_path / "special.csv"
    special.write_bytes(("账号:," + SPECIAL + "\n" + HEADER + "".join(rows)).encode("gbk"))
    department_rows = [
        f"D{n:06d},{day} 11:00:00,付款单位{n:06d},6222{n:012d},{200 + n}.00,,,往来款,转账,91430300MA{n:08d}\n"
        for n in range(1, DEPARTMENT_CREDITS)
    ]
    department_rows.append(
        f"D{DEPARTMENT_CREDITS:06d},{day} 11:05:00,示范市体外一号公司,62220000,570.00,,,登记费,转账,\n"
    )
    department = tmp_path / "department.csv"
    department.write_bytes(
        (
            "凭证号,交易时间,对方单位,对方账号,转入金额,转出金额,余额,用途,摘要,附言\n"
            + "".join(department_rows)
        ).encode()
    )
    assert cli("accounts", "add", SPECIAL, "--kind", "special").exit_code == 0
    assert cli("accounts", "add", DEPARTMENT, "--kind", "department", "--department", "ZRZY").exit_code == 0
    assert cli("accounts", "add", "unused", "--kind", "department", "--department", "ZJJ").exit_code == 0

    first = cli("reconcile", "--statement", str(department), "--account", DEPARTMENT, "--json")
    assert first.exit_code == 0, first.output[-2000:]
    result = cli("reconcile", "--statement", str(special), "--date", day.isoformat(), "--json")
    assert result.exit_code == 0, result.output[-2000:]
    summary = json.loads(result.stdout[result.stdout.index("{") :])
    assert summary["exceptions"]["unidentified_credit"] == UNIDENTIFIED
    assert summary["exceptions"]["collected_outside_centre"] == 1

    finance = bearer(tokens["finance"])
    listed = client.get(
        "/api/v1/exceptions", params={"class": "unidentified_credit", "limit": 500}, headers=finance
    ).json()
    assert listed["total"] == UNIDENTIFIED
    with client.app.state.engine.connect() as db:
        evidence = db.execute(
            select(ReconciliationException.evidence).where(
                ReconciliationException.exception_class == "unidentified_credit"
            )
        ).scalars()
        suggestions = [found["suggested_notice"] for found in evidence if found.get("suggested_notice")]
    assert suggestions == [suggested["payment_code"]]
