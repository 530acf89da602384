"""The bill as XML, following the element names fiscal platforms use (see DOMAIN-NOTES.md):

    <EInvoice>
      <Header><EInvoiceTag>CZ-EI-43</EInvoiceTag><EInvoiceID>…</EInvoiceID><Version>1.1.0</Version></Header>
      <EInvoiceData>            the signed content, element for key:
        <Main>…</Main> <InvoicingParty>…</InvoicingParty> <PayerParty>…</PayerParty> <MainExt>…</MainExt>
        <Details><Item>…</Item>…</Details>
      </EInvoiceData>
      <Signature><Format>DETACH</Format><Role>issuer</Role><KeyId>…</KeyId><Algorithm>SM2-SM3</Algorithm>
        <SignedAt>…</SignedAt><Value>base64 DER</Value></Signature>
      <Signature>… the supervisor's (财政监制) …</Signature>
    </EInvoice>

The issuer signs the document without its ``Signature`` elements (:func:`signed_content`); verifying a
file offline reads ``EInvoiceData`` back and writes that document again, so a changed byte anywhere in
the content (or in a signature) fails. Bills signed with Ed25519 before sign the canonical JSON of the
same content instead.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as defused

LIST_ITEM = "Item"


ATTACHMENT_NAME = "einvoice.xml"
MAX_ATTACHMENT = 4 * 1024 * 1024


class BillXmlError(ValueError):
    pass


def bill_xml_of(data: bytes) -> bytes:
    """The signed bill XML a file carries: the file itself, or the ``einvoice.xml`` attached to the
    bill's PDF or packed in its OFD, so each format verifies by the same signatures."""
    if data.startswith(b"%PDF"):
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            attached = PdfReader(io.BytesIO(data)).attachments.get(ATTACHMENT_NAME)
        except (PdfReadError, ValueError, KeyError) as exc:
            raise BillXmlError(f"PDF 无法读取（{exc}）") from None
        if not attached:
            raise BillXmlError(f"PDF 没有附带 {ATTACHMENT_NAME}：不是本系统的票据 PDF")
        return attached[0]
    if data.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                names = [n for n in package.namelist() if n.rsplit("/", 1)[-1] == ATTACHMENT_NAME]
                if not names:
                    raise BillXmlError(f"OFD 没有附带 {ATTACHMENT_NAME}")
                if package.getinfo(names[0]).file_size > MAX_ATTACHMENT:
                    raise BillXmlError(f"{ATTACHMENT_NAME} 超过 {MAX_ATTACHMENT // 1024 // 1024} MB")
                return package.read(names[0])
        except zipfile.BadZipFile as exc:
            raise BillXmlError(f"OFD 包无法读取（{exc}）") from None
    return data


def _append(parent: ET.Element, key: str, value: Any) -> None:
    element = ET.SubElement(parent, key)
    if isinstance(value, dict):
        for child_key, child in value.items():
            _append(element, child_key, child)
    elif isinstance(value, list):
        for entry in value:
            _append(element, LIST_ITEM, entry)
    else:
        element.text = str(value)


def _read(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    if all(child.tag == LIST_ITEM for child in children) and element.tag == "Details":
        return [_read(child) for child in children]
    return {child.tag: _read(child) for child in children}


def _document(content: dict[str, Any], region: str) -> ET.Element:
    root = ET.Element("EInvoice")
    header = ET.SubElement(root, "Header")
    main = content["Main"]
    for key, value in (
        ("EInvoiceTag", f"CZ-EI-{region}"),
        ("EInvoiceID", main["EInvoiceCode"] + main["EInvoiceNumber"]),
        ("Version", "1.1.0"),
    ):
        ET.SubElement(header, key).text = value
    data = ET.SubElement(root, "EInvoiceData")
    for key, value in content.items():
        _append(data, key, value)
    return root


def _bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def signed_content(content: dict[str, Any], region: str) -> bytes:
    """The canonical bill XML, without signatures: the bytes the issuer signs (SPEC §7)."""
    return _bytes(_document(content, region))


@dataclass(frozen=True)
class WrittenSignature:
    role: str
    key_id: str
    algorithm: str
    signed_at: str
    value: str  # base64


def to_xml(content: dict[str, Any], region: str, signatures: list[WrittenSignature]) -> bytes:
    """The bill with its signatures after the content, one ``Signature`` element each."""
    root = _document(content, region)
    for written in signatures:
        element = ET.SubElement(root, "Signature")
        for key, value in (
            ("Format", "DETACH"),
            ("Role", written.role),
            ("KeyId", written.key_id),
            ("Algorithm", written.algorithm),
            ("SignedAt", written.signed_at),
            ("Value", written.value),
        ):
            if value:
                ET.SubElement(element, key).text = value
    return _bytes(root)


def from_xml(data: bytes) -> tuple[dict[str, Any], str, list[WrittenSignature]]:
    """(signed content, region, signatures); raises BillXmlError when the file is not a bill."""
    try:
        root = defused.fromstring(data)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise BillXmlError(f"不是格式正确的 XML（{exc}）") from None
    content_element, signatures = root.find("EInvoiceData"), root.findall("Signature")
    if root.tag != "EInvoice" or content_element is None or not signatures:
        raise BillXmlError("不是票据文件：应有 EInvoice、EInvoiceData 和 Signature")
    content = _read(content_element)
    if not isinstance(content, dict):
        raise BillXmlError("票据没有内容")
    written = [
        WrittenSignature(
            role=element.findtext("Role") or "issuer",
            key_id=element.findtext("KeyId") or "",
            algorithm=element.findtext("Algorithm") or "",
            signed_at=element.findtext("SignedAt") or "",
            value=element.findtext("Value") or "",
        )
        for element in signatures
    ]
    if any(not w.value or not w.algorithm for w in written):
        raise BillXmlError("签名缺少签名值或算法")
    tag = root.findtext("Header/EInvoiceTag") or ""
    return content, tag.removeprefix("CZ-EI-"), written
