from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader

from feecollect.db.engine import unit_of_work
from feecollect.einvoices import service
from feecollect.money import chinese_capital, parse_yuan
from tests.conftest import bearer, row_counts
from tests.helpers import approve_as_second_finance_user, backdate_notice, bills_left_to_workers, case_body

PAID_AT = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


@pytest.fixture
def paid(client, tokens, bank) -> dict:  # type: ignore[type-arg]
    """A notice paid through the reference bank client, with the bill its payment produced."""
    items = [{"item": "XZ-BDC-002"}, {"item": "XZ-BDC-003", "quantity": "2"}]
    client.post("/api/v1/cases", json=case_body("BL-1", items=items), headers=bearer(tokens["clerk"]))
    notice = client.post("/api/v1/cases/BL-1/notices", headers=bearer(tokens["clerk"])).json()
    backdate_notice(client, notice["payment_code"], PAID_AT - timedelta(days=1))
    assert (
        bank.pay("TXN-BL-1", notice["payment_code"], notice["amount"], PAID_AT).json()["result"] == "accepted"
    )
    return client.get(f"/api/v1/notices/{notice['payment_code']}", headers=bearer(tokens["clerk"])).json()


def url(bill: dict, suffix: str = "") -> str:  # type: ignore[type-arg]
    return f"/api/v1/bills/{bill['code']}/{bill['number']}{suffix}"


def test_a_paid_notice_has_a_bill_in_json_xml_and_pdf(client, tokens, paid):
    bill = paid["bill"]
    assert re.fullmatch(r"43030126", bill["code"]) and bill["number"] == "0000000001"
    assert re.fullmatch(r"[0-9A-Za-z]{6}", bill["check_code"])
    reader = bearer(tokens["auditor"])
    body = client.get(url(bill), headers=reader).json()
    main = body["content"]["Main"]
    assert (body["kind"], body["status"], body["algorithm"]) == ("normal", "issued", "SM2-SM3")
    assert (main["TotalAmount"], main["TotalAmountUpper"], main["RandomNumber"]) == (
        "570.00",
        "伍佰柒拾元整",
        bill["check_code"],
    )
    assert body["content"]["PayerParty"] == {
        "Type": "2",
        "Code": "91110000600037341L",
        "Name": "示范市星河商贸有限公司",
    }
    assert body["content"]["MainExt"]["PayCode"] == paid["payment_code"]
    # 项目编码: the items' revenue classification codes (政府收支分类科目), the centre's codes beside them
    assert [d["ItemCode"] for d in body["content"]["Details"]] == ["1030414", "1030414"]
    assert [d["ItemLocalCode"] for d in body["content"]["Details"]] == ["XZ-BDC-002", "XZ-BDC-003"]
    assert [d["ItemQuantity"] for d in body["content"]["Details"]] == [
        "1.0000",
        "2.0000",
    ]  # as bills write it
    xml = client.get(url(bill, ".xml"), headers=reader)
    assert (
        xml.headers["content-type"] == "application/xml"
        and b"<EInvoiceNumber>0000000001</EInvoiceNumber>" in xml.content
    )
    pdf = client.get(url(bill, ".pdf"), headers=reader)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert bill["number"] in text and "示范市星河商贸有限公司" in text and "伍佰柒拾元整" in text
    assert f"/verify?code={bill['code']}" in text


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (Debian poppler-utils) is not installed"
)
def test_pdftotext_reads_number_payer_and_capitals(client, tokens, paid, tmp_path):
    path = tmp_path / "bill.pdf"
    path.write_bytes(client.get(url(paid["bill"], ".pdf"), headers=bearer(tokens["finance"])).content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "0000000001" in text and "示范市星河商贸有限公司" in text and "伍佰柒拾元整" in text


def test_issuing_again_for_the_same_payment_creates_nothing(client, paid):
    from feecollect.tasks import issue_bill, issue_missing_bills

    before = row_counts(client)
    with unit_of_work(client.app.state.sessionmaker) as session:
        from sqlalchemy import select

        from feecollect.payments.models import Payment

        payment_id = session.scalar(select(Payment.id))
        again = service.issue_for_payment(session, client.app.state.settings, payment_id)
        assert again.number == paid["bill"]["number"]
    assert issue_bill(payment_id) == f"{paid['bill']['code']}-{paid['bill']['number']}"
    assert issue_missing_bills() == []
    assert row_counts(client) == before


@pytest.fixture
def bill_files(client, tokens, paid, tmp_path):  # type: ignore[no-untyped-def]
    xml = tmp_path / "bill.xml"
    xml.write_bytes(client.get(url(paid["bill"], ".xml"), headers=bearer(tokens["finance"])).content)
    keys = tmp_path / "keys.json"
    keys.write_text(client.get("/api/v1/bills/keys").text)
    return xml, keys


def test_the_xml_verifies_offline_with_only_the_public_key(cli, bill_files, monkeypatch):
    xml, key = bill_files
    monkeypatch.setenv("FEECOLLECT_SECRET_KEY", "a-completely-different-service-secret")
    from feecollect.settings import get_settings

    get_settings.cache_clear()
    result = cli("bills", "verify", str(xml), "--keys", str(key))
    assert result.exit_code == 0, result.output
    assert "验证通过" in result.output and "待监制" not in result.output and "金额 570.00 元" in result.output


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<TotalAmount>570.00</TotalAmount>", "<TotalAmount>57.00</TotalAmount>"),
        ("<Name>示范市星河商贸有限公司</Name>", "<Name>示范市星河商贸有限公司2</Name>"),
        ("<EInvoiceNumber>0000000001</EInvoiceNumber>", "<EInvoiceNumber>0000000002</EInvoiceNumber>"),
        ("<ItemAmount>550.00</ItemAmount>", "<ItemAmount>550.01</ItemAmount>"),
    ],
)
def test_a_changed_amount_payer_or_number_fails_verification(cli, bill_files, old, new):
    xml, key = bill_files
    text = xml.read_text(encoding="utf-8")
    assert old in text
    xml.write_text(text.replace(old, new), encoding="utf-8")
    result = cli("bills", "verify", str(xml), "--keys", str(key))
    assert result.exit_code == 1 and "验证未通过" in result.output


