"""The five-digit response codes that agency-bank interfaces of 非税收入收缴 systems share (SPEC §15).

Every answer to a bank carries one as ``code`` beside the service's own ``error`` name: a bank's
integration is written against these codes, and several situations that share an ``error`` name
(a notice voided, past due or already paid) differ by code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from feecollect.errors import FeeCollectError


@dataclass(frozen=True, slots=True)
class ResponseCode:
    code: str
    meaning: str  # as the agency banks' interface documents word it
    http_status: int


ACCEPTED = ResponseCode("00000", "成功", 200)
SIGNATURE_REFUSED = ResponseCode("10001", "签名、密钥、时间戳或随机数验证失败", 401)
MALFORMED = ResponseCode("10002", "报文不合规范", 422)
NO_SUCH_NOTICE = ResponseCode("11001", "缴款码不存在", 422)
CHECK_DIGITS_FAIL = ResponseCode("11002", "缴款码校验位错误", 422)
NOTICE_OVERDUE = ResponseCode("11003", "缴款书超期限", 422)
NOTICE_VOIDED = ResponseCode("11004", "缴款书已作废", 422)
ALREADY_PAID = ResponseCode("12001", "重复缴款确认", 422)
CONFIRM_CODE_DIFFERS = ResponseCode("12002", "缴款确认码与财政不一致", 422)
ACCOUNT_DIFFERS = ResponseCode("12003", "收款账户不一致", 422)
AMOUNT_DIFFERS = ResponseCode("12004", "金额不一致", 422)
NOT_LOOKED_UP = ResponseCode("12005", "未被查询的缴款书做缴款确认", 422)
DATE_OUT_OF_WINDOW = ResponseCode("12006", "缴款日期不在被查询日期范围内", 422)
TXN_ID_CONFLICT = ResponseCode("13001", "交易流水号重复但内容不一致", 409)

BANK_ANSWERS = (
    ACCEPTED,
    SIGNATURE_REFUSED,
    MALFORMED,
    NO_SUCH_NOTICE,
    CHECK_DIGITS_FAIL,
    NOTICE_OVERDUE,
    NOTICE_VOIDED,
    ALREADY_PAID,
    CONFIRM_CODE_DIFFERS,
    ACCOUNT_DIFFERS,
    AMOUNT_DIFFERS,
    NOT_LOOKED_UP,
    DATE_OUT_OF_WINDOW,
    TXN_ID_CONFLICT,
)

# The national classes of reconciliation exceptions (SPEC §15): the day-end check of a bank's
# transactions against its statement.
AMOUNT_DIFFERS_ON_STATEMENT = ResponseCode("15001", "日间交易与日终对账单金额不一致", 0)
MISSING_ON_STATEMENT = ResponseCode("15002", "日间交易已传送但日终对账单缺失", 0)
NOT_SENT_BUT_ON_STATEMENT = ResponseCode("15003", "日间交易未传送但日终对账单存在", 0)
EXCEPTION_CODES = {
    "amount_mismatch": AMOUNT_DIFFERS_ON_STATEMENT,
    "missing_on_statement": MISSING_ON_STATEMENT,
    "paid_without_callback": NOT_SENT_BUT_ON_STATEMENT,
}


def exception_code(exception_class: str) -> str | None:
    """The national code of a reconciliation exception class, where one exists."""
    found = EXCEPTION_CODES.get(exception_class)
    return None if found is None else found.code


class BankRefusal(FeeCollectError):
    """A bank's request refused with its national code; nothing of it was written."""

    def __init__(self, response: ResponseCode, detail: str, *, error: str):
        super().__init__(detail, code=error, extra={"code": response.code})
        self.status_code = response.http_status
        self.response = response


def for_answer(status: int, extra: dict[str, Any]) -> str | None:
    """The code of a bank-facing refusal that did not name one: refused before any bank rule ran
    (signature, size, body shape, the route itself)."""
    if "code" in extra:
        return str(extra["code"])
    if status == SIGNATURE_REFUSED.http_status:
        return SIGNATURE_REFUSED.code
    if status == TXN_ID_CONFLICT.http_status:
        return TXN_ID_CONFLICT.code
    if 400 <= status < 500:
        return MALFORMED.code
    return None


def described(*answers: ResponseCode) -> str:
    """The codes an answer may carry, for the OpenAPI document."""
    return "; ".join(f"{answer.code} {answer.meaning}" for answer in answers)
