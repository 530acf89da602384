"""SWIFT MT940 statements (and MT942 interim reports), read with the ``mt-940`` package.

The package skips what it cannot place (a ``:61:`` line missing its transaction type, a mistyped tag
folded into the text above it). Money is lost that way, so every ``:61:`` line of the file is checked
here against the standard's layout and must come out of the parser as one transaction, in order; a
line that does not is refused with its line number.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import logging
import re
from datetime import date
from decimal import Decimal
from typing import NamedTuple

import mt940
import mt940.tags

from feecollect.reconcile.statements.types import LineColumns, Statement, StatementError, StatementLine

_TAG = re.compile(rb"^:(20|25|28C|60F|61):", re.MULTILINE)
# A line that starts like a tag; the package knows two digits (and NS) with an optional letter.
_TAG_LIKE = re.compile(r"^:(?P<tag>[0-9A-Za-z]{1,4}):")
_KNOWN_TAG = re.compile(r"^(?:[0-9]{2}|NS)[A-Z]?$")
_STATEMENT_LINE = mt940.tags.Statement().re
# Some banks (ASN Bank) write the payer's IBAN as the reference, longer than the standard's 16
# characters; the package's variant reads up to 34, and is used for the blocks that need it.
_LONG_REFERENCE_LINE = mt940.tags.StatementASNB().re
# The parser reports what it cannot read at ERROR level, with its regular expressions; the refusal
# raised here says what a person needs instead.
logging.getLogger("mt940").setLevel(logging.CRITICAL)


# ":" alone on a line with the tag's number on the next (a Sparkasse wrap): the tag made whole, an
# empty line left below it so that the lines after it keep their numbers.
_TAG_WRAPPED = re.compile(r"^:\r?\n(?P<tag>[0-9]{2}[A-Z]?:)(?P<rest>[^\r\n]*)", re.MULTILINE)
# What a block holds after its closing balance, besides the available balances: the statement's
# own information (an :86: to the account owner) and the message trailer ("-}"), none of it a line.
_AFTER_CLOSING_KEPT = re.compile(r"^:6[45][A-Z]?:")


# ":28C: /1": a bank that numbers only the pages of a statement; read as statement 0, page 1.
_STATEMENT_NUMBER_LEFT_OUT = re.compile(r"^(?P<tag>:28C?:)[ \t]*/(?P<page>\d{1,5})[ \t]*$", re.MULTILINE)


# ":28C:00001/" with "001" on the next line: the value joined, the emptied line kept (line numbers hold).
_STATEMENT_NUMBER_WRAPPED = re.compile(
    r"^(?P<tag>:28C?:)(?P<number>\d{1,5}/)[ \t]*\r?\n(?P<page>\d{1,5})[ \t]*$", re.MULTILINE
)


class WrittenLine(NamedTuple):
    line_no: int
    amount: str  # as written
    long_reference: bool


def _statement_lines(source: str, text: str) -> list[WrittenLine]:
    """Every ``:61:`` line, each checked against the layout
    6!n[4!n]2a[1!a]15d (the amount may wrap to the next line); from the first tag on, any line
    starting like a tag must be one the format knows."""
    found = []
    lines = text.splitlines()
    started = False
    for index, line in enumerate(lines):
        number, tag_like = index + 1, _TAG_LIKE.match(line)
        if tag_like is None:
            continue
        tag = tag_like.group("tag")
        if not started:
            # Lines before the first tag the format knows are a preamble (":940:", a header block).
            started = bool(_KNOWN_TAG.match(tag))
        if not started:
            continue
        if not _KNOWN_TAG.match(tag):
            raise StatementError(source, number, f":{tag}:", f"「:{tag}:」不是 MT940 标签")
        if tag != "61":
            continue
        value = line[4:].rstrip()
        following = itertools.takewhile(lambda line: not _TAG_LIKE.match(line), lines[index + 1 :])
        parsed, long_reference = _match_line(value, [line.rstrip() for line in following])
        if parsed is None or not parsed.group("amount").strip(","):
            raise StatementError(source, number, ":61:", "不是交易行（应为日期、借贷标记、金额…）")
        try:
            date(2000 + int(parsed.group("year")), int(parsed.group("month")), int(parsed.group("day")))
        except ValueError:
            raise StatementError(source, number, ":61:", f"起息日 {value[:6]} 不是日期") from None
        found.append(WrittenLine(number, parsed.group("amount"), long_reference))
    return found


def _match_line(value: str, following: list[str]) -> tuple[re.Match[str] | None, bool]:
    """The ``:61:`` value read by the standard's layout, else by the long-reference variant (and
    whether the variant was needed). The package reads the value with the lines that follow it up to
    the next tag, so the variant is needed where that whole value does not read."""
    whole = "\n".join([value, *following])
    attempts = (
        (_STATEMENT_LINE, whole, False),
        (_LONG_REFERENCE_LINE, whole, True),
        (_STATEMENT_LINE, value, False),  # supplementary details below it that this check need not read
        (_STATEMENT_LINE, "\n".join([value, *following[:1]]), False),  # an amount wrapped to the next line
    )
    for pattern, candidate, long_reference in attempts:
        if (parsed := pattern.match(candidate)) is not None:
            return parsed, long_reference
    return None, False


def _mt940_amount(written: str) -> Decimal:
    return Decimal(written.replace(",", ".") if written.count(",") == 1 else "nan")


# How an MT940 file or fragment opens: a SWIFT header block, or a statement's first tag.
_OPENING = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:\{1:|:940:|:20:|:25:|:61:)")


def is_mt940(content: bytes) -> bool:
    return bool(_OPENING.match(content)) or len({m.group(1) for m in _TAG.finditer(content[:65536])}) >= 3


def _fen(amount: Decimal, source: str, where: str) -> int:
    if amount != amount.quantize(Decimal("0.01")) or abs(amount) >= Decimal(10) ** 13:
        raise StatementError(source, None, where, f"{amount} 不是以分计的金额")
    return int(amount * 100)


def _balance(balance: object, source: str, where: str) -> int | None:
    if balance is None:
        return None
    amount = balance.amount.amount  # type: ignore[attr-defined]
    if balance.status == "D" and amount > 0:  # type: ignore[attr-defined]
        amount = -amount
    return _fen(amount, source, where)


def read_mt940(source: str, content: bytes) -> tuple[Statement, ...]:
    """One statement per ``:20:`` block (a file may hold several accounts, or several days of one),
    each with its own account and balances."""
    text = content.decode("utf-8", errors="replace") if b"\x00" not in content else ""
    text = _STATEMENT_NUMBER_LEFT_OUT.sub(r"\g<tag>0/\g<page>", text)
    text = _STATEMENT_NUMBER_WRAPPED.sub(r"\g<tag>\g<number>\g<page>\n", text)
    text = _TAG_WRAPPED.sub(r":\g<tag>\g<rest>\n", text)
    _statement_lines(source, text)  # the whole file's tags and lines, checked before anything is read
    read = (_read_block(source, block, offset) for offset, block in _blocks(text))
    statements = [statement for statement in read if statement is not None]
    if not statements:
        raise StatementError(source, None, ":61:", "没有交易行")
    return tuple(statements)


def _blocks(text: str) -> list[tuple[int, str]]:
    """(lines before it, text) of each statement block: a block starts at a ``:20:`` line; what stands
    before the first one (a header) goes with it."""
    lines = text.splitlines(keepends=True)
    starts = [index for index, line in enumerate(lines) if line.startswith(":20:")]
    if not starts:
        return [(0, text)]
    starts[0] = 0
    ends = [*starts[1:], len(lines)]
    return [(start, _closing_tail_blanked(lines[start:end])) for start, end in zip(starts, ends, strict=True)]


def _closing_tail_blanked(lines: list[str]) -> str:
    """A block's text with what follows its closing balance blanked (the lines keep their numbers):
    the parser would add it to the last transaction's text."""
    closing = max((n for n, line in enumerate(lines) if line.startswith(":62")), default=None)
    if closing is None:
        return "".join(lines)
    tail = [line if _AFTER_CLOSING_KEPT.match(line) else "\n" for line in lines[closing + 1 :]]
    return "".join([*lines[: closing + 1], *tail])


