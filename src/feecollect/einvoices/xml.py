"""The bill as XML, following the element names fiscal platforms use (see DOMAIN-NOTES.md):

    <EInvoice>
      <Header><EInvoiceTag>CZ-EI-43</EInvoiceTag><EInvoiceID>…</EInvoiceID><Version>1.1.0</Version></Header>
      <EInvoiceData>            the signed content, element for key:
        <Main>…</Main> <InvoicingParty>…</InvoicingParty> <PayerParty>…</PayerParty> <MainExt>…</MainExt>
        <Details><Item>…</Item>…</Details>
      </EInvoiceData>
      <Signature><Format>DETACH</Format><Algorithm>Ed25519</Algorithm><Value>base64</Value></Signature>
    </EInvoice>

Verification reads ``EInvoiceData`` back into the very dictionary that was signed, so a changed byte
anywhere in it (or in the signature) fails.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

LIST_ITEM = "Item"


class BillXmlError(ValueError):
    pass


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


def to_xml(content: dict[str, Any], signature: str, algorithm: str, region: str) -> bytes:
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
    sig = ET.SubElement(root, "Signature")
    for key, value in (("Format", "DETACH"), ("Algorithm", algorithm), ("Value", signature)):
        ET.SubElement(sig, key).text = value
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def from_xml(data: bytes) -> tuple[dict[str, Any], str, str]:
    """(signed content, signature, algorithm); raises BillXmlError when the file is not a bill."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise BillXmlError(f"not well-formed XML: {exc}") from None
    content_element, signature = root.find("EInvoiceData"), root.find("Signature")
    if root.tag != "EInvoice" or content_element is None or signature is None:
        raise BillXmlError("not a bill: expected EInvoice with EInvoiceData and Signature")
    content = _read(content_element)
    value, algorithm = signature.findtext("Value"), signature.findtext("Algorithm")
    if not isinstance(content, dict) or not value or not algorithm:
        raise BillXmlError("the bill has no content or no signature value")
    return content, value, algorithm
