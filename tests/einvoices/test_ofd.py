"""The bill as OFD (GB/T 33190) with its signed XML attached, read back by an OFD reader."""

from __future__ import annotations

import base64
import io
import zipfile

import pytest

from tests.conftest import bearer
from tests.einvoices.test_bills import paid, url  # noqa: F401 (the fixture)


def test_the_ofd_reads_back_with_its_text_and_the_signed_xml_attached(client, tokens, paid, cli, tmp_path):  # noqa: F811
    reader = bearer(tokens["auditor"])
    response = client.get(url(paid["bill"], ".ofd"), headers=reader)
    assert response.status_code == 200 and response.headers["content-type"] == "application/ofd"
    package = zipfile.ZipFile(io.BytesIO(response.content))
    assert {"OFD.xml", "Doc_0/Document.xml", "Doc_0/Attachs/einvoice.xml"} <= set(package.namelist())
    attached = package.read("Doc_0/Attachs/einvoice.xml")
    assert attached == client.get(url(paid["bill"], ".xml"), headers=reader).content

    easyofd = pytest.importorskip("easyofd")
    document = easyofd.OFD()
    document.read(base64.b64encode(response.content).decode(), save_xml=False)
    texts = " ".join(
        line["text"] for page in document.data[0]["page_info"].values() for line in page["text_list"]
    )
    for expected in (
        paid["bill"]["number"],
        paid["bill"]["check_code"],
        "示范市星河商贸有限公司",
        "伍佰柒拾元整",
        "财政监制（章）",
    ):
        assert expected in texts

    # The attachment is the bill itself: it verifies offline, and one changed byte does not.
    keys = tmp_path / "keys.json"
    keys.write_text(client.get("/api/v1/bills/keys").text)
    xml = tmp_path / "einvoice.xml"
    xml.write_bytes(attached)
    assert cli("bills", "verify", str(xml), "--keys", str(keys)).exit_code == 0
    xml.write_bytes(attached.replace(b"<TotalAmount>570.00<", b"<TotalAmount>570.01<"))
    assert cli("bills", "verify", str(xml), "--keys", str(keys)).exit_code == 1


def test_the_pdf_and_the_ofd_carry_the_signed_xml_and_verify_offline(client, tokens, paid, cli, tmp_path):  # noqa: F811
    from pypdf import PdfReader, PdfWriter

    reader = bearer(tokens["finance"])
    keys = tmp_path / "keys.json"
    keys.write_text(client.get("/api/v1/bills/keys").text)
    xml = client.get(url(paid["bill"], ".xml"), headers=reader).content
    pdf = client.get(url(paid["bill"], ".pdf"), headers=reader).content
    assert PdfReader(io.BytesIO(pdf)).attachments["einvoice.xml"] == [xml]

    for suffix, data in (
        (".pdf", pdf),
        (".ofd", client.get(url(paid["bill"], ".ofd"), headers=reader).content),
    ):
        path = tmp_path / f"bill{suffix}"
        path.write_bytes(data)
        verified = cli("bills", "verify", str(path), "--keys", str(keys))
        assert verified.exit_code == 0 and "验证通过" in verified.output, verified.output

    # The same page carrying an XML with one changed byte does not verify.
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf)))  # the pages, not the attachment
    writer.add_attachment("einvoice.xml", xml.replace(b"<TotalAmount>570.00<", b"<TotalAmount>570.01<"))
    tampered = tmp_path / "tampered.pdf"
    with tampered.open("wb") as handle:
        writer.write(handle)
    refused = cli("bills", "verify", str(tampered), "--keys", str(keys))
    assert refused.exit_code == 1 and "验证未通过" in refused.output

    plain = tmp_path / "plain.pdf"
    plain.write_bytes(client.get(f"/api/v1/notices/{paid['payment_code']}.pdf", headers=reader).content)
    assert "没有附带 einvoice.xml" in cli("bills", "verify", str(plain), "--keys", str(keys)).output