NO_TYPE_CODE = "(none)"


def _type_code_marked(
    transactions: object, tag: object, tag_dict: object, result: dict[str, object]
) -> dict[str, object]:
    """A ``:61:`` without its transaction type code (N + 3 letters, which some banks leave out) is
    marked as having none: the parser starts a new transaction only after one that has a type code,
    and would otherwise write each such line over the one before."""
    if not result.get("id"):
        result["id"] = NO_TYPE_CODE
    return result


def _read_block(source: str, text: str, offset: int) -> Statement | None:
    found = _statement_lines(source, text)
    written = [(line.line_no + offset, line.amount) for line in found]
    long_references = any(line.long_reference for line in found)
    # The package's own reading of a structured :86: drops the purpose and cuts the name; the text is
    # kept as written and read by _structured_details.
    transactions = mt940.models.Transactions(
        processors={"post_transaction_details": [], "post_statement": [_type_code_marked]},
        tags={61: mt940.tags.StatementASNB()} if long_references else None,
    )
    try:
        # The parser prints its diagnostics; the refusal below carries what a user needs.
        with contextlib.redirect_stdout(io.StringIO()):
            transactions.parse(text)
    except Exception as exc:  # the parser raises assorted errors on text that only looks like MT940
        raise _refusal(source, text, exc, offset) from None
    lines = []
    for index, transaction in enumerate(transactions):
        data = transaction.data
        number, amount_text = written[index] if index < len(written) else (None, "")
        where = ":61:"
        if "amount" not in data or "date" not in data:
            raise StatementError(source, number, where, "交易行没有金额或日期")
        if abs(data["amount"].amount) != _mt940_amount(amount_text):
            raise StatementError(source, number, where, "解析结果与该行所写不符")
        when = data.get("entry_date") or data.get("guessed_entry_date") or data["date"]
        booked_on = date(when.year, when.month, when.day)  # the package's own Date type, made plain
        structured = _structured_details(data.get("transaction_details") or "")
        name, counterparty_account = (structured.name, structured.account) if structured else ("", "")
        details = " ".join(
            part.replace("\n", "")
            for part in (
                structured.text if structured else data.get("transaction_details") or "",
                data.get("extra_details") or "",
            )
            if part
        )
        customer_reference = _reference(data.get("customer_reference"))
        if customer_reference:
            details = f"{details} {customer_reference}".strip()
        lines.append(
            StatementLine(
                line_no=number or offset + index + 1,
                booked_on=booked_on,
                booked_at=None,
                amount_fen=_fen(data["amount"].amount, source, where),
                currency=data.get("currency") or data["amount"].currency or "",
                counterparty_name=name,
                counterparty_account=counterparty_account,
                remark=details,
                serial=_reference(data.get("bank_reference")),
                balance_fen=None,
            )
        )
    if len(lines) < len(written):
        number, _ = written[len(lines)]
        raise StatementError(source, number, ":61:", "该行无法读作一笔交易")
    if not lines:
        return None  # a block without transactions (a quiet day) adds no line
    balances = transactions.data
    opening = balances.get("final_opening_balance") or balances.get("intermediate_opening_balance")
    closing = balances.get("final_closing_balance") or balances.get("intermediate_closing_balance")
    currency = next(
        (b.amount.currency for b in (opening, closing) if b is not None and b.amount.currency), None
    )
    return Statement(
        source=source,
        format="mt940",
        columns=LineColumns.of(lines),
        opening_balance_fen=_balance(opening, source, ":60F:"),
        closing_balance_fen=_balance(closing, source, ":62F:"),
        account=balances.get("account_identification"),
        currency=currency,
    )


