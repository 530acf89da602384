"""ISO 20022 camt.053 (bank-to-customer statement), any version: elements are found by local name,
because the namespace changes with each version (001.02 … 001.08) while the element names do not.

A batch entry (one ``Ntry`` booking several transactions, ``TxDtls``) becomes one line per
transaction, each with its own amount, text and references, where the transactions state amounts that
add up to the entry's; a statement without entries (a quiet day) is kept for its balances."""

from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from feecollect.reconcile.statements.types import (
    UNSUPPORTED,
    LineColumns,
    Statement,
    StatementError,
    StatementLine,
)

_NAMESPACE = re.compile(r"^\{[^}]*\}")
# By preference: the opening booked balance, else the previous day's closing booked balance.
OPENING_CODES = ("OPBD", "PRCD")
CLOSING_CODES = ("CLBD",)


def _local(element: Element) -> str:
    return _NAMESPACE.sub("", element.tag)


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child) == name]


def _find(element: Element | None, path: str) -> Element | None:
    """The first element along a slash-separated path of local names."""
    for name in path.split("/"):
        if element is None:
            return None
        found = _children(element, name)
        element = found[0] if found else None
    return element


def _text(element: Element | None, path: str) -> str:
    found = _find(element, path)
    return (found.text or "").strip() if found is not None else ""


def is_camt(content: bytes) -> bool:
    head = content[:4096]
    return b"<Document" in head and b"camt." in head


def read_camt(source: str, content: bytes, zone: tzinfo | None = None) -> tuple[Statement, ...]:
    """``zone``: the centre's time zone, in which booking times stated with an offset are dated."""
    try:
        root = fromstring(content)
    except (ParseError, DefusedXmlException) as exc:
        raise StatementError(source, None, None, f"不是格式正确的 XML（{exc}）") from None
    message = root[0] if len(root) else None
    if message is None or _local(message) != "BkToCstmrStmt":
        kind = _local(message) if message is not None else "空文档"
        raise StatementError(
            source,
            None,
            None,
            f"{kind} 不是 camt.053 账户对账单（BkToCstmrStmt）：请导出 camt.053",
            code=UNSUPPORTED,
        )
    statements = _children(message, "Stmt")
    if not statements:
        raise StatementError(source, None, "Stmt", "文件中没有对账单")
    return tuple(_statement(source, index, element, zone) for index, element in enumerate(statements, 1))


def _statement(source: str, index: int, element: Element, zone: tzinfo | None) -> Statement:
    account = _text(element, "Acct/Id/IBAN") or _text(element, "Acct/Id/Othr/Id")
    balances: dict[str, int] = {}
    currency = _text(element, "Acct/Ccy")
    for balance in _children(element, "Bal"):
        if not currency and (amount := _find(balance, "Amt")) is not None:
            currency = amount.attrib.get("Ccy", "")
        code = _text(balance, "Tp/CdOrPrtry/Cd")
        if code in OPENING_CODES or code in CLOSING_CODES:
            balances.setdefault(code, _signed_fen(source, index, balance, f"Stmt[{index}]/Bal[{code}]"))
    opening = next((balances[code] for code in OPENING_CODES if code in balances), None)
    closing = next((balances[code] for code in CLOSING_CODES if code in balances), None)
    lines = tuple(
        line
        for number, entry in enumerate(_children(element, "Ntry"), 1)
        for line in _entry(source, index, number, entry, zone)
    )
    return Statement(
        source=source,
        format="camt.053",
        columns=LineColumns.of(lines),
        opening_balance_fen=opening,
        closing_balance_fen=closing,
        account=account or None,
        currency=currency or None,
    )


def _signed_fen(
    source: str, index: int, element: Element, where: str, indicator_of: Element | None = None
) -> int:
    """The element's ``Amt``, signed by its ``CdtDbtInd`` (or that of ``indicator_of``, where the
    element states none)."""
    amount_text = _text(element, "Amt")
    try:
        amount = Decimal(amount_text)
    except InvalidOperation:
        raise StatementError(source, None, f"{where}/Amt", f"「{amount_text}」不是金额") from None
    if amount != amount.quantize(Decimal("0.01")) or amount < 0 or amount >= Decimal(10) ** 13:
        raise StatementError(source, None, f"{where}/Amt", f"「{amount_text}」不是以分计的金额")
    indicator = _text(element, "CdtDbtInd") or (_text(indicator_of, "CdtDbtInd") if indicator_of else "")
    if indicator not in ("CRDT", "DBIT"):
        raise StatementError(source, None, f"{where}/CdtDbtInd", f"「{indicator}」既不是 CRDT 也不是 DBIT")
    fen = int(amount * 100)
    return fen if indicator == "CRDT" else -fen


