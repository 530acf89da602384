"""SPEC §7 round 2: bills signed with SM2 over SM3 by the issuing unit and by the finance bureau's
supervision key, verified from outside with the OpenSSL command line alone."""

from __future__ import annotations

import base64
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from feecollect.db.engine import unit_of_work
from feecollect.einvoices import service, signing
from feecollect.einvoices.keys import private_key as legacy_key
from feecollect.einvoices.models import Bill
from feecollect.settings import Settings
from tests.conftest import SHIPPED_SCHEDULES, bearer
from tests.helpers import backdate_notice, case_body

PAID_AT = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)
OPENSSL = shutil.which("openssl")
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="the openssl command line is not installed")


def openssl(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    assert OPENSSL is not None
    return subprocess.run([OPENSSL, *args], capture_output=True, text=True, check=check)


@pytest.fixture
def key_files(tmp_path: Path) -> dict[str, Path]:
    """SM2 keys made by OpenSSL itself, so that the service signs with keys it did not make."""
    if OPENSSL is None:
        pytest.skip("the openssl command line is not installed")
    files = {}
    for role in ("issuer", "supervisor"):
        path = tmp_path / f"{role}.pem"
        openssl("genpkey", "-algorithm", "SM2", "-out", str(path))
        files[role] = path
    return files


@pytest.fixture
def settings(database_url: str, key_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for role, path in key_files.items():
        monkeypatch.setenv(
            f"FEECOLLECT_BILL_{role.upper()}_KEY_FILE", str(path)
        )  # the eager tasks read these
    return Settings(
        environment="test",
        database_url=database_url,
        schedules_dir=SHIPPED_SCHEDULES,
        secret_key="a-test-secret-that-is-not-a-placeholder",
        bill_issuer_key_file=key_files["issuer"],
        bill_supervisor_key_file=key_files["supervisor"],
    )


def pay(client, tokens, bank, number: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    client.post("/api/v1/cases", json=case_body(number), headers=bearer(tokens["clerk"]))
    notice = client.post(f"/api/v1/cases/{number}/notices", headers=bearer(tokens["clerk"])).json()
    backdate_notice(client, notice["payment_code"], PAID_AT - timedelta(days=1))
    assert (
        bank.pay(f"TXN-{number}", notice["payment_code"], notice["amount"], PAID_AT).json()["result"]
        == "accepted"
    )
    return client.get(f"/api/v1/notices/{notice['payment_code']}", headers=bearer(tokens["clerk"])).json()[
        "bill"
    ]


def url(bill: dict, suffix: str = "") -> str:  # type: ignore[type-arg]
    return f"/api/v1/bills/{bill['code']}/{bill['number']}{suffix}"


def fetched(client, tokens, bill, directory: Path) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    """What an outside verifier fetches: the signed bytes, the signatures, and the public keys."""
    reader = bearer(tokens["auditor"])
    content = client.get(url(bill, "/signed-content"), headers=reader)
    assert content.headers["content-type"].startswith("application/xml")
    (directory / "content.xml").write_bytes(content.content)
    signatures = {
        s["role"]: s for s in client.get(url(bill, "/signatures"), headers=reader).json()["signatures"]
    }
    keys = {k["key_id"]: k for k in client.get("/api/v1/bills/keys").json()["keys"]}
    files = {"content": directory / "content.xml"}
    for role, signature in signatures.items():
        assert signature["algorithm"] == "SM2-SM3" and keys[signature["key_id"]]["role"] == role
        files[f"{role}.der"] = directory / f"{role}.der"
        files[f"{role}.der"].write_bytes(base64.b64decode(signature["value"]))
        files[f"{role}.pem"] = directory / f"{role}.pub.pem"
        files[f"{role}.pem"].write_text(keys[signature["key_id"]]["public_key_pem"])
    # The supervisor signed the content followed by the issuer's DER signature.
    files["supervised"] = directory / "supervised.bin"
    files["supervised"].write_bytes(files["content"].read_bytes() + files["issuer.der"].read_bytes())
    return files


def openssl_verifies(key: Path, data: Path, signature: Path) -> bool:
    result = openssl(
        "pkeyutl", "-verify", "-pubin", "-inkey", str(key), "-rawin", "-in", str(data),
        "-sigfile", str(signature), "-digest", "sm3", "-pkeyopt", "distid:1234567812345678",
        check=False,
    )  # fmt: skip
    return result.returncode == 0 and "Signature Verified Successfully" in result.stdout


@needs_openssl
def test_both_signatures_verify_with_the_openssl_command_line_alone(client, tokens, bank, tmp_path):
    bill = pay(client, tokens, bank, "SM2-1")
    files = fetched(client, tokens, bill, tmp_path)
    assert openssl_verifies(files["issuer.pem"], files["content"], files["issuer.der"])
    assert openssl_verifies(files["supervisor.pem"], files["supervised"], files["supervisor.der"])
    # One changed byte of the content fails both.
    changed = tmp_path / "changed.xml"
    data = bytearray(files["content"].read_bytes())
    data[data.index(b"<TotalAmount>") + len(b"<TotalAmount>")] ^= 1
    changed.write_bytes(bytes(data))
    assert not openssl_verifies(files["issuer.pem"], changed, files["issuer.der"])
    verification = client.get(
        "/verify", params={"code": bill["code"], "number": bill["number"], "check": bill["check_code"]}
    ).json()
    assert (verification["valid"], verification["complete"], verification["detail"]) == (True, True, "有效")
    assert {(s["role"], s["valid"]) for s in verification["signatures"]} == {
        ("issuer", True),
        ("supervisor", True),
    }


@needs_openssl
def test_a_signature_made_by_openssl_verifies_in_the_service(client, tokens, bank, tmp_path, key_files):
    bill = pay(client, tokens, bank, "SM2-2")
    files = fetched(client, tokens, bill, tmp_path)
    made = tmp_path / "openssl.der"
    openssl(
        "pkeyutl", "-sign", "-inkey", str(key_files["issuer"]), "-rawin", "-in", str(files["content"]),
        "-digest", "sm3", "-pkeyopt", "distid:1234567812345678", "-out", str(made),
    )  # fmt: skip
    assert made.read_bytes() != files["issuer.der"].read_bytes()  # SM2 signatures are randomised
    settings, sessions = client.app.state.settings, client.app.state.sessionmaker
    with unit_of_work(sessions) as session:
        stored = session.scalars(select(Bill).where(Bill.bill_no == int(bill["number"]))).one()
        stored.signature = base64.b64encode(made.read_bytes()).decode()
        stored.supervisor_signature = None  # the supervision signs again, over the new issuer signature
        bill_id = stored.id
    service.supervise_in_own_transaction(sessions, settings, bill_id)
    query = {"code": bill["code"], "number": bill["number"], "check": bill["check_code"]}
    assert client.get("/verify", params=query).json()["complete"] is True


@needs_openssl
def test_one_changed_byte_in_any_stored_part_fails_verification(client, tokens, bank):
    bill = pay(client, tokens, bank, "SM2-3")
    query = {"code": bill["code"], "number": bill["number"], "check": bill["check_code"]}
    sessions = client.app.state.sessionmaker

    def tampered(change) -> dict:  # type: ignore[no-untyped-def,type-arg]
        with unit_of_work(sessions) as session:
            stored = session.scalars(select(Bill).where(Bill.bill_no == int(bill["number"]))).one()
            before = (
                stored.signed_content,
                stored.signature,
                stored.supervisor_signature,
                dict(stored.content),
            )
            change(stored)
        result = client.get("/verify", params=query).json()
        with unit_of_work(sessions) as session:
            stored = session.scalars(select(Bill).where(Bill.bill_no == int(bill["number"]))).one()
            stored.signed_content, stored.signature, stored.supervisor_signature, stored.content = before
        return result  # type: ignore[no-any-return]

    def flip(text: str) -> str:
        raw = bytearray(base64.b64decode(text))
        raw[-1] ^= 1
        return base64.b64encode(bytes(raw)).decode()

    def shown_payer(bill: Bill) -> None:
        bill.content = {**bill.content, "PayerParty": {**bill.content["PayerParty"], "Name": "别人"}}

    assert (
        tampered(lambda b: setattr(b, "signed_content", b.signed_content.replace("570", "571")))["valid"]
        is False
    )
    assert tampered(lambda b: setattr(b, "signature", flip(b.signature)))["valid"] is False
    assert tampered(shown_payer)["valid"] is False
    supervisor_flipped = tampered(lambda b: setattr(b, "supervisor_signature", flip(b.supervisor_signature)))
    assert supervisor_flipped["valid"] is False
    assert client.get("/verify", params=query).json()["complete"] is True


class UnreachableBureau:
    """A finance bureau's signing service that is down."""

    role = "supervisor"
    key_id = "supervisor-bureau"
    public_key_pem = ""

    def sign(self, data: bytes) -> bytes:
        raise ConnectionError("the finance bureau's signing service does not answer")


def unreachable_bureau(settings: Settings) -> UnreachableBureau:
    return UnreachableBureau()


@needs_openssl
def test_a_bill_awaits_supervision_until_the_bureau_signs_and_then_completes_once(
    client, tokens, bank, monkeypatch
):
    from feecollect.einvoices import signers
    from feecollect.tasks import issue_missing_bills

    real = signers.supervisor
    monkeypatch.setattr(signers, "supervisor", unreachable_bureau)
    bill = pay(client, tokens, bank, "SM2-4")  # issued; the supervision fails after the commit
    query = {"code": bill["code"], "number": bill["number"], "check": bill["check_code"]}
    waiting = client.get("/verify", params=query).json()
    assert (waiting["valid"], waiting["complete"], waiting["detail"]) == (True, False, "待监制")
    page = client.get("/verify", params=query, headers={"Accept": "text/html"})
    assert "待监制" in page.text
    assert [
        s["role"]
        for s in client.get(url(bill, "/signatures"), headers=bearer(tokens["auditor"])).json()["signatures"]
    ] == ["issuer"]

    monkeypatch.setattr(signers, "supervisor", real)
    assert issue_missing_bills() == [f"{bill['code']}-{bill['number']}"]  # the sweep signs it
    done = client.get("/verify", params=query).json()
    assert (done["complete"], done["detail"]) == (True, "有效")
    first = client.get(url(bill, "/signatures"), headers=bearer(tokens["auditor"])).json()
    assert issue_missing_bills() == []  # and never again
    assert client.get(url(bill, "/signatures"), headers=bearer(tokens["auditor"])).json() == first


@needs_openssl
def test_a_rotated_key_keeps_its_bills_verifying(client, tokens, bank, tmp_path, monkeypatch):
    first = pay(client, tokens, bank, "SM2-5")
    new_key = tmp_path / "issuer-2.pem"
    openssl("genpkey", "-algorithm", "SM2", "-out", str(new_key))
    rotated = client.app.state.settings.model_copy(update={"bill_issuer_key_file": new_key})
    monkeypatch.setattr(client.app.state, "settings", rotated)
    monkeypatch.setenv("FEECOLLECT_BILL_ISSUER_KEY_FILE", str(new_key))
    from feecollect.settings import get_settings

    get_settings.cache_clear()
    second = pay(client, tokens, bank, "SM2-6")
    keys = [
        k
        for k in client.get("/api/v1/bills/keys").json()["keys"]
        if k["role"] == "issuer" and k["algorithm"] == "SM2-SM3"
    ]
    assert len(keys) == 2 and keys[0]["valid_to"] == keys[1]["valid_from"] and keys[1]["valid_to"] is None
    issuers = []
    for bill in (first, second):
        query = {"code": bill["code"], "number": bill["number"], "check": bill["check_code"]}
        verified = client.get("/verify", params=query).json()
        assert verified["complete"] is True
        issuers += [s["key_id"] for s in verified["signatures"] if s["role"] == "issuer"]
    assert issuers == [keys[0]["key_id"], keys[1]["key_id"]]


def test_bills_signed_with_ed25519_before_keep_verifying(client, tokens, bank):
    bill = pay(client, tokens, bank, "ED-1")
    settings, sessions = client.app.state.settings, client.app.state.sessionmaker
    with unit_of_work(sessions) as session:  # the bill as the service signed it before SM2
        stored = session.scalars(select(Bill).where(Bill.bill_no == int(bill["number"]))).one()
        stored.content = {**stored.content, "Main": {**stored.content["Main"], "RandomNumber": "A1B2C3"}}
        stored.check_code, stored.signed_content = "A1B2C3", None
        stored.signature = signing.sign(legacy_key(settings), stored.content)
        stored.algorithm, stored.issuer_key_id, stored.supervisor_signature = "Ed25519", None, None
    verified = client.get(
        "/verify", params={"code": bill["code"], "number": bill["number"], "check": "a1b2c3"}
    ).json()
    assert (verified["valid"], verified["complete"], verified["detail"]) == (True, True, "有效")
    assert client.get("/api/v1/bills/keys").json()["keys"][0]["algorithm"] == "Ed25519"
