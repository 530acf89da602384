"""What an exception says to finance staff, in Chinese, for the report and the pages.

The API keeps the English ``detail`` the matching core writes; this wording is made from the same
exception's class and stored evidence, which hold every fact the sentence names, so exceptions stored
before this module existed read the same way.

>>> chinese_detail("amount_mismatch", {"payment_code": "43032126000000000365", "amount": "560.00",
...                                    "expected": "570.00", "case_no": "B-1"})
'缴款通知书 43032126000000000365（办件 B-1）应缴 570.00 元，银行入账 560.00 元'
>>> chinese_detail("unidentified_credit", {"amount": "20.00", "payment_code": None,
...                                        "suggested_notice": "43032126000000000171"})
'摘要中没有缴款码；建议核对缴款通知书 43032126000000000171（同一缴款人、同一金额，未自动处理）'
"""

from __future__ import annotations

from typing import Any


def chinese_detail(exception_class: str, evidence: dict[str, Any]) -> str:
    e = evidence
    notice = f"缴款通知书 {e.get('payment_code')}"
    of_case = f"（办件 {e['case_no']}）" if e.get("case_no") else ""
    if exception_class == "unidentified_credit":
        if "payment_code" not in e:
            return f"非人民币入账 {e.get('amount')}，无法对应缴款通知书"
        if e.get("case_no"):
            return f"{notice}{of_case}已作废，这笔 {e.get('amount')} 元没有可对应的应缴款"
        said = (
            f"缴款码 {e['payment_code']} 不是本中心开具的缴款通知书"
            if e.get("payment_code")
            else "摘要中没有缴款码"
        )
        if e.get("suggested_notice"):
            said += f"；建议核对缴款通知书 {e['suggested_notice']}（同一缴款人、同一金额，未自动处理）"
        return said
    if exception_class == "amount_mismatch":
        return f"{notice}{of_case}应缴 {e.get('expected')} 元，银行入账 {e.get('amount')} 元"
    if exception_class == "duplicate_payment":
        return f"{notice}{of_case}已缴清，这是同一通知书的第二笔入账 {e.get('amount')} 元"
    if exception_class == "paid_without_callback":
        return f"{notice}{of_case}已在银行缴款但银行未回调，已按本笔流水确认缴款"
    if exception_class == "missing_on_statement":
        return (
            f"银行回调了{notice}的缴款（{e.get('bank')} {e.get('bank_txn_id')}，{e.get('paid_on')}，"
            f"{e.get('amount')} 元），但对账单中没有对应的到账流水"
        )
    if exception_class == "overdue_unpaid":
        return f"{notice}{of_case}（{e.get('payer')}）缴款期限为 {e.get('due_date')}，至今未缴"
    if exception_class == "fee_outside_centre":
        return (
            f"办件 {e.get('case_no')}（{e.get('applicant')}）于 {e.get('completed_on')} 办结，"
            f"应收费用 {e.get('lawful_amount')} 元，但未经中心缴费"
        )
    if exception_class == "collected_outside_centre":
        return (
            f"办件 {e.get('case_no')} 的申请人 {e.get('applicant')} 向部门账户 {e.get('account')} "
            f"转入 {e.get('amount')} 元，未经缴款通知书进入财政专户"
        )
    if exception_class == "over_standard":
        if "excess" in e:
            return (
                f"办件 {e.get('case_no')} 收取 {e.get('amount')} 元，高于最低法定金额 "
                f"{e.get('lawful_amount')} 元（超出 {e['excess']} 元）"
            )
        return f"{notice}按 {e.get('rate')} 收取 {e.get('item')}，高于收费标准下限 {e.get('lawful_min')}"
    if exception_class == "cancelled_item":
        verb = "收取" if e.get("status") == "paid" else "开具"
        return (
            f"{notice}{verb}了已于 {e.get('cancelled_on')} 取消的收费项目 {e.get('item')}（{e.get('basis')}）"
        )
    return exception_class
