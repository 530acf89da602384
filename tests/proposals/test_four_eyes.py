"""Four eyes (SPEC §16): what one finance user proposes moves only when a second one approves it."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.conftest import bearer, row_counts
from tests.helpers import reconcile_special_credits


def _open_exception(client, tokens, cli, tmp_path) -> int:  # type: ignore[no-untyped-def]
    """An unidentified credit on the special account, found by a reconciliation."""
    credits = [("09:00:00", "10.00", "无名氏", "货款"), ("10:00:00", "20.00", "无名氏", "货款")]
    reconcile_special_credits(cli, tmp_path, "2026-03-02", credits)
    found = client.get("/api/v1/exceptions?status=open", headers=bearer(tokens["finance"])).json()["items"]
    return sorted(e["id"] for e in found)


def test_a_resolution_is_refused_to_its_proposer_and_carried_out_once_by_a_second_user(
    client, tokens, cli, tmp_path
):
    first, _ = _open_exception(client, tokens, cli, tmp_path)
    maker, checker = bearer(tokens["finance"]), bearer(tokens["finance_2"])
    proposed = client.post(
        f"/api/v1/exceptions/{first}/resolve", json={"reason": "误汇，已退回"}, headers=maker
    )
    assert proposed.status_code == 202
    body = proposed.json()
    assert (body["action"], body["object"], body["proposed_by"], body["status"]) == (
        "resolve_exception",
        str(first),
        "finance",
        "proposed",
    )
    assert client.get(f"/api/v1/exceptions/{first}", headers=maker).json()["status"] == "open"
    again = client.post(f"/api/v1/exceptions/{first}/resolve", json={"reason": "再提"}, headers=maker)
    assert again.status_code == 409 and again.json()["error"] == "already_proposed"

    before = row_counts(client)
    own = client.post(f"/api/v1/proposals/{body['id']}/approve", headers=maker)
    assert own.status_code == 403 and own.json()["error"] == "same_person"
    assert row_counts(client) == before, "a refused approval writes nothing"

    approved = client.post(f"/api/v1/proposals/{body['id']}/approve", headers=checker)
    assert approved.status_code == 200 and approved.json()["decided_by"] == "finance_2"
    resolved = client.get(f"/api/v1/exceptions/{first}", headers=maker).json()
    assert (resolved["status"], resolved["resolution"], resolved["resolved_by"]) == (
        "resolved",
        "误汇，已退回",
        "finance",
    )
    twice = client.post(f"/api/v1/proposals/{body['id']}/approve", headers=checker)
    assert twice.status_code == 409 and twice.json()["error"] == "already_decided"

    report = client.get("/api/v1/reconciliations/2026-03-02/report.xlsx", headers=maker)
    sheet = load_workbook(io.BytesIO(report.content))["未明款项"]
    headers = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == first)
    assert (row[headers.index("处理人")], row[headers.index("审核人")]) == ("finance", "finance_2")
    audit = client.get("/api/v1/audit", headers=bearer(tokens["auditor"])).json()
    acts = {(e["action"], e["actor"]) for e in audit}
    assert {("proposal.made", "finance"), ("proposal.approved", "finance_2")} <= acts
    assert ("exception.resolved", "finance_2") in acts
    assert cli("ledger", "check").exit_code == 0 and cli("audit", "verify").exit_code == 0


def test_a_rejected_proposal_leaves_the_exception_open_and_bulk_approval_is_all_or_none(
    client, tokens, cli, tmp_path
):
    first, second = _open_exception(client, tokens, cli, tmp_path)
    maker, checker = bearer(tokens["finance"]), bearer(tokens["finance_2"])
    one = client.post(f"/api/v1/exceptions/{first}/resolve", json={"reason": "甲"}, headers=maker).json()
    rejected = client.post(
        f"/api/v1/proposals/{one['id']}/reject", json={"reason": "证据不足"}, headers=checker
    )
    assert rejected.status_code == 200 and rejected.json()["decision_reason"] == "证据不足"
    assert client.get(f"/api/v1/exceptions/{first}", headers=maker).json()["status"] == "open"

    mine = client.post(f"/api/v1/exceptions/{first}/resolve", json={"reason": "乙"}, headers=maker).json()
    theirs = client.post(
        f"/api/v1/exceptions/{second}/resolve", json={"reason": "丙"}, headers=checker
    ).json()
    before = row_counts(client)
    mixed = client.post(
        "/api/v1/proposals/approve", json={"ids": [mine["id"], theirs["id"]]}, headers=checker
    )
    assert mixed.status_code == 403 and mixed.json()["error"] == "same_person"
    assert row_counts(client) == before, "one refusal approves none"
    done = client.post("/api/v1/proposals/approve", json={"ids": [mine["id"]]}, headers=checker)
    assert done.status_code == 200
    waiting = client.get("/api/v1/proposals?status=proposed", headers=maker).json()
    assert [p["id"] for p in waiting] == [theirs["id"]]


def test_the_command_line_proposes_and_a_second_operator_approves(client, tokens, cli, tmp_path, monkeypatch):
    first, _ = _open_exception(client, tokens, cli, tmp_path)
    proposed = cli("--as", "finance", "exceptions", "resolve", str(first), "--reason", "误汇")
    assert proposed.exit_code == 0 and "待另一位财务人员审核" in proposed.output
    proposal_id = client.get("/api/v1/proposals?status=proposed", headers=bearer(tokens["finance"])).json()[
        0
    ]["id"]
    own = cli("--as", "finance", "proposals", "approve", str(proposal_id))
    assert own.exit_code == 1 and "提议人不能审核自己的提议" in own.output
    listed = cli("proposals", "list")
    assert "处理对账异常" in listed.output and "待审核" in listed.output
    done = cli("--as", "finance_2", "proposals", "approve", str(proposal_id))
    assert done.exit_code == 0 and f"已批准第 {proposal_id} 号提议" in done.output
    assert (
        client.get(f"/api/v1/exceptions/{first}", headers=bearer(tokens["finance"])).json()["status"]
        == "resolved"
    )


def test_exceptions_are_assigned_aged_and_filtered_by_bucket(client, tokens, cli, tmp_path):
    first, second = _open_exception(client, tokens, cli, tmp_path)
    finance = bearer(tokens["finance"])
    assigned = client.post(f"/api/v1/exceptions/{first}/assign", json={"user": "finance_2"}, headers=finance)
    assert assigned.status_code == 200 and assigned.json()["assigned_to"] == "finance_2"
    nobody = client.post(f"/api/v1/exceptions/{first}/assign", json={"user": "auditor"}, headers=finance)
    assert nobody.status_code == 422 and nobody.json()["error"] == "unknown_user"
    mine = client.get("/api/v1/exceptions?assigned_to=finance_2", headers=finance).json()["items"]
    assert [e["id"] for e in mine] == [first]
    # Found on 2026-03-02: months old by now, so in the oldest bucket and no other.
    old = client.get("/api/v1/exceptions?age_bucket=30%2B", headers=finance).json()
    assert sorted(e["id"] for e in old["items"]) == [first, second]
    assert all(e["age_bucket"] == "30+" and e["age_days"] >= 30 for e in old["items"])
    assert client.get("/api/v1/exceptions?age_bucket=0-2", headers=finance).json()["total"] == 0
    assert client.get("/api/v1/exceptions?age_bucket=1-2", headers=finance).status_code == 422
    audit = client.get("/api/v1/audit", headers=bearer(tokens["auditor"])).json()
    assert any(e["action"] == "exception.assigned" and e["actor"] == "finance" for e in audit)


def test_the_exception_page_tells_its_history_and_the_finance_page_its_age(
    client, tokens, cli, tmp_path, passwords
):
    from tests.web.conftest import csrf_of, sign_in

    first, _ = _open_exception(client, tokens, cli, tmp_path)
    sign_in(client, "finance", passwords["finance"])
    home = client.get("/finance?date=2026-03-02").text
    assert '<table id="ageing">' in home and "30 天以上" in home
    ageing = home.split('<table id="ageing">')[1].split("</table>")[0]
    assert ageing.count('<td class="num">2</td>') == 1, "both open exceptions are over 30 days old"
    csrf = csrf_of(client.get(f"/finance/exceptions/{first}").text)
    client.post(f"/finance/exceptions/{first}/assign", data={"csrf_token": csrf, "assignee": "finance_2"})
    client.post(f"/finance/exceptions/{first}/resolve", data={"csrf_token": csrf, "reason": "误汇，已退回"})
    page = client.get(f"/finance/exceptions/{first}").text
    history = page.split('<table id="history">')[1].split("</table>")[0]
    for said in ("发现", "分派给", "提议处理", "误汇，已退回"):
        assert said in history, said
    assert "exception.assigned" not in history and "proposal.made" not in history


def test_an_unidentified_credit_matched_by_hand_pays_its_notice_once_approved(client, tokens, cli, tmp_path):
    from decimal import Decimal

    from tests.helpers import case_body

    clerk, maker, checker = (bearer(tokens[name]) for name in ("clerk", "finance", "finance_2"))
    client.post("/api/v1/cases", json=case_body("MM-1"), headers=clerk)
    notice = client.post("/api/v1/cases/MM-1/notices", headers=clerk).json()
    day = notice["issued_at"][:10]
    amount = f"{Decimal(notice['amount']):.2f}"
    reconcile_special_credits(cli, tmp_path, day, [("09:00:00", amount, "张三", "代缴")])
    (found,) = client.get("/api/v1/exceptions?status=open&class=unidentified_credit", headers=maker).json()[
        "items"
    ]
    line = found["evidence"]["statement_line"]

    wrong = client.post(
        f"/api/v1/statement-lines/{line}/match",
        json={"payment_code": "43032126000000099999", "reason": "核实"},
        headers=maker,
    )
    assert wrong.status_code == 404 and wrong.json()["error"] == "unknown_payment_code"
    proposed = client.post(
        f"/api/v1/statement-lines/{line}/match",
        json={"payment_code": notice["payment_code"], "reason": "电话核实为 MM-1 的缴费"},
        headers=maker,
    )
    assert proposed.status_code == 202 and proposed.json()["action"] == "match_line"
    assert client.get(f"/api/v1/notices/{notice['payment_code']}", headers=clerk).json()["status"] == "issued"
    own = client.post(f"/api/v1/proposals/{proposed.json()['id']}/approve", headers=maker)
    assert own.status_code == 403

    assert (
        client.post(f"/api/v1/proposals/{proposed.json()['id']}/approve", headers=checker).status_code == 200
    )
    paid = client.get(f"/api/v1/notices/{notice['payment_code']}", headers=clerk).json()
    assert paid["status"] == "paid" and paid["bill"] is not None, "paid as the statement path pays, billed"
    closed = client.get(f"/api/v1/exceptions/{found['id']}", headers=maker).json()
    assert closed["status"] == "resolved" and notice["payment_code"] in closed["resolution"]
    assert cli("ledger", "check").exit_code == 0
    assert suspense(client, tokens) == 0, "matched: it left suspense"

    rerun = client.post("/api/v1/reconciliations", json={"date": day}, headers=maker).json()
    assert rerun["exceptions"]["unidentified_credit"] == 0 and rerun["matched"] == 1, "later runs match it"
    assert rerun["regression"]["gone"] == [found["id"]]
    again = client.post(
        f"/api/v1/statement-lines/{line}/match",
        json={"payment_code": notice["payment_code"], "reason": "再次"},
        headers=maker,
    )
    assert again.status_code == 409 and again.json()["error"] == "line_already_matched"
    back = client.post(
        f"/api/v1/statement-lines/{line}/return", json={"bank_code": "CCB", "reason": "退回"}, headers=maker
    )
    assert back.status_code == 409 and back.json()["error"] == "line_not_in_suspense", "matched money stays"


def suspense(client, tokens):  # type: ignore[no-untyped-def]
    from decimal import Decimal

    accounts = client.get("/api/v1/ledger/balances", headers=bearer(tokens["auditor"])).json()["accounts"]
    return -sum((Decimal(a["balance"]) for a in accounts if a["account"] == "suspense"), Decimal(0))


def test_an_unidentified_credit_goes_back_to_its_payer_once_approved_and_confirmed(
    client, tokens, cli, tmp_path, bank
):
    from datetime import UTC, datetime

    maker, checker, auditor = (bearer(tokens[name]) for name in ("finance", "finance_2", "auditor"))
    first, second = _open_exception(client, tokens, cli, tmp_path)
    returned = client.get(f"/api/v1/exceptions/{first}", headers=maker).json()
    line = returned["evidence"]["statement_line"]
    assert suspense(client, tokens) == 30

    unknown_bank = client.post(
        f"/api/v1/statement-lines/{line}/return", json={"bank_code": "NOPE", "reason": "退回"}, headers=maker
    )
    assert unknown_bank.status_code == 404 and unknown_bank.json()["error"] == "unknown_bank"
    proposed = client.post(
        f"/api/v1/statement-lines/{line}/return",
        json={"bank_code": "CCB", "reason": "付款人来电，误汇"},
        headers=maker,
    )
    assert proposed.status_code == 202 and proposed.json()["action"] == "approve_refund"
    refund_id = proposed.json()["object"]
    assert bank.refunds(status=None).json()["items"] == [], "the bank does not see a proposed order"
    again = client.post(
        f"/api/v1/statement-lines/{line}/return", json={"bank_code": "CCB", "reason": "再次"}, headers=maker
    )
    assert again.status_code == 409 and again.json()["error"] == "line_already_returned"

    own = client.post(f"/api/v1/proposals/{proposed.json()['id']}/approve", headers=maker)
    assert own.status_code == 403 and own.json()["error"] == "same_person"
    approved = client.post(f"/api/v1/proposals/{proposed.json()['id']}/approve", headers=checker)
    assert approved.status_code == 200
    (order,) = bank.refunds().json()["items"]
    assert (order["refund_id"], order["amount"], order["payee_name"]) == (refund_id, "10.00", "无名氏")
    assert order["payment_code"] is None and order["original_bank_txn_id"] == "S1"
    assert suspense(client, tokens) == 30, "approved, not yet paid out: still unexplained in the account"
    assert client.get(f"/api/v1/exceptions/{first}", headers=maker).json()["status"] == "open"

    confirmed = bank.confirm_refund(refund_id, "RT-TXN-1", "10.00", datetime.now(UTC))
    assert confirmed.status_code == 200 and confirmed.json()["result"] == "accepted"
    replay = bank.confirm_refund(
        refund_id, "RT-TXN-1", "10.00", datetime.fromisoformat(confirmed.json()["refunded_at"])
    )
    assert replay.json()["result"] == "duplicate"
    assert suspense(client, tokens) == 20, "sent back: it left suspense; the other credit stays"
    closed = client.get(f"/api/v1/exceptions/{first}", headers=maker).json()
    assert closed["status"] == "resolved" and refund_id in closed["resolution"]
    assert client.get(f"/api/v1/exceptions/{second}", headers=maker).json()["status"] == "open"
    assert cli("ledger", "check").exit_code == 0
    assert cli("audit", "verify").exit_code == 0
    refund_history = client.get(f"/api/v1/audit?object_id={refund_id}", headers=auditor).json()
    assert [e["action"] for e in refund_history] == ["refund.confirmed", "refund.approved", "refund.proposed"]

    gone = client.post(
        f"/api/v1/statement-lines/{line}/match",
        json={"payment_code": "43032126000000099999", "reason": "核实"},
        headers=maker,
    )
    assert gone.status_code in (404, 409), "a returned line pays no notice"
    rerun = client.post("/api/v1/reconciliations", json={"date": "2026-03-02"}, headers=maker)
    assert rerun.status_code == 200 and suspense(client, tokens) == 20, "a re-run does not hold it again"


def test_the_exception_page_proposes_sending_a_credit_back(client, tokens, cli, tmp_path, passwords, bank):
    from tests.web.conftest import csrf_of, sign_in

    first, _ = _open_exception(client, tokens, cli, tmp_path)
    sign_in(client, "finance", passwords["finance"])
    page = client.get(f"/finance/exceptions/{first}").text
    assert "退回付款人" in page and "中国建设银行示范市分行" in page
    sent = client.post(
        f"/finance/exceptions/{first}/return",
        data={"csrf_token": csrf_of(page), "bank_code": "CCB", "reason": "误汇"},
    )
    assert sent.status_code == 200 and "退付审批" in sent.text
    row = sent.text.split('<table id="proposals">')[1].split("</table>")[0]
    assert "对账单明细" in row and "误汇" in row and "自己的提议" in row
