"""The bill as OFD (GB/T 33190), the format fiscal e-bills are exchanged and filed in (DA/T 95), with the
signed bill XML attached as ``einvoice.xml``.

A minimal package, written here because no maintained OFD writer runs on this stack without a
PDF engine under the AGPL: ``OFD.xml`` (the entry, with the bill's identifiers as custom data), one
document with one page of text objects (the bill as a person reads it, the places of the two seals
included), its public resources (the font, named for the reader to supply), and the attachment.
Every text comes from the bill's content and is escaped by the XML writer.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from datetime import datetime

from feecollect.einvoices.content import parts, printed_standard, printed_title
from feecollect.einvoices.models import Bill
from feecollect.einvoices.xml import ATTACHMENT_NAME

NAMESPACE = "http://www.ofdspec.org/2016"
ET.register_namespace("ofd", NAMESPACE)
PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 297, 210  # A4 landscape, as the PDF
FONT_ID, FONT_NAME = "2", "宋体"


def _q(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def _element(parent: ET.Element | None, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = (
        ET.Element(_q(tag), attributes) if parent is None else ET.SubElement(parent, _q(tag), attributes)
    )
    if text is not None:
        element.text = text
    return element


def _document_bytes(root: ET.Element) -> bytes:
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


@dataclass(frozen=True)
class TextLine:
    x: float  # mm from the left
    y: float  # mm from the top, of the baseline
    size: float  # mm
    text: str


def bill_text_lines(bill: Bill, verification_url: str) -> list[TextLine]:
    """What the page shows, line by line, top to bottom."""
    content = bill.content
    main, payer, invoicing, ext = parts(content)
    title = printed_title(bill)
    issued = main["IssueDate"]
    lines = [
        TextLine(90, 18, 7, title),
        TextLine(
            15, 30, 3.5, f"票据代码：{bill.bill_code}    票据号码：{bill.number}    校验码：{bill.check_code}"
        ),
        TextLine(15, 36, 3.5, f"开票日期：{issued[:4]}-{issued[4:6]}-{issued[6:]}"),
        TextLine(15, 44, 3.5, f"交款人：{payer['Name']}    交款人代码：{payer['Code']}"),
        TextLine(
            15, 50, 3.5, f"开票单位：{invoicing['Name']}（{invoicing['Code']}）    缴款码：{ext['PayCode']}"
        ),
        TextLine(15, 56, 3.5, f"银行交易号：{ext['BankTxnId'] or '—'}"),
        TextLine(15, 64, 3.5, "项目编码    项目名称    执收单位    单位    数量    标准    金额（元）"),
    ]
    y = 70.0
    for item in content["Details"]:
        standard = printed_standard(item)
        text = "    ".join(
            (
                item["ItemCode"],
                item["ItemName"],
                item.get("ItemDepartment", ""),
                item["ItemUnit"],
                item["ItemQuantity"],
                standard,
                item["ItemAmount"],
            )
        )
        lines.append(TextLine(15, y, 3.2, text))
        y += 6
    lines.append(
        TextLine(
            15, y + 2, 3.5, f"金额合计（大写）{main['TotalAmountUpper']}    （小写）¥{main['TotalAmount']}"
        )
    )
    if main.get("Remark"):
        lines.append(TextLine(15, y + 9, 3.2, f"备注：{main['Remark']}"))
    lines += [
        TextLine(15, 178, 3.5, "收款单位（章）"),
        TextLine(120, 178, 3.5, "复核人："),
        TextLine(180, 178, 3.5, "收款人："),
        TextLine(230, 178, 3.5, "财政监制（章）"),
        TextLine(15, 192, 2.8, f"签名算法：{bill.algorithm}    查验：{verification_url}"),
    ]
    return lines


def render_ofd(bill: Bill, signed_xml: bytes, verification_url: str, *, created: datetime) -> bytes:
    """The OFD package of one bill; ``signed_xml`` (the bill XML with its signatures) is attached."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("OFD.xml", _entry(bill, created))
        lines = bill_text_lines(bill, verification_url)
        package.writestr("Doc_0/Document.xml", _document(max_id=10 + len(lines)))
        package.writestr("Doc_0/PublicRes.xml", _public_resources())
        package.writestr("Doc_0/Pages/Page_0/Content.xml", _page(lines))
        package.writestr("Doc_0/Attachs/Attachments.xml", _attachments(len(signed_xml), created))
        package.writestr(f"Doc_0/Attachs/{ATTACHMENT_NAME}", signed_xml)
    return buffer.getvalue()


def _entry(bill: Bill, created: datetime) -> bytes:
    root = _element(None, "OFD", Version="1.0", DocType="OFD")
    body = _element(root, "DocBody")
    info = _element(body, "DocInfo")
    _element(info, "DocID", f"{bill.bill_code}{bill.number}")
    _element(info, "Title", f"{bill.content['Main']['EInvoiceName']} {bill.bill_code}-{bill.number}")
    _element(info, "CreationDate", created.date().isoformat())
    _element(info, "Creator", "feecollect")
    custom = _element(info, "CustomDatas")
    for name, value in (
        ("票据代码", bill.bill_code),
        ("票据号码", bill.number),
        ("校验码", bill.check_code),
        ("金额", bill.content["Main"]["TotalAmount"]),
        ("开票日期", bill.content["Main"]["IssueDate"]),
    ):
        _element(custom, "CustomData", value, Name=name)
    _element(body, "DocRoot", "Doc_0/Document.xml")
    return _document_bytes(root)


def _document(max_id: int) -> bytes:
    root = _element(None, "Document")
    common = _element(root, "CommonData")
    _element(common, "MaxUnitID", str(max_id))
    area = _element(common, "PageArea")
    _element(area, "PhysicalBox", f"0 0 {PAGE_WIDTH_MM} {PAGE_HEIGHT_MM}")
    _element(common, "PublicRes", "PublicRes.xml")
    pages = _element(root, "Pages")
    _element(pages, "Page", ID="1", BaseLoc="Pages/Page_0/Content.xml")
    _element(root, "Attachments", "Attachs/Attachments.xml")
    return _document_bytes(root)


def _public_resources() -> bytes:
    root = _element(None, "Res", BaseLoc="Res")
    fonts = _element(root, "Fonts")
    _element(fonts, "Font", ID=FONT_ID, FontName=FONT_NAME, FamilyName=FONT_NAME)
    return _document_bytes(root)


def _page(lines: list[TextLine]) -> bytes:
    root = _element(None, "Page")
    content = _element(root, "Content")
    layer = _element(content, "Layer", ID="3", Type="Body")
    for number, line in enumerate(lines, start=10):
        width = PAGE_WIDTH_MM - line.x - 5
        text = _element(
            layer,
            "TextObject",
            ID=str(number),
            Boundary=f"{line.x} {line.y - line.size} {width:g} {line.size * 1.4:g}",
            Font=FONT_ID,
            Size=f"{line.size:g}",
        )
        _element(text, "TextCode", line.text, X="0", Y=f"{line.size:g}")
    return _document_bytes(root)


def _attachments(size: int, created: datetime) -> bytes:
    root = _element(None, "Attachments")
    attachment = _element(
        root,
        "Attachment",
        ID="1",
        Name=ATTACHMENT_NAME,
        Format="xml",
        CreationDate=created.isoformat(timespec="seconds"),
        Size=f"{size / 1024:.3f}",
        Visible="false",
    )
    _element(attachment, "FileLoc", ATTACHMENT_NAME)
    return _document_bytes(root)
