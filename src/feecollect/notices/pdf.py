"""The printable payment notice (缴款通知书): A4, Chinese, with the payment code as text and as a QR code.

The Chinese font is embedded in every PDF (the glyphs used, as a subset), so that a paper reads the
same on a machine without any Chinese font: WenQuanYi Micro Hei (Debian's fonts-wqy-microhei, Apache
2.0 or GPL 3 with the font exception), or the TrueType font ``FEECOLLECT_PDF_FONT_FILE`` names. Where
none is found, reportlab's CID font STSong-Light stands in, which the reader must supply (a warning
says so). segno encodes the QR code, whose modules are drawn as one vector path.
"""

from __future__ import annotations

import io
import logging
import os
from datetime import datetime
from pathlib import Path

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from feecollect.money import chinese_capital, format_yuan
from feecollect.notices.models import Notice
from feecollect.notices.payee import Payee

# TrueType collections of CJK fonts, in order of preference (OpenType CFF fonts such as Noto CJK are
# not embeddable by reportlab).
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)


def _register_font() -> str:
    configured = os.environ.get("FEECOLLECT_PDF_FONT_FILE")
    for path in [Path(configured)] if configured else FONT_CANDIDATES:
        if path.is_file():
            try:
                pdfmetrics.registerFont(TTFont("FeeCollectCJK", str(path), subfontIndex=0))
            except TTFError as exc:
                logging.getLogger("feecollect.pdf").warning("cannot embed font %s: %s", path, exc)
                continue
            return "FeeCollectCJK"
    logging.getLogger("feecollect.pdf").warning(
        "no embeddable Chinese font found (install fonts-wqy-microhei or set FEECOLLECT_PDF_FONT_FILE): "
        "PDFs use STSong-Light, which readers without a Chinese font show blank"
    )
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


FONT = _register_font()

BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK")
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=10)
TITLE = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=24, alignment=TA_CENTER)
SUBTITLE = ParagraphStyle("subtitle", fontName=FONT, fontSize=10, leading=14, alignment=TA_CENTER)
_CODE = ParagraphStyle("code", fontName=FONT, fontSize=14, leading=18)
ID_NAMES = {"uscc": "统一社会信用代码", "ric": "居民身份证号码"}