def _entry(source: str, index: int, number: int, entry: Element, zone: tzinfo | None) -> list[StatementLine]:
    where = f"Stmt[{index}]/Ntry[{number}]"
    fen = _signed_fen(source, index, entry, where)
    booked_on, booked_at = _when(source, entry, where, zone)
    currency = amount.attrib.get("Ccy", "") if (amount := _find(entry, "Amt")) is not None else ""
    serial = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
    transactions = [tx for details in _children(entry, "NtryDtls") for tx in _children(details, "TxDtls")]
    # Only a batch is split; a single transaction's own amount fields are never needed (nor checked).
    amounts = (
        [
            _transaction_fen(source, index, tx, entry, currency, f"{where}/TxDtls[{n}]")
            for n, tx in enumerate(transactions, 1)
        ]
        if len(transactions) > 1
        else [None]
    )
    if None in amounts:
        details = transactions[0] if transactions else None
        return [_line(number, booked_on, booked_at, fen, currency, serial, details, entry)]
    if sum(a for a in amounts if a is not None) != fen:
        raise StatementError(
            source,
            None,
            f"{where}/TxDtls",
            "该批量记录中各笔交易之和与记录金额不符",
        )
    return [
        _line(
            number,
            booked_on,
            booked_at,
            tx_fen or 0,
            currency,
            _text(tx, "Refs/AcctSvcrRef") or (f"{serial}/{n}" if serial else ""),
            tx,
            None,
        )
        for n, (tx, tx_fen) in enumerate(zip(transactions, amounts, strict=True), 1)
    ]


def _transaction_fen(
    source: str, index: int, tx: Element, entry: Element, currency: str, where: str
) -> int | None:
    """A transaction's own amount (``Amt``, or ``AmtDtls/TxAmt/Amt``) in the entry's currency; None where
    it states none, or states it in another currency (what was instructed, not what was booked)."""
    holder = tx if _find(tx, "Amt") is not None else _find(tx, "AmtDtls/TxAmt")
    written = _find(holder, "Amt") if holder is not None else None
    if holder is None or written is None or written.attrib.get("Ccy", currency) != currency:
        return None
    return _signed_fen(source, index, holder, where, indicator_of=tx if _text(tx, "CdtDbtInd") else entry)


def _line(
    number: int,
    booked_on: date,
    booked_at: time | None,
    fen: int,
    currency: str,
    serial: str,
    details: Element | None,
    entry: Element | None,
) -> StatementLine:
    party = "Dbtr" if fen > 0 else "Cdtr"
    name = _text(details, f"RltdPties/{party}/Nm") or _text(details, f"RltdPties/{party}/Pty/Nm")
    account = _text(details, f"RltdPties/{party}Acct/Id/IBAN") or _text(
        details, f"RltdPties/{party}Acct/Id/Othr/Id"
    )
    texts = [
        *(u.text.strip() for u in _all(details, "Ustrd") if u.text and u.text.strip()),
        _text(details, "RmtInf/Strd/CdtrRefInf/Ref"),
        _text(details, "Refs/EndToEndId"),
        _text(details, "AddtlTxInf"),
        _text(entry, "AddtlNtryInf"),
    ]
    return StatementLine(
        line_no=number,
        booked_on=booked_on,
        booked_at=booked_at,
        amount_fen=fen,
        currency=currency,
        counterparty_name=name,
        counterparty_account=account,
        remark=" ".join(t for t in texts if t and t != "NOTPROVIDED"),
        serial=serial,
        balance_fen=None,
    )


def _all(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [child for child in element.iter() if _local(child) == name]


def _when(source: str, entry: Element, where: str, zone: tzinfo | None) -> tuple[date, time | None]:
    day = _text(entry, "BookgDt/Dt") or _text(entry, "ValDt/Dt")
    stamp = _text(entry, "BookgDt/DtTm") or _text(entry, "ValDt/DtTm")
    try:
        if day:
            return date.fromisoformat(day), None
        if stamp:
            moment = datetime.fromisoformat(stamp)
            if moment.tzinfo is not None and zone is not None:
                moment = moment.astimezone(zone)  # 23:30Z is the next morning in Asia/Shanghai
            return moment.date(), moment.time().replace(tzinfo=None)
    except ValueError:
        raise StatementError(source, None, f"{where}/BookgDt", f"「{day or stamp}」不是日期") from None
    raise StatementError(source, None, f"{where}/BookgDt", "没有记账日期或起息日期")
