"""The content of a bill: nested like the fiscal platforms' XML, every value a string. Pure: built from
the notice, its payment and the codes given, with no database and no signature."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from feecollect.einvoices.models import Bill
from feecollect.money import chinese_capital, format_yuan
from feecollect.notices.charges import Charge
from feecollect.notices.models import Notice
from feecollect.payments.models import Payment
from feecollect.settings import Settings

BILL_NAME = "非税收入一般缴款书（电子）"
CLASSIFICATION_AND_TYPE = "0301"  # 非税收入一般缴款书(电子)
PAYER_TYPES = {"ric": "1", "uscc": "2"}  # 1 person, 2 organisation


def bill_code(settings: Settings, year: int) -> str:
    return f"{settings.bill_region}{CLASSIFICATION_AND_TYPE}{year % 100:02d}"


def bill_quantity(quantity: str) -> str:
    """A quantity as bills write it, with four decimals (``1.0000``); a quantity stated more
    precisely keeps every digit it has, never rounded on a paper that must reckon.

    >>> bill_quantity("1"), bill_quantity("12000.5"), bill_quantity("0.123456")
    ('1.0000', '12000.5000', '0.123456')
    """
    value = Decimal(quantity)
    exponent = value.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 0
    return f"{value:.{max(4, places)}f}"


def bill_content(
    settings: Settings,
    code: str,
    number: int,
    issued: datetime,
    notice: Notice,
    payment: Payment,
    sign: int,
    related: Bill | None,
    remark: str,
    charges: Mapping[int, Charge] | None,
    revenue_codes: Mapping[int, str],
) -> dict[str, Any]:
    """The signed content: nested like the fiscal platforms' XML, every value a string. ``charges``
    (by notice line number) replaces what the lines charged, for a bill re-issued after a refund."""

    def yuan(fen: int) -> str:
        return format_yuan(sign * fen)

    printed = {line.line_no: Charge.of_notice_line(line) for line in notice.lines}
    if charges is not None:
        printed.update(charges)
    total = payment.amount_fen if charges is None else sum(c.amount_fen for c in printed.values())

    # The unit that issues: the collecting department where every line is its own, else (a construction
    # project's one form, lines of several departments) the centre that collects for them all.
    departments = {line.department_code: line.department_name for line in notice.lines}
    if set(departments) == {notice.department_code}:
        invoicing = {"Code": notice.department_code, "Name": departments[notice.department_code]}
    else:
        invoicing = {"Code": settings.division_code, "Name": settings.centre_name}
    if payment.channel == "statement":
        bank_txn_id = payment.bank_reference or ""  # the bank's serial of the line; never an internal id
    else:
        bank_txn_id = payment.bank_reference or payment.bank_txn_id
    return {
        "Main": {
            "EInvoiceName": BILL_NAME,
            "EInvoiceCode": code,
            "EInvoiceNumber": f"{number:010d}",
            "IssueDate": issued.strftime("%Y%m%d"),
            "IssueTime": issued.strftime("%H%M%S"),
            "TotalAmount": yuan(total),
            "TotalAmountUpper": chinese_capital(sign * total),
            "CurrencyType": "CNY",
            "HandlingPerson": settings.centre_name,
            "Remark": remark,
        },
        "InvoicingParty": invoicing,
        "PayerParty": {
            "Type": PAYER_TYPES.get(notice.payer_id_type, "2"),
            "Code": notice.payer_id_no,
            "Name": notice.payer_name,
        },
        "MainExt": {
            "PayCode": notice.payment_code,
            "BankTxnId": bank_txn_id,
            "RelatedInvoiceCode": related.bill_code if related else "",
            "RelatedInvoiceNumber": related.number if related else "",
        },
        "Details": [
            {
                # 项目编码 as bills print it: the revenue classification code; the centre's code beside it
                "ItemCode": revenue_codes.get(line.fee_item_version_id) or line.item_code,
                "ItemLocalCode": line.item_code,
                "ItemName": line.item_name,
                "ItemUnit": printed[line.line_no].unit,
                "ItemQuantity": bill_quantity(printed[line.line_no].quantity),
                "ItemStd": printed[line.line_no].rate or "",
                "ItemFactor": printed[line.line_no].factor,
                "ItemRelief": yuan(printed[line.line_no].relief_fen),
                "ItemReliefName": printed[line.line_no].relief_name or "",
                "ItemAmount": yuan(printed[line.line_no].amount_fen),
                "ItemDepartmentCode": line.department_code,
                "ItemDepartment": line.department_name,
                "ItemRemark": printed[line.line_no].note,
            }
            for line in notice.lines
        ],
    }


def printed_title(bill: Bill) -> str:
    name: str = bill.content["Main"]["EInvoiceName"]
    return name + {"reversal": "（红字）", "replacement": "（换开）"}.get(bill.kind, "")


def printed_standard(item: dict[str, str]) -> str:
    """A line's standard as a person redoes the sum: quantity × factor × standard − relief = amount."""
    text = item["ItemStd"] or "分档"
    if item.get("ItemFactor", "1") != "1":
        text += f" × {item['ItemFactor']}"
    relief = item.get("ItemRelief", "0.00")
    if relief.lstrip("-") != "0.00":
        text += f"，减 {relief}（{item.get('ItemReliefName') or '减免'}）"
    if item.get("ItemRemark"):
        text += f"；{item['ItemRemark']}"
    return text


def parts(content: dict[str, Any]) -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    """(Main, PayerParty, InvoicingParty, MainExt): the parts a paper prints."""
    return content["Main"], content["PayerParty"], content["InvoicingParty"], content["MainExt"]