def escape(text: str) -> str:
    """Paragraph text is markup: payer names may hold '&' or '<'."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class QrCode(Flowable):
    """A QR code of ``data`` drawn as vector squares, ``size`` points wide including the quiet zone."""

    def __init__(self, data: str, size: float):
        super().__init__()
        self.rows = [
            list(row) for row in segno.make(data, error="m", micro=False).matrix_iter(scale=1, border=4)
        ]
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        module = self.size / len(self.rows)
        path = self.canv.beginPath()
        for y, row in enumerate(self.rows):
            for x, dark in enumerate(row):
                if dark:
                    path.rect(x * module, self.size - (y + 1) * module, module, module)
        self.canv.drawPath(path, stroke=0, fill=1)


def render_notice(
    notice: Notice,
    *,
    centre_name: str,
    department_name: str,
    payee: Payee | None,
    printed_at: datetime,
    issued_by: str,
) -> bytes:
    """``issued_by``: the clerk as people know them (their display name)."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"缴款通知书 {notice.payment_code}",
        author=centre_name,
        invariant=1,
        initialFontName=FONT,
    )
    width = A4[0] - 30 * mm

    def p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
        return Paragraph(escape(text), style)

    header = Table(
        [
            [p("缴款码", BODY), p(notice.payment_code, _CODE), QrCode(notice.payment_code, 30 * mm)],
            [p("缴款人"), p(notice.payer_name), ""],
            [p(ID_NAMES.get(notice.payer_id_type, "证件号码")), p(notice.payer_id_no), ""],
            [p("办件编号" if notice.case else "项目编号"), p(notice.origin), ""],
            [p("受理部门"), p(f"{department_name}（{notice.department_code}）"), ""],
            [p("开具日期"), p(notice.issue_date.isoformat()), ""],
            [p("缴款期限"), p(f"{notice.due_date.isoformat()} 前"), ""],
        ],
        colWidths=[34 * mm, width - 34 * mm - 36 * mm, 36 * mm],
    )
    header.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),  # plain-text cells too, never Helvetica
                ("SPAN", (2, 0), (2, -1)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (2, 0), (2, 0), "CENTER"),
                ("GRID", (0, 0), (1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
            ]
        )
    )

    rows = [[p(h) for h in ("序号", "收费项目", "执收单位", "收费依据", "计费标准", "数量", "金额（元）")]]
    for line in notice.lines:
        standard = f"{line.rate} 元/{line.unit}" if line.rate else "分档累进"
        if line.factor != "1":
            standard += f" × {line.factor}"
        if line.relief_flag:
            standard += f"，减 {format_yuan(line.relief_fen)} 元（{line.relief_name or line.relief_flag}）"
        if line.note:
            standard += f"；{line.note}"
        rows.append(
            [
                p(str(line.line_no)),
                p(f"{line.item_name}（{line.item_code} v{line.item_version}）"),
                p(line.department_name),
                p(line.basis, SMALL),
                p(standard),
                p(f"{line.quantity} {line.unit}"),
                p(format_yuan(line.amount_fen)),
            ]
        )
    rows.append([p("合计（小写）"), "", "", "", "", "", p(f"¥{format_yuan(notice.amount_fen)}")])
    rows.append([p("合计（大写）"), "", p(chinese_capital(notice.amount_fen)), "", "", "", ""])
    lines = Table(
        rows, colWidths=[12 * mm, 36 * mm, 24 * mm, width - 136 * mm, 26 * mm, 16 * mm, 22 * mm], repeatRows=1
    )
    last = len(rows) - 1
    lines.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),  # plain-text cells too, never Helvetica
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("SPAN", (0, last - 1), (5, last - 1)),
                ("SPAN", (0, last), (1, last)),
                ("SPAN", (2, last), (6, last)),
            ]
        )
    )

    # 收款人: what a bank counter keys in; a notice printed before the special account is registered
    # says so rather than leaving the counter to guess.
    unregistered = "（财政专户尚未登记）"
    payee_block = Table(
        [
            [p("收款人全称"), p(payee.account_name if payee and payee.account_name else unregistered)],
            [p("收款账号"), p(payee.account_no if payee else unregistered)],
            [p("开户银行"), p(payee.bank_name if payee and payee.bank_name else unregistered)],
        ],
        colWidths=[34 * mm, width - 34 * mm],
    )
    payee_block.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
            ]
        )
    )

    story = [
        p(centre_name, SUBTITLE),
        p("非税收入缴款通知书", TITLE),
        Spacer(1, 4 * mm),
        header,
        Spacer(1, 3 * mm),
        payee_block,
        Spacer(1, 5 * mm),
        lines,
        Spacer(1, 5 * mm),
        p(
            "请在缴款期限内持本通知书到代收银行柜台缴款，或通过网上银行、手机银行扫描二维码、输入缴款码缴款。"
            "款项直接缴入财政专户；本中心窗口不收取现金。"
        ),
        p("本通知书按收费标准下限计收，各项目收费依据如上；如有疑问请向受理窗口咨询。"),
        Spacer(1, 3 * mm),
        p(f"经办人：{issued_by}　　打印时间：{printed_at:%Y-%m-%d %H:%M}", SMALL),
    ]
    if notice.status != "issued":
        status_names = {"paid": "已缴款", "voided": "已作废", "expired": "已过期", "refunded": "已退付"}
        story.insert(2, p(f"【{status_names.get(notice.status, notice.status)}】", SUBTITLE))
    document.build(story)
    return buffer.getvalue()
