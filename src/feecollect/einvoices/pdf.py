"""The bill as a printable receipt: A4 landscape, Chinese, with a QR code to its public verification."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from pypdf import PdfWriter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from feecollect.einvoices.content import parts, printed_standard, printed_title
from feecollect.einvoices.models import Bill
from feecollect.einvoices.xml import ATTACHMENT_NAME
from feecollect.notices.pdf import BODY, FONT, SMALL, SUBTITLE, TITLE, QrCode, escape


def verification_url(base_url: str, bill: Bill) -> str:
    query = urlencode({"code": bill.bill_code, "number": bill.number, "check": bill.check_code})
    return f"{base_url.rstrip('/')}/verify?{query}"


def render_bill(bill: Bill, *, base_url: str, signed_xml: bytes) -> bytes:
    """The printable bill, with the signed bill XML attached as ``einvoice.xml``: the page is for a
    person, the attachment is what a recipient's system verifies."""
    return _with_attachment(_page(bill, base_url), ATTACHMENT_NAME, signed_xml)


def _with_attachment(pdf: bytes, name: str, data: bytes) -> bytes:
    # An incremental update appends the attachment to the page as written, instead of parsing and
    # rewriting the whole file (its embedded font is most of it).
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    writer.add_attachment(name, data)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _page(bill: Bill, base_url: str) -> bytes:
    content = bill.content
    main, payer, invoicing, ext = parts(content)
    buffer = io.BytesIO()
    page = landscape(A4)
    document = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        invariant=1,
        initialFontName=FONT,
        title=f"{main['EInvoiceName']} {bill.bill_code}-{bill.number}",
    )
    width = page[0] - 30 * mm

    def p(text: str, style=BODY) -> Paragraph:  # type: ignore[no-untyped-def]
        return Paragraph(escape(text), style)

    title = printed_title(bill)
    head = Table(
        [
            [
                [
                    p(title, TITLE),
                    p(
                        f"开票日期 {main['IssueDate'][:4]}-{main['IssueDate'][4:6]}-{main['IssueDate'][6:]}",
                        SUBTITLE,
                    ),
                ],
                [
                    p(f"票据代码：{bill.bill_code}"),
                    p(f"票据号码：{bill.number}"),
                    p(f"校验码：{bill.check_code}"),
                ],
                QrCode(verification_url(base_url, bill), 28 * mm),
            ]
        ],
        colWidths=[width - 100 * mm, 66 * mm, 34 * mm],
    )
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("FONTNAME", (0, 0), (-1, -1), FONT)]))
    payer_kind = "单位" if payer["Type"] == "2" else "个人"
    parties = Table(
        [
            [p("交款人"), p(f"{payer['Name']}（{payer_kind}）"), p("交款人代码"), p(payer["Code"])],
            [p("开票单位"), p(f"{invoicing['Name']}（{invoicing['Code']}）"), p("缴款码"), p(ext["PayCode"])],
            [
                p("银行交易号"),
                p(ext["BankTxnId"] or "—"),
                p("原票据"),
                p(f"{ext['RelatedInvoiceCode']} {ext['RelatedInvoiceNumber']}".strip() or "—"),
            ],
        ],
        colWidths=[28 * mm, width / 2 - 28 * mm, 28 * mm, width / 2 - 28 * mm],
    )
    parties.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),  # plain-text cells too, never Helvetica
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                ("BACKGROUND", (2, 0), (2, -1), colors.whitesmoke),
            ]
        )
    )
    rows = [[p(h) for h in ("项目编码", "项目名称", "执收单位", "单位", "数量", "标准", "金额（元）")]]
    for item in content["Details"]:
        rows.append(
            [
                p(item["ItemCode"]),
                p(item["ItemName"]),
                p(item.get("ItemDepartment", "")),
                p(item["ItemUnit"]),
                p(item["ItemQuantity"]),
                p(printed_standard(item)),
                p(item["ItemAmount"]),
            ]
        )
    rows.append(
        [
            p("金额合计（大写）"),
            "",
            p(main["TotalAmountUpper"]),
            "",
            "",
            p("（小写）"),
            p(f"¥{main['TotalAmount']}"),
        ]
    )
    last = len(rows) - 1
    lines = Table(
        rows, colWidths=[30 * mm, width - 30 * mm - 150 * mm, 40 * mm, 22 * mm, 24 * mm, 30 * mm, 34 * mm]
    )
    lines.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),  # plain-text cells too, never Helvetica
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("SPAN", (0, last), (1, last)),
                ("SPAN", (2, last), (4, last)),
            ]
        )
    )
    story = [head, Spacer(1, 4 * mm), parties, Spacer(1, 4 * mm), lines, Spacer(1, 3 * mm)]
    if main.get("Remark"):
        story.append(p(f"备注：{main['Remark']}"))
    story += [
        Spacer(1, 6 * mm),
        p("收款单位（章）　　　　　　　　复核人：　　　　　　　　收款人：　　　　　　　　财政监制（章）"),
        Spacer(1, 4 * mm),
    ]
    if bill.status == "reversed":
        story.append(p(f"【本票据已冲红：{bill.reverse_reason or ''}】", SUBTITLE))
    story.append(
        p(
            f"开票单位：{main['HandlingPerson']}　　签名算法：{bill.algorithm}　　"
            f"查验：扫描二维码或访问 {verification_url(base_url, bill)}",
            SMALL,
        )
    )
    document.build(story)
    return buffer.getvalue()