class Details(NamedTuple):
    text: str  # the purpose (?20–?29, ?60–?63) and the posting text (?00)
    name: str  # the other party (?32, ?33)
    account: str  # its account or IBAN (?31)


_SUBFIELD = re.compile(r"\?(\d{2})")


def _structured_details(written: str) -> Details | None:
    """The subfields of a structured ``:86:`` (a business code, then ``?NN`` fields, as German and
    SEPA statements write it). A purpose wraps over ?20, ?21, … mid-word, so its parts are joined as
    they stand: a payment code cut by the wrap is whole again. None where the text is not structured.

    >>> written = "166?00GUTSCHRIFT?20SVWZ+缴款码 4303212600?210000000365?31DE5932050000?32CHRISTIAN ?33BENDT"
    >>> d = _structured_details(written)
    >>> d.text, d.name, d.account
    ('SVWZ+缴款码 43032126000000000365 GUTSCHRIFT', 'CHRISTIAN BENDT', 'DE5932050000')
    """
    joined = "".join(line.strip("\r\n") for line in written.splitlines())
    if not re.match(r"^\d{3}\?\d{2}", joined):
        return None
    parts = _SUBFIELD.split(joined)
    fields: dict[int, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=True):
        fields[int(key)] = fields.get(int(key), "") + value

    def run(keys: range) -> str:
        return "".join(fields.get(key, "") for key in keys)

    purpose = run(range(20, 30)) + run(range(60, 64))
    text = " ".join(part.strip() for part in (purpose, fields.get(0, "")) if part.strip())
    return Details(text, run(range(32, 34)).strip(), fields.get(31, "").strip())


# What banks write where a reference is not given: no serial, so that the lines are told apart by
# their content and position instead (SWIFT's own placeholder, and the empty one).
_NO_REFERENCE = {"", "NONREF", "NOTPROVIDED"}


def _reference(value: object) -> str:
    text = str(value or "").strip()
    return "" if text.upper() in _NO_REFERENCE else text


def _refusal(source: str, text: str, exc: Exception, offset: int = 0) -> StatementError:
    """The parser's error as file, line and tag: it raises (message, tag, value) for a tag it cannot
    read, and plain errors (a month 13) from deeper down."""
    if len(exc.args) == 3 and isinstance(exc.args[1], mt940.tags.Tag):
        tag, value = exc.args[1], str(exc.args[2])
        first = value.split("\n", 1)[0]
        number = next(
            (offset + n for n, line in enumerate(text.splitlines(), 1) if first and first in line), None
        )
        return StatementError(source, number, f":{tag.id}:", f"无法读取「{first[:80]}」")
    return StatementError(
        source, None, None, f"不是有效的 MT940 对账单：解析器无法读取（{type(exc).__name__}）"
    )
