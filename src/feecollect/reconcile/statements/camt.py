"""ISO 20022 camt.053 (bank-to-customer statement), any version: elements are found by local name,
because the namespace changes with each version (001.02 … 001.08) while the element names do not."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from feecollect.reconcile.statements.types import LineColumns, Statement, StatementError, StatementLine

_NAMESPACE = re.compile(r"^\{[^}]*\}")
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


def read_camt(source: str, content: bytes) -> tuple[Statement, ...]:
    try:
        root = fromstring(content)
    except (ParseError, DefusedXmlException) as exc:
        raise StatementError(source, None, None, f"not well-formed XML: {exc}") from None
    message = root[0] if len(root) else None
    if message is None or _local(message) != "BkToCstmrStmt":
        kind = _local(message) if message is not None else "an empty document"
        raise StatementError(
            source, None, None, f"{kind} is not a camt.053 account statement (BkToCstmrStmt); export camt.053"
        )
    statements = _children(message, "Stmt")
    if not statements:
        raise StatementError(source, None, "Stmt", "no statement in the file")
    return tuple(_statement(source, index, element) for index, element in enumerate(statements, 1))


def _statement(source: str, index: int, element: Element) -> Statement:
    account = _text(element, "Acct/Id/IBAN") or _text(element, "Acct/Id/Othr/Id")
    opening = closing = None
    for balance in _children(element, "Bal"):
        code = _text(balance, "Tp/CdOrPrtry/Cd")
        if code in OPENING_CODES or code in CLOSING_CODES:
            fen = _signed_fen(source, index, balance, f"Stmt[{index}]/Bal[{code}]")
            if code in OPENING_CODES:
                opening = fen
            else:
                closing = fen
    lines = tuple(
        _entry(source, index, number, entry) for number, entry in enumerate(_children(element, "Ntry"), 1)
    )
    if not lines:
        raise StatementError(source, None, f"Stmt[{index}]", "no entries (Ntry) in the statement")
    return Statement(
        source=source,
        format="camt.053",
        columns=LineColumns.of(lines),
        opening_balance_fen=opening,
        closing_balance_fen=closing,
        account=account or None,
    )


def _signed_fen(source: str, index: int, element: Element, where: str) -> int:
    amount_text = _text(element, "Amt")
    try:
        amount = Decimal(amount_text)
    except InvalidOperation:
        raise StatementError(source, None, f"{where}/Amt", f"{amount_text!r} is not an amount") from None
    if amount != amount.quantize(Decimal("0.01")) or amount < 0 or amount >= Decimal(10) ** 13:
        raise StatementError(source, None, f"{where}/Amt", f"{amount_text!r} is not an amount in fen")
    indicator = _text(element, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise StatementError(source, None, f"{where}/CdtDbtInd", f"{indicator!r} is neither CRDT nor DBIT")
    fen = int(amount * 100)
    return fen if indicator == "CRDT" else -fen


def _entry(source: str, index: int, number: int, entry: Element) -> StatementLine:
    where = f"Stmt[{index}]/Ntry[{number}]"
    fen = _signed_fen(source, index, entry, where)
    booked_on, booked_at = _when(source, entry, where)
    details = _find(entry, "NtryDtls/TxDtls")
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
        currency=amount.attrib.get("Ccy", "") if (amount := _find(entry, "Amt")) is not None else "",
        counterparty_name=name,
        counterparty_account=account,
        remark=" ".join(t for t in texts if t and t != "NOTPROVIDED"),
        serial=_text(entry, "AcctSvcrRef") or _text(entry, "NtryRef"),
        balance_fen=None,
    )


def _all(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [child for child in element.iter() if _local(child) == name]


def _when(source: str, entry: Element, where: str) -> tuple[date, time | None]:
    day = _text(entry, "BookgDt/Dt") or _text(entry, "ValDt/Dt")
    stamp = _text(entry, "BookgDt/DtTm") or _text(entry, "ValDt/DtTm")
    try:
        if day:
            return date.fromisoformat(day), None
        if stamp:
            moment = datetime.fromisoformat(stamp)
            return moment.date(), moment.time().replace(tzinfo=None)
    except ValueError:
        raise StatementError(source, None, f"{where}/BookgDt", f"{day or stamp!r} is not a date") from None
    raise StatementError(source, None, f"{where}/BookgDt", "no booking or value date")
