"""Complete electronic bills per second (two SM2 signatures, XML, PDF, OFD) for 1,000 bills,
in-process on one core.

In the same run it draws a bare reportlab page carrying the same text and QR code with no layout
engine (canvas calls at fixed positions) as the floor, and prints ms per bill for both and their
ratio (the aim: a complete bill within 2× the bare page).
Only same-run ratios mean something on this host.

    python bench/bills.py [--bills 1000]
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import time
from datetime import UTC, datetime

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from feecollect.einvoices import signers, signing, sm2
from feecollect.einvoices.models import Bill
from feecollect.einvoices.ofd import render_ofd
from feecollect.einvoices.pdf import render_bill, verification_url
from feecollect.einvoices.verification import recorded_signatures, supervised_bytes
from feecollect.einvoices.xml import signed_content, to_xml
from feecollect.money import chinese_capital, format_yuan
from feecollect.notices.pdf import FONT, QrCode
from feecollect.settings import Settings

SETTINGS = Settings(environment="test", secret_key="bench-secret-not-a-placeholder-0123456789")


def content(n: int) -> dict:  # type: ignore[type-arg]
    amount = 57000 + n
    return {
        "Main": {
            "EInvoiceName": "非税收入一般缴款书（电子）",
            "EInvoiceCode": "43030126",
            "EInvoiceNumber": f"{n:010d}",
            "IssueDate": "20261122",
            "IssueTime": "093000",
            "TotalAmount": format_yuan(amount),
            "TotalAmountUpper": chinese_capital(amount),
            "CurrencyType": "CNY",
            "HandlingPerson": "示范市政务服务中心",
            "Remark": "",
        },
        "InvoicingParty": {"Code": "ZRZY", "Name": "自然资源和规划局"},
        "PayerParty": {"Type": "2", "Code": "91110000600037341L", "Name": "示范市星河商贸有限公司"},
        "MainExt": {
            "PayCode": f"430321260000{n:06d}45",
            "BankTxnId": f"TXN{n:08d}",
            "RelatedInvoiceCode": "",
            "RelatedInvoiceNumber": "",
        },
        "Details": [
            {
                "ItemCode": "XZ-BDC-002",
                "ItemName": "不动产登记费（非住宅类）",
                "ItemUnit": "件",
                "ItemQuantity": "1",
                "ItemStd": "550.00",
                "ItemAmount": format_yuan(55000 + n),
                "ItemDepartment": "自然资源和规划局",
            },
            {
                "ItemCode": "XZ-BDC-003",
                "ItemName": "不动产权属证书工本费（每增加一本）",
                "ItemUnit": "本",
                "ItemQuantity": "2",
                "ItemStd": "10.00",
                "ItemAmount": "20.00",
                "ItemDepartment": "自然资源和规划局",
            },
        ],
    }


def bare_page(bill: Bill, url: str) -> bytes:
    """The same strings and QR code drawn straight onto a canvas: no tables, no paragraphs."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=landscape(A4), invariant=1)
    canvas.setFont(FONT, 9)
    y = 560.0
    for part in ("Main", "InvoicingParty", "PayerParty", "MainExt"):
        for key, value in bill.content[part].items():
            canvas.drawString(40, y, f"{key}: {value}")
            y -= 12
    for item in bill.content["Details"]:
        canvas.drawString(40, y, "  ".join(item.values()))
        y -= 12
    qr = QrCode(url, 80)
    qr.canv = canvas
    canvas.saveState()
    canvas.translate(700, 480)
    qr.draw()
    canvas.restoreState()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bills", type=int, default=1000)
    args = parser.parse_args()
    issuer, supervisor = signers.issuer(SETTINGS), signers.supervisor(SETTINGS)
    contents = [content(n) for n in range(1, args.bills + 1)]

    started = time.perf_counter()
    sign_s = xml_s = pdf_s = ofd_s = 0.0
    bills = []
    for body in contents:
        t0 = time.perf_counter()
        body["Main"]["RandomNumber"] = signing.check_code(body)
        signed = signed_content(body, "43")
        issuer_der = issuer.sign(signed)
        issuer_signature = base64.b64encode(issuer_der).decode()
        supervisor_der = supervisor.sign(supervised_bytes(signed, issuer_signature))
        bill = Bill(
            bill_code="43030126",
            bill_no=int(body["Main"]["EInvoiceNumber"]),
            check_code=body["Main"]["RandomNumber"],
            kind="normal",
            status="issued",
            content=body,
            signed_content=signed.decode(),
            signature=issuer_signature,
            supervisor_signature=base64.b64encode(supervisor_der).decode(),
            algorithm=sm2.ALGORITHM,
            issuer_key_id=issuer.key_id,
            supervisor_key_id=supervisor.key_id,
            issued_at=datetime.now(UTC),
            supervised_at=datetime.now(UTC),
        )
        t1 = time.perf_counter()
        signed_xml = to_xml(bill.content, "43", recorded_signatures(bill))
        t2 = time.perf_counter()
        render_bill(bill, base_url="http://127.0.0.1:8000", signed_xml=signed_xml)
        t3 = time.perf_counter()
        render_ofd(bill, signed_xml, verification_url("http://127.0.0.1:8000", bill), created=bill.issued_at)
        t4 = time.perf_counter()
        sign_s, xml_s, pdf_s = sign_s + t1 - t0, xml_s + t2 - t1, pdf_s + t3 - t2
        ofd_s += t4 - t3
        bills.append(bill)
    total = time.perf_counter() - started

    bare_started = time.perf_counter()
    for bill in bills:
        bare_page(bill, verification_url("http://127.0.0.1:8000", bill))
    bare = time.perf_counter() - bare_started

    n = args.bills
    print(f"cores: {os.cpu_count()} (this benchmark uses one)")
    print(f"bills: {n:,} in {total:.2f} s: {n / total:,.0f} bills/s (two SM2 signatures + XML + PDF + OFD)")
    print(
        f"  per bill: two signatures {sign_s / n * 1000:.2f} ms, XML {xml_s / n * 1000:.2f} ms, "
        f"PDF {pdf_s / n * 1000:.2f} ms, OFD {ofd_s / n * 1000:.2f} ms"
    )
    print(f"floor: bare reportlab page with the same text and QR: {bare / n * 1000:.2f} ms per PDF")
    print(
        f"complete bill / floor: {total / bare:.2f}× (aim: within 2×); PDF alone / floor: {pdf_s / bare:.2f}×"
    )


if __name__ == "__main__":
    main()
