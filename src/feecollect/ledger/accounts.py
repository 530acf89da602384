"""Ledger account names. Debits are positive, credits negative; every transaction sums to zero."""

from __future__ import annotations

SPECIAL = "special"  # 财政专户: where every fee arrives
PRECOLLECTED = "precollected"  # 一表制预收: bundle money held until settlement
REFUNDS_PAYABLE = "refunds_payable"
SUSPENSE = "suspense"  # 未明款项: receipts not yet identified
TREASURY_PREFIX = "treasury:"  # 国库, one account per department whose revenue was remitted
REVENUE_PREFIX = "revenue:"

NAMES = {
    SPECIAL: "财政专户",
    PRECOLLECTED: "一表制预收款",
    REFUNDS_PAYABLE: "应退款项",
    SUSPENSE: "未明款项",
}


def revenue(department: str) -> str:
    return f"{REVENUE_PREFIX}{department}"


def treasury(department: str) -> str:
    return f"{TREASURY_PREFIX}{department}"


def display_name(account: str, departments: dict[str, str]) -> str:
    if account.startswith(REVENUE_PREFIX):
        code = account.removeprefix(REVENUE_PREFIX)
        return f"{departments.get(code, code)}收入"
    if account.startswith(TREASURY_PREFIX):
        code = account.removeprefix(TREASURY_PREFIX)
        return f"国库（{departments.get(code, code)}）"
    return NAMES.get(account, account)
