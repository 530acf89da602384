"""SWIFT MT940 statements (and MT942 interim reports), read with the ``mt-940`` package."""

from __future__ import annotations

import contextlib
import io
import re
from datetime import date
from decimal import Decimal

import mt940

from feecollect.reconcile.statements.types import LineColumns, Statement, StatementError, StatementLine

_TAG = re.compile(rb"^:(20|25|28C|60F|61):", re.MULTILINE)


def is_mt940(content: bytes) -> bool:
    return len({m.group(1) for m in _TAG.finditer(content[:65536])}) >= 3


def _fen(amount: Decimal, source: str, where: str) -> int:
    if amount != amount.quantize(Decimal("0.01")) or abs(amount) >= Decimal(10) ** 13:
        raise StatementError(source, None, where, f"{amount} is not an amount in fen")
    return int(amount * 100)


def _balance(balance: object, source: str, where: str) -> int | None:
    if balance is None:
        return None
    amount = balance.amount.amount  # type: ignore[attr-defined]
    if balance.status == "D" and amount > 0:  # type: ignore[attr-defined]
        amount = -amount
    return _fen(amount, source, where)


def read_mt940(source: str, content: bytes) -> Statement:
    text = content.decode("utf-8", errors="replace") if b"\x00" not in content else ""
    transactions = mt940.models.Transactions()
    try:
        # The parser prints its diagnostics; the refusal below carries what a user needs.
        with contextlib.redirect_stdout(io.StringIO()):
            transactions.parse(text)
    except Exception as exc:  # the parser raises assorted errors on text that only looks like MT940
        detail = exc.args[0] if exc.args else exc
        raise StatementError(source, None, None, f"not a valid MT940 statement: {detail}") from None
    lines = []
    for number, transaction in enumerate(transactions, 1):
        data = transaction.data
        where = f":61:[{number}]"
        if "amount" not in data or "date" not in data:
            raise StatementError(source, None, where, "a statement line without amount or date")
        when = data.get("entry_date") or data.get("guessed_entry_date") or data["date"]
        booked_on = date(when.year, when.month, when.day)  # the package's own Date type, made plain
        reference = data.get("bank_reference") or ""
        details = " ".join(
            part.replace("\n", "")
            for part in (data.get("transaction_details") or "", data.get("extra_details") or "")
            if part
        )
        customer_reference = data.get("customer_reference") or ""
        if customer_reference and customer_reference != "NONREF":
            details = f"{details} {customer_reference}".strip()
        lines.append(
            StatementLine(
                line_no=number,
                booked_on=booked_on,
                booked_at=None,
                amount_fen=_fen(data["amount"].amount, source, where),
                currency=data.get("currency") or data["amount"].currency,
                counterparty_name="",
                counterparty_account="",
                remark=details,
                serial=reference.strip(),
                balance_fen=None,
            )
        )
    if not lines:
        raise StatementError(source, None, ":61:", "no statement lines")
    return Statement(
        source=source,
        format="mt940",
        columns=LineColumns.of(lines),
        opening_balance_fen=_balance(transactions.data.get("final_opening_balance"), source, ":60F:"),
        closing_balance_fen=_balance(transactions.data.get("final_closing_balance"), source, ":62F:"),
        account=transactions.data.get("account_identification"),
    )
