"""When a bank's payment callback may pay a notice (SPEC §6, §15): one pure judgement over frozen facts,
so every path that applies a callback follows the same rules in the same order."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from feecollect.bank import response_codes as rc
from feecollect.money import format_yuan, parse_yuan
from feecollect.notices.status import NoticeStatus

STATEMENT_BANK = "STMT"  # the bank code of payments recorded from a statement line, not a callback
MANUAL_MATCH_BANK = "MANUAL"  # a statement line finance matched to a notice by hand, approved by a second
# How far ahead of our clock a bank's paid_at may run, and how long before its lookup a bank may date a
# payment (clocks drift between the counter, the bank's host and us).
CLOCK_TOLERANCE = timedelta(minutes=10)
CONFIRM_CODE_LENGTH = 8
_CONFIRM_ALPHABET = string.digits + string.ascii_uppercase


def new_confirm_code() -> str:
    """缴款确认码: unpredictable, so a callback can only echo what a lookup gave this bank."""
    return "".join(secrets.choice(_CONFIRM_ALPHABET) for _ in range(CONFIRM_CODE_LENGTH))


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    payment_code: str
    status: str
    amount_fen: int
    due_date: date
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class LookupFacts:
    """This bank's lookup of this notice: the code it was given and the window it opened."""

    confirm_code: str
    looked_up_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class CallbackFacts:
    amount: str
    paid_at: datetime
    confirm_code: str | None
    account: str | None  # the receiving account the bank names, if it names one


@dataclass(frozen=True, slots=True)
class Refusal:
    response: rc.ResponseCode
    error: str
    detail: str


_CLOSED: dict[str, tuple[rc.ResponseCode, str]] = {
    NoticeStatus.PAID: (rc.ALREADY_PAID, "is already paid"),
    NoticeStatus.REFUNDED: (rc.ALREADY_PAID, "was paid and refunded"),
    NoticeStatus.VOIDED: (rc.NOTICE_VOIDED, "is voided"),
    NoticeStatus.EXPIRED: (rc.NOTICE_OVERDUE, "expired unpaid"),
}


def judge(
    notice: NoticeFacts,
    callback: CallbackFacts,
    *,
    lookup: LookupFacts | None,
    lookup_required: bool,
    account_is_special: bool | None,
    now: datetime,
    zone: ZoneInfo,
) -> Refusal | None:
    """Why this callback may not pay this notice, or None when it may. ``account_is_special`` is None
    when the callback names no account. A bank that need not look up is held to a lookup's rules when
    it echoes a confirm code all the same."""
    code = notice.payment_code
    if notice.status != NoticeStatus.ISSUED:
        response, state = _CLOSED.get(notice.status, (rc.ALREADY_PAID, f"is {notice.status}"))
        return Refusal(response, "notice_not_payable", f"notice {code} {state}")
    if parse_yuan(callback.amount) != notice.amount_fen:
        return Refusal(
            rc.AMOUNT_DIFFERS,
            "amount_mismatch",
            f"notice {code} is for {format_yuan(notice.amount_fen)}, not {callback.amount}",
        )
    if account_is_special is False:
        return Refusal(
            rc.ACCOUNT_DIFFERS,
            "account_not_special",
            f"account {callback.account} is not a registered fiscal special account",
        )
    if not notice.issued_at <= callback.paid_at <= now + CLOCK_TOLERANCE:
        return Refusal(
            rc.DATE_OUT_OF_WINDOW,
            "paid_at_out_of_window",
            f"paid_at {callback.paid_at.isoformat()} is outside the allowed window: from the notice's "
            f"issue ({notice.issued_at.astimezone(zone).isoformat()}) to 10 minutes from now",
        )
    if lookup_required or callback.confirm_code is not None:
        if lookup is None:
            return Refusal(
                rc.NOT_LOOKED_UP, "lookup_required", f"this bank never looked notice {code} up before paying"
            )
        if callback.confirm_code is None or not secrets.compare_digest(
            callback.confirm_code.encode(), lookup.confirm_code.encode()
        ):
            return Refusal(
                rc.CONFIRM_CODE_DIFFERS,
                "confirm_code_mismatch",
                f"confirm_code differs from the one the lookup of notice {code} gave",
            )
        if not lookup.looked_up_at - CLOCK_TOLERANCE <= callback.paid_at <= lookup.expires_at:
            return Refusal(
                rc.DATE_OUT_OF_WINDOW,
                "paid_at_out_of_window",
                f"paid_at {callback.paid_at.isoformat()} is outside the lookup's window "
                f"({lookup.looked_up_at.astimezone(zone).isoformat()} less 10 minutes to "
                f"{lookup.expires_at.astimezone(zone).isoformat()})",
            )
    business_date = callback.paid_at.astimezone(zone).date()
    if business_date > notice.due_date:
        return Refusal(
            rc.NOTICE_OVERDUE,
            "notice_not_payable",
            f"notice {code} was due on {notice.due_date}, paid on {business_date}",
        )
    return None
