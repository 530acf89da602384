"""The matching core: facts in, findings out. Pure functions over frozen types, no database.

The facts read in bulk (a line, a notice, a payment) are named tuples: immutable like the frozen
dataclasses elsewhere, and built from database rows at C speed, which matters at a million rows.

A run for day D classifies every credit booked on D on the special account (财政专户) against the
notice its payment code names and the bank's callback payment for it, and every credit on a
department's own account against the cases of the payer; then it turns the state as of D (callback
payments the statement never showed, overdue notices, completed cases never paid, notices priced
above the lowest rate or billing a cancelled item) into findings. A finding's ``key`` names the thing
it is about, so the same finding is found again on every re-run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from feecollect.money import format_yuan

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
STATEMENT_BANK = "STMT"  # the bank code of payments recorded from a statement line, not a callback
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
    id: int
    payment_code: str
    status: str
    amount_fen: int
    payer_name: str
    department: str
    case_no: str


class PaymentFacts(NamedTuple):
    id: int
    notice_id: int
    amount_fen: int
    bank_code: str
    bank_txn_id: str

    @property
    def from_statement(self) -> bool:
        return self.bank_code == STATEMENT_BANK


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


@dataclass
class DayResult:
    matched: int = 0
    findings: list[Finding] = field(default_factory=list)
    pay_from_statement: list[tuple[Line, NoticeFacts]] = field(default_factory=list)


def _finding(cls: str, line: Line, department: str | None, detail: str, **extra: Any) -> Finding:
    """A finding about one statement line."""
    return Finding(
        cls,
        f"{cls}:line:{line.id}",
        line.booked_on,
        line.amount_fen,
        department,
        detail,
        line.evidence() | extra,
    )


def match_special_credits(
    lines: Iterable[Line],
    notices: dict[str, NoticeFacts],
    payments: dict[int, PaymentFacts],
    earlier: Iterable[EarlierCredit],
    suggestions: dict[tuple[str, int], list[str]],
) -> DayResult:
    """Credits on the special account, in booking order. The first credit at the right amount pays a
    notice; a later one is a duplicate, whether it came on the same day or any day before."""
    result = DayResult()
    claimed = {
        notices[c.payment_code].id
        for c in earlier
        if c.payment_code in notices and c.amount_fen == notices[c.payment_code].amount_fen
    }
    for line in lines:
        _, _, kind, _, _, _, amount, currency, _, _, _, code = line  # unpacked: this loop sees every line
        if kind != "special" or amount <= 0:
            continue
        notice = notices.get(code) if code else None
        if currency != "CNY":
            result.findings.append(
                _finding("unidentified_credit", line, None, f"a credit in {currency}, not CNY")
            )
            continue
        if notice is None:
            candidates = suggestions.get((line.counterparty_name, line.amount_fen), [])
            suggestion = candidates[0] if len(candidates) == 1 else None
            if line.payment_code:
                detail = f"payment code {line.payment_code} names no notice of this centre"
            else:
                detail = "no payment code in the line's text"
            if suggestion:
                detail += f"; suggestion (not applied): notice {suggestion} of the same payer and amount"
            result.findings.append(
                _finding(
                    "unidentified_credit",
                    line,
                    None,
                    detail,
                    payment_code=line.payment_code,
                    suggested_notice=suggestion,
                )
            )
            continue
        notice_id, _, status, expected, _, department, case_no = notice
        if status != "voided" and amount == expected and notice_id not in claimed:
            claimed.add(notice_id)
            result.matched += 1
            payment = payments.get(notice_id)
            if payment is not None and not payment.from_statement:
                continue  # the usual case: the callback and the statement line agree
            if payment is None:
                result.pay_from_statement.append((line, notice))
            result.findings.append(
                _finding(
                    "paid_without_callback",
                    line,
                    department,
                    f"notice {code} was paid at the bank, which never called back; "
                    "the notice is paid from this statement line",
                    payment_code=code,
                    case_no=case_no,
                )
            )
            continue
        links = {"payment_code": code, "case_no": case_no}
        if status == "voided":
            result.findings.append(
                _finding(
                    "unidentified_credit",
                    line,
                    department,
                    f"notice {code} was voided: no payable notice for this money",
                    **links,
                )
            )
        elif amount != expected:
            result.findings.append(
                _finding(
                    "amount_mismatch",
                    line,
                    department,
                    f"notice {code} is for {format_yuan(expected)}, the bank credited {format_yuan(amount)}",
                    expected=format_yuan(expected),
                    **links,
                )
            )
        else:
            result.findings.append(
                _finding(
                    "duplicate_payment",
                    line,
                    department,
                    f"notice {code} was already paid; this is a second credit for it",
                    **links,
                )
            )
    return result


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