def test_a_changed_signature_byte_or_a_broken_file_fails(cli, bill_files):
    xml, key = bill_files
    text = xml.read_text(encoding="utf-8")
    value = re.search(r"<Value>(.+?)</Value>", text).group(1)
    flipped = ("B" if value[5] != "B" else "C").join([value[:5], value[6:]])
    xml.write_text(text.replace(value, flipped), encoding="utf-8")
    assert cli("bills", "verify", str(xml), "--keys", str(key)).exit_code == 1
    xml.write_text(text[: len(text) // 2], encoding="utf-8")
    broken = cli("bills", "verify", str(xml))
    assert broken.exit_code == 1 and "不是格式正确的 XML" in broken.output


def test_public_verification_by_code_number_and_check(client, paid):
    bill = paid["bill"]
    query = f"/verify?code={bill['code']}&number={bill['number']}&check={bill['check_code']}"
    good = client.get(query).json()
    assert (good["valid"], good["payer"], good["total"]) == (True, "示范市星河商贸有限公司", "570.00")
    wrong = client.get(query.replace(bill["check_code"], "000000")).json()
    assert wrong["valid"] is False and "校验码不符" in wrong["detail"]
    assert client.get(query.replace("0000000001", "0000000099")).json()["valid"] is False
    page = client.get(query, headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html") and "票据真实有效" in page.text


def test_red_reversal(client, tokens, paid, cli):
    bill = paid["bill"]
    assert (
        client.post(
            url(bill, "/reverse"), json={"reason": "退付"}, headers=bearer(tokens["clerk"])
        ).status_code
        == 403
    )
    proposed = client.post(
        url(bill, "/reverse"), json={"reason": "申请人撤回，办理退付"}, headers=bearer(tokens["finance"])
    )
    assert proposed.status_code == 202 and proposed.json()["action"] == "reverse_bill"
    assert client.get(url(bill), headers=bearer(tokens["finance"])).json()["status"] == "issued"
    approve_as_second_finance_user(client, tokens, proposed)
    assert cli("ledger", "check").exit_code == 0 and cli("audit", "verify").exit_code == 0
    red = client.get(f"/api/v1/bills/{bill['code']}/0000000002", headers=bearer(tokens["finance"])).json()
    assert (red["kind"], red["number"], red["content"]["Main"]["TotalAmount"]) == (
        "reversal",
        "0000000002",
        "-570.00",
    )
    assert red["content"]["MainExt"]["RelatedInvoiceNumber"] == bill["number"]
    assert red["content"]["Main"]["TotalAmountUpper"] == chinese_capital(-parse_yuan("570.00"))
    original = client.get(url(bill), headers=bearer(tokens["finance"])).json()
    assert original["status"] == "reversed" and original["reversed_reason"] == "申请人撤回，办理退付"
    again = client.post(url(bill, "/reverse"), json={"reason": "再次"}, headers=bearer(tokens["finance"]))
    assert again.status_code == 409 and again.json()["error"] == "bill_not_reversible"
    red_again = client.post(
        f"/api/v1/bills/{red['code']}/{red['number']}/reverse",
        json={"reason": "x"},
        headers=bearer(tokens["finance"]),
    )
    assert red_again.status_code == 409
    verification = client.get(
        f"/verify?code={bill['code']}&number={bill['number']}&check={bill['check_code']}"
    ).json()
    assert verification["valid"] and verification["status"] == "reversed"


def test_bill_numbers_are_gapless_under_concurrent_issuers(client, tokens, bank):
    from sqlalchemy import select

    from feecollect.payments.models import Payment

    codes = []
    for n in range(40):
        client.post("/api/v1/cases", json=case_body(f"G-{n}"), headers=bearer(tokens["clerk"]))
        codes.append(client.post(f"/api/v1/cases/G-{n}/notices", headers=bearer(tokens["clerk"])).json())
    with bills_left_to_workers():  # pay without the after-commit bill, then issue from 8 threads
        for n, notice in enumerate(codes):
            bank.pay(f"G-{n}", notice["payment_code"], notice["amount"], PAID_AT)
    with unit_of_work(client.app.state.sessionmaker) as session:
        ids = list(session.scalars(select(Payment.id)))
    settings, sessions = client.app.state.settings, client.app.state.sessionmaker
    work = ids + ids[:10]  # ten payments asked twice, as a retried task would
    with ThreadPoolExecutor(8) as pool:
        bills = list(pool.map(lambda pid: service.issue_in_own_transaction(sessions, settings, pid), work))
    numbers = sorted({bill.bill_no for bill in bills})
    assert numbers == list(range(1, len(ids) + 1))


@pytest.mark.parametrize("role", ["issuer", "supervisor"])
def test_keys_generate_writes_an_owner_only_sm2_key(cli, tmp_path, role):
    result = cli("keys", "generate", role, "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    private = tmp_path / f"bill_{role}.key"
    assert oct(os.stat(private).st_mode & 0o777) == "0o600"
    assert (tmp_path / f"bill_{role}.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    if shutil.which("openssl"):
        described = subprocess.run(
            ["openssl", "pkey", "-in", str(private), "-noout", "-text"], capture_output=True, text=True
        )
        assert "SM2" in described.stdout
    again = cli("keys", "generate", role, "--out", str(tmp_path))
    assert again.exit_code == 1 and "已存在" in again.output
