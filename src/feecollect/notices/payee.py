"""The payee a bank counter needs on a notice (收款人): the fiscal special account the fee is paid into."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Payee:
    account_name: str  # 户名
    account_no: str
    bank_name: str
