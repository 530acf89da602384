"""The matching core: facts in, findings out. Pure functions over frozen types, no database.

The facts read in bulk (a line, a notice with its payment's bank) are named tuples: immutable like
the frozen dataclasses elsewhere, and built from database rows at C speed, which matters at a million
rows. Special-account credits are classified first (a Verdict per credit that is not a clean match)
and worded afterwards, with the origins of only the notices the verdicts name.

A run for day D classifies every credit booked on D on the special account (财政专户) against the
notice its payment code names and the bank's callback payment for it, and every credit on a
department's own account against the cases of the payer; then it turns the state as of D (callback
payments the statement never showed, overdue notices, completed cases never paid, notices priced
above the lowest rate or billing a cancelled item) into findings. A finding's ``key`` names the thing
it is about, so the same finding is found again on every re-run.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple, cast

from feecollect.money import format_yuan
from feecollect.notices.status import NoticeStatus
from feecollect.payments.rules import STATEMENT_BANK

EXCEPTION_CLASSES = (
    "unidentified_credit",
    "amount_mismatch",
    "duplicate_payment",
    "missing_on_statement",
    "paid_without_callback",
    "fee_outside_centre",
    "collected_outside_centre",
    "over_standard",
    "cancelled_item",
    "overdue_unpaid",
)
_ID_TOKEN = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")


class Line(NamedTuple):
    id: int
    account_no: str
    account_kind: str  # "special" or "department"
    department: str | None
    booked_on: date
    booked_at: str | None
    amount_fen: int
    currency: str
    counterparty_name: str
    counterparty_account: str
    remark: str
    payment_code: str | None

    def evidence(self) -> dict[str, Any]:
        return {
            "statement_line": self.id,
            "account": self.account_no,
            "booked_on": self.booked_on.isoformat(),
            "booked_at": self.booked_at,
            "amount": format_yuan(self.amount_fen),
            "counterparty": self.counterparty_name,
            "counterparty_account": self.counterparty_account,
            "remark": self.remark,
        }


class NoticeFacts(NamedTuple):
    """What classifying a credit needs of the notice its code names. A day's statement names a million
    notices, so this is kept to what every line is compared with; where the notice was issued from is
    read afterwards, for the few notices a finding names (:class:`NoticeOrigin`)."""

    id: int
    payment_code: str
    status: str
    amount_fen: int
    paid_through: str | None  # the bank code of the notice's payment; None while it has none


class NoticeOrigin(NamedTuple):
    department: str
    case_no: str  # the case, or for a bundle notice the project, it was issued for


class EarlierCredit(NamedTuple):
    line_id: int
    payment_code: str
    amount_fen: int


@dataclass(frozen=True, slots=True)
class Finding:
    exception_class: str
    key: str
    business_date: date
    amount_fen: int
    department: str | None
    detail: str
    evidence: dict[str, Any] = field(hash=False, compare=False)


class Verdict(NamedTuple):
    """A special-account credit that is not a clean match: its class, and the notice it names, if any."""

    exception_class: str
    line: Line
    notice: NoticeFacts | None


@dataclass
class DayResult:
    claims: list[int] = field(default_factory=list)  # the lines that paid their notice, by id
    verdicts: list[Verdict] = field(default_factory=list)
    pay_from_statement: list[tuple[Line, NoticeFacts]] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return len(self.claims)

    def of_lines(self, line_ids: set[int]) -> DayResult:
        """What the result says about these lines only (a part's, matched beside its rivals)."""
        return DayResult(
            [line_id for line_id in self.claims if line_id in line_ids],
            [verdict for verdict in self.verdicts if verdict.line.id in line_ids],
            [(line, notice) for line, notice in self.pay_from_statement if line.id in line_ids],
        )

    @property
    def notice_ids(self) -> set[int]:
        """The notices the findings name: whose origins :meth:`findings` needs."""
        return {verdict.notice.id for verdict in self.verdicts if verdict.notice is not None}

    @property
    def unknown_credits(self) -> list[Line]:
        """Credits in yuan naming no notice: where a suggestion may help finance find the notice."""
        return [
            verdict.line
            for verdict in self.verdicts
            if verdict.notice is None and verdict.line.currency == "CNY" and verdict.line.counterparty_name
        ]

    def findings(
        self, origins: dict[int, NoticeOrigin], open_notices: dict[tuple[str, int], list[str]]
    ) -> list[Finding]:
        """``open_notices``: unpaid notices by (payer name, amount), suggested where one is unique."""
        return [
            _special_finding(verdict, origins[verdict.notice.id] if verdict.notice else None, open_notices)
            for verdict in self.verdicts
        ]


def line_key(cls: str, line_id: int) -> str:
    """The key of a finding about one statement line: the same line is the same finding on every run."""
    return f"{cls}:line:{line_id}"


def _finding(cls: str, line: Line, department: str | None, detail: str, **extra: Any) -> Finding:
    """A finding about one statement line."""
    return Finding(
        cls,
        line_key(cls, line.id),
        line.booked_on,
        line.amount_fen,
        department,
        detail,
        line.evidence() | extra,
    )


def match_special_credits(
    lines: Iterable[Line],
    notices: dict[str, NoticeFacts],
    earlier: Iterable[EarlierCredit],
) -> DayResult:
    """Credits on the special account, in booking order. The first credit at the right amount pays a
    notice; a later one is a duplicate, whether it came on the same day or any day before."""
    result = DayResult()
    verdict, pay = result.verdicts.append, result.pay_from_statement.append
    claimed = {
        notices[c.payment_code].id
        for c in earlier
        if c.payment_code in notices and c.amount_fen == notices[c.payment_code].amount_fen
    }
    claim, matched = claimed.add, result.claims.append
    find = cast("Callable[[str | None], NoticeFacts | None]", notices.get)
    for line in lines:  # every line of the day comes through here: kept to locals and unpacking
        line_id, _, kind, _, _, _, amount, currency, _, _, _, code = line
        if kind != "special" or amount <= 0:
            continue
        notice = find(code)  # a line without a code has None, never a key
        if notice is None or currency != "CNY":
            verdict(Verdict("unidentified_credit", line, None))
            continue
        notice_id, _, status, expected, paid_through = notice
        if status == NoticeStatus.VOIDED:
            verdict(Verdict("unidentified_credit", line, notice))
        elif amount != expected:
            verdict(Verdict("amount_mismatch", line, notice))
        elif notice_id in claimed:
            verdict(Verdict("duplicate_payment", line, notice))
        else:
            claim(notice_id)
            matched(line_id)
            if paid_through is None:
                pay((line, notice))  # never called back, nor paid from a statement before
            if paid_through is None or paid_through == STATEMENT_BANK:
                verdict(Verdict("paid_without_callback", line, notice))
            # otherwise the usual case: the callback and the statement line agree
    return result


def _special_finding(
    verdict: Verdict, origin: NoticeOrigin | None, open_notices: dict[tuple[str, int], list[str]]
) -> Finding:
    cls, line, notice = verdict
    if notice is None or origin is None:
        if line.currency != "CNY":
            detail = f"a credit in {line.currency}, not CNY"
            return _finding(cls, line, None, detail)
        candidates = open_notices.get((line.counterparty_name, line.amount_fen), ())
        suggestion = candidates[0] if len(candidates) == 1 else None
        if line.payment_code:
            detail = f"payment code {line.payment_code} names no notice of this centre"
        else:
            detail = "no payment code in the line's text"
        if suggestion:
            detail += f"; suggestion (not applied): notice {suggestion} of the same payer and amount"
        return _finding(cls, line, None, detail, payment_code=line.payment_code, suggested_notice=suggestion)
    code = notice.payment_code
    links = {"payment_code": code, "case_no": origin.case_no}
    if cls == "paid_without_callback":
        detail = (
            f"notice {code} was paid at the bank, which never called back; "
            "the notice is paid from this statement line"
        )
        return _finding(cls, line, origin.department, detail, **links)
    if cls == "amount_mismatch":
        expected = format_yuan(notice.amount_fen)
        detail = f"notice {code} is for {expected}, the bank credited {format_yuan(line.amount_fen)}"
        return _finding(cls, line, origin.department, detail, expected=expected, **links)
    if cls == "duplicate_payment":
        detail = f"notice {code} was already paid; this is a second credit for it"
        return _finding(cls, line, origin.department, detail, **links)
    detail = f"notice {code} was voided: no payable notice for this money"
    return _finding(cls, line, origin.department, detail, **links)


@dataclass(frozen=True, slots=True)
class CaseFacts:
    case_no: str
    applicant_name: str
    applicant_id_no: str
    department: str
    lawful_total_fen: int
    lawful_line_fen: tuple[int, ...]


def applicant_ids_in(text: str) -> list[str]:
    """18-character tokens shaped like a USCC or a resident ID number, where a payer's ID may stand.

    >>> applicant_ids_in("缴费 91430300MA4L000012 张三 43032119800101001x")
    ['91430300MA4L000012', '43032119800101001X']
    """
    return _ID_TOKEN.findall(text.upper())


def department_credits(lines: list[Line]) -> list[Line]:
    """The credits on departments' own accounts among a day's lines. A special-account statement of a
    million lines has none, which one C-level pass over the account kinds tells."""
    if "department" not in map(operator.itemgetter(Line._fields.index("account_kind")), lines):
        return []
    return [line for line in lines if line.account_kind == "department" and line.amount_fen > 0]


def match_department_credits(lines: Iterable[Line], cases: Iterable[CaseFacts]) -> list[Finding]:
    """A credit on a department's own account from a case's applicant (by name, or by ID in the text)
    for the case's fee, or for one of its lines: a fee collected outside the centre. Paying more than
    the lowest lawful amount is also over-standard."""
    by_name: dict[str, list[CaseFacts]] = {}
    by_id: dict[str, list[CaseFacts]] = {}
    for case in cases:
        if case.lawful_total_fen > 0:
            by_name.setdefault(case.applicant_name, []).append(case)
            by_id.setdefault(case.applicant_id_no, []).append(case)
    findings = []
    for line in lines:
        if line.account_kind != "department" or line.amount_fen <= 0:
            continue
        candidates = list(by_name.get(line.counterparty_name, []))
        for token in applicant_ids_in(line.remark):
            candidates += [c for c in by_id.get(token, []) if c not in candidates]
        for case in candidates:
            fee_like = line.amount_fen == case.lawful_total_fen or line.amount_fen in case.lawful_line_fen
            if not fee_like and line.amount_fen < case.lawful_total_fen:
                continue
            links = {
                "case_no": case.case_no,
                "applicant": case.applicant_name,
                "lawful_amount": format_yuan(case.lawful_total_fen),
            }
            findings.append(
                _finding(
                    "collected_outside_centre",
                    line,
                    line.department or case.department,
                    f"{format_yuan(line.amount_fen)} from {case.applicant_name}, applicant of case "
                    f"{case.case_no}, arrived on the department account {line.account_no}, not through "
                    "a notice into the special account",
                    **links,
                )
            )
            if line.amount_fen > case.lawful_total_fen:
                findings.append(
                    _finding(
                        "over_standard",
                        line,
                        line.department or case.department,
                        f"{format_yuan(line.amount_fen)} collected for case {case.case_no}, whose lowest "
                        f"lawful amount is {format_yuan(case.lawful_total_fen)}",
                        excess=format_yuan(line.amount_fen - case.lawful_total_fen),
                        **links,
                    )
                )
            break
    return findings
