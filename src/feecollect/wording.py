"""The Chinese a person reads, in one catalogue: statuses, exception classes, evidence labels, the
names of form fields and why a value was refused, and how a moment is shown.

Codes stay English in the API, logs and code; pages, PDFs, workbooks and finance's CLI output show
these words. A code with no wording is shown as it is, so a missing entry is visible, not hidden
(the page lint of the browser tests looks for such codes).

>>> status_name("accepted"), exception_class_name("unidentified_credit")
('已受理', '未明款项')
>>> input_problem(("applicant", "id_no"), "string_too_short", {"min_length": 1})
('applicant.id_no', '证件号码：不能为空')
>>> local_time(datetime(2026, 12, 2, 6, 10, 28, tzinfo=UTC), ZoneInfo("Asia/Shanghai"))
'2026-12-02 14:10'
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

STATUS_NAMES = {
    # notices
    "issued": "待缴款",
    "paid": "已缴款",
    "refunded": "已退付",
    "voided": "已作废",
    "expired": "已逾期",
    # cases
    "accepted": "已受理",
    "completed": "已办结",
    "withdrawn": "已撤回",
    # exceptions
    "open": "待处理",
    "resolved": "已处理",
    # projects and their settlements
    "declared": "已申报",
    "settling": "决算中",
    "settled": "已决算分割",
    "pending": "待补缴或退付",
    "split": "已分割",
    # refund orders
    "proposed": "待审核",
    "approved": "已审批待退付",
    "confirmed": "银行已退付",
}
PROPOSAL_ACTIONS = {
    "resolve_exception": "处理对账异常",
    "reverse_bill": "票据冲红",
    "remit": "划缴国库",
    "approve_refund": "退付审批",
    "match_line": "人工匹配对账单明细",
}
PROPOSAL_STATUS = {"proposed": "待审核", "approved": "已批准", "rejected": "已驳回"}
EXCEPTION_HISTORY = {
    "found": "发现",
    "seen_again": "再次出现",
    "exception.assigned": "分派给",
    "proposal.made": "提议处理",
    "proposal.approved": "审核批准",
    "proposal.rejected": "审核驳回",
    "exception.resolved": "已处理",
}
AGE_BUCKETS = {"0-2": "0–2 天", "3-6": "3–6 天", "7-29": "7–29 天", "30+": "30 天以上"}
BILL_STATUS_NAMES = {"issued": "已开具", "reversed": "已冲红"}
BILL_KIND_NAMES = {"normal": "正常票据", "reversal": "红字票据", "replacement": "换开票据"}

EXCEPTION_CLASS_NAMES = {
    "unidentified_credit": "未明款项",
    "amount_mismatch": "金额不符",
    "duplicate_payment": "重复缴款",
    "missing_on_statement": "已回调未到账",
    "paid_without_callback": "到账未回调",
    "fee_outside_centre": "办结未经中心缴费",
    "collected_outside_centre": "部门账户体外收费",
    "over_standard": "超标准收费",
    "cancelled_item": "已取消项目收费",
    "overdue_unpaid": "逾期未缴",
}

# The facts an exception keeps as evidence, labelled for people; an evidence key missing here is
# shown under its code.
EVIDENCE_LABELS = {
    "statement_line": "对账单明细",
    "booked_on": "记账日期",
    "booked_at": "记账时间",
    "counterparty": "对方户名",
    "counterparty_account": "对方账号",
    "remark": "摘要",
    "serial": "流水号",
    "account": "账号",
    "amount": "金额（元）",
    "expected": "应缴金额（元）",
    "payment_code": "缴款码",
    "suggested_notice": "建议核对的缴款通知书",
    "case_no": "办件号",
    "project_no": "项目编号",
    "applicant": "申请人",
    "payer": "缴款人",
    "due_date": "缴款期限",
    "paid_on": "缴款日期",
    "bank": "代收银行",
    "bank_txn_id": "银行交易流水号",
    "status": "状态",
    "item": "收费项目",
    "rate": "收费标准",
    "lawful_min": "收费标准下限",
    "lawful_amount": "最低法定金额（元）",
    "excess": "超出金额（元）",
    "basis": "依据",
    "cancelled_on": "取消日期",
    "completed_on": "办结日期",
    "department": "执收单位",
    "currency": "币种",
    "payment": "缴款记录",
}

FIELD_NAMES = {
    "case_no": "办件号",
    "window": "窗口",
    "department": "部门",
    "service_date": "办理日期",
    "applicant.name": "申请人",
    "applicant.id_type": "证件类型",
    "applicant.id_no": "证件号码",
    "payer.flags": "减免",
    "items": "收费项目",
    "date": "日期",
    "reason": "处理说明",
    "project_no": "项目编号",
    "params": "决算参数",
    "file": "文件",
    "account": "账号",
}

# Why pydantic refused a value, by its error type; {…} are filled from the error's context.
_INPUT_REASONS = {
    "missing": "必须填写",
    "string_too_short": "不能为空",
    "string_too_long": "不能超过 {max_length} 个字符",
    "too_short": "至少填写 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "date_parsing": "不是有效日期（格式 YYYY-MM-DD）",
    "date_from_datetime_parsing": "不是有效日期（格式 YYYY-MM-DD）",
    "date_type": "不是有效日期（格式 YYYY-MM-DD）",
    "literal_error": "不是可选的值",
    "enum": "不是可选的值",
    "decimal_parsing": "不是数字",
    "string_pattern_mismatch": "格式不正确",
    "int_parsing": "不是整数",
}

IDENTITY_REASONS = {
    "length": "{kind}应为 18 位，现为 {length} 位",
    "shape": "{kind}格式不正确",
    "digits": "{kind}前 17 位应为数字",
    "check": "{kind}校验位错误，请核对",
    "birth_date": "{kind}中的出生日期不是有效日期",
    "area": "{kind}前 6 位 {area} 不是行政区划代码",
    "id_type": "证件类型不是可选的值",
}
ID_TYPE_NAMES = {"uscc": "统一社会信用代码", "ric": "居民身份证号码"}

QUOTE_REFUSALS = {
    "unknown_item": "不是现行收费标准中的项目",
    "item_not_in_force": "在办理日期不在执行期内",
    "item_not_yet_effective": "在办理日期尚未执行",
    "item_cancelled": "已取消，不得收取",
    "missing_parameter": "须填写{parameter}（{unit}）",
    "bad_quantity": "数量不正确：须为不超过一亿的非负数，最多四位小数；按件收取的项目须为不小于 1 的整数",
    "unknown_flag": "减免标识不在收费标准中",
    "no_lines": "至少选择一个收费项目",
}


# What each piece of a ledger row's evidence is (凭证 column).
EVIDENCE_KINDS = {
    "project": "项目申报",
    "notice": "缴款通知书",
    "payment": "银行缴款流水",
    "statement_line": "对账单明细",
    "bill": "财政电子票据",
    "settlement": "决算",
    "refund": "退付单",
    "ledger_transaction": "分割记账凭证",
}

# The declared parameters fees are charged on, by the names the schedules use for them.
PARAMETER_NAMES = {
    "floor_area_m2": "建筑面积",
    "above_ground_area_m2": "地上建筑面积",
    "land_area_m2": "用地面积",
    "farmland_m2": "占用耕地面积",
    "forest_land_m2": "占用林地面积",
    "road_excavation_m2": "挖掘道路面积",
    "road_occupation_m2_days": "占用道路面积×天数",
    "land_price_yuan": "土地出让或划拨价款",
    "registered_capital_yuan": "注册资本",
}

# Refusals a page explains by their API code, where the English detail says more than a person needs.
REFUSALS = {
    "duplicate_case": "该办件号已登记，请查找该办件",
    "forbidden": "只能登记本部门的收费项目",
    "invalid_case": "登记信息有误，请按提示修改",
    "case_not_open": "办件已办结或已撤回，不能再开具缴款通知书",
    "notice_exists": "该办件已有有效的缴款通知书",
    "already_settled": "该项目已决算",
    "not_paid": "一表制缴款通知书尚未缴款，缴款后再决算",
    "unknown_project": "没有这个项目编号",
    "schedule_changed": "收费标准在开具一表制通知书后有变更，请联系管理员核对",
    "not_found": "未找到要查看的内容",
    "unknown_case": "没有这个办件",
    "unknown_bill": "没有这张票据",
    "unknown_payment": "没有这笔缴款",
    "unknown_payment_code": "没有这个缴款码的缴款通知书",
    "unknown_account": "该账号未登记",
    "account_exists": "该账号已登记",
    "already_resolved": "该对账异常已处理",
    "reason_required": "请填写处理说明",
    "notice_not_voidable": "只有未缴款的缴款通知书可以作废",
    "bill_not_reversible": "该票据不能冲红",
    "nothing_due": "减免后无应缴金额，无需开具缴款通知书",
    "no_reconciliation": "该日尚未对账",
    "invalid_date": "日期不正确",
    "account_not_named": "对账单未载明账号，请在上传时填写账号",
    "statement_too_large": "文件过大",
    "line_already_matched": "该笔到账已对应缴款通知书",
    "notice_not_payable": "该缴款通知书不是待缴款状态",
    "amount_mismatch": "金额与缴款通知书不符",
    "not_matchable": "只有财政专户的人民币入账可以人工匹配",
    "already_proposed": "已有待审核的相同提议",
    "same_person": "提议人不能审核自己的提议，须由另一位财务人员审核",
    "already_decided": "该提议已审核，不能再次审核",
    "unknown_proposal": "没有这个提议",
    "refund_not_proposed": "该退付单不在待审核状态",
}


def parameter_name(code: str) -> str:
    return PARAMETER_NAMES.get(code, code)


def status_name(code: str) -> str:
    return STATUS_NAMES.get(code, code)


def exception_class_name(code: str) -> str:
    return EXCEPTION_CLASS_NAMES.get(code, code)


def field_name(field: str) -> str:
    """``items[2]`` is the third item the form lists."""
    if field.startswith("items[") and field.endswith("]") and field[6:-1].isdigit():
        return f"第 {int(field[6:-1]) + 1} 个收费项目"
    return FIELD_NAMES.get(field, field)


def input_problem(
    location: tuple[Any, ...], error_type: str, context: Mapping[str, Any] | None
) -> tuple[str, str]:
    """A pydantic error as (field, 字段：原因); the field is dotted, list positions in brackets."""
    field = ""
    for part in location:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    reason = _INPUT_REASONS.get(error_type, "不正确")
    try:
        reason = reason.format(**(context or {}))
    except (KeyError, IndexError):
        reason = _INPUT_REASONS.get(error_type, "不正确").split("{")[0].strip() or "不正确"
    return field, f"{field_name(field)}：{reason}"


def identity_problem(reason: str, id_type: str, compact: str) -> str:
    template = IDENTITY_REASONS.get(reason, "{kind}不正确")
    kind = ID_TYPE_NAMES.get(id_type, "证件号码")
    return template.format(kind=kind, length=len(compact), area=compact[:6])


def quote_refusal(code: str, **facts: str) -> str:
    try:
        return QUOTE_REFUSALS.get(code, "无法计费").format(**facts)
    except KeyError:
        return QUOTE_REFUSALS.get(code, "无法计费").split("{")[0] or "无法计费"


SYSTEM_ACTORS = {"system": "系统（自动处理）", "demo": "演示数据", "feecollect": "系统（自动处理）"}


def actor_display(actor: str | None, names: Mapping[str, str]) -> str:
    """Who acted, as people know them: a user's display name, a bank's name, the system; a command
    run on the server keeps the operator it named (``王芳（cli:root）`` reads ``王芳（命令行）``)."""
    if not actor:
        return ""
    if actor in names:
        return names[actor]
    if actor in SYSTEM_ACTORS:
        return SYSTEM_ACTORS[actor]
    if actor.endswith("）") and "（cli:" in actor:
        operator = actor.split("（cli:", 1)[0]
        return f"{names.get(operator, operator)}（命令行）"
    if actor.startswith("cli:"):
        return f"命令行 {actor[4:]}"
    if actor.startswith("bank:"):
        return f"代收银行 {actor[5:]}"
    return actor


def evidence_value(value: Any) -> str:
    """Evidence as read: nothing for an absent fact, never Python's ``None``, ``True`` or a list's repr."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(evidence_value(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{EVIDENCE_LABELS.get(k, k)} {evidence_value(v)}" for k, v in value.items())
    return str(value)


def local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    """``YYYY-MM-DD HH:MM`` in the centre's time zone; a naive moment is UTC, as stored."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def local_naive(moment: datetime, zone: ZoneInfo) -> datetime:
    """The moment as a workbook cell holds it: local wall time without a zone (xlsx has none)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).replace(tzinfo=None)


def day_text(day: date | str | None) -> str:
    """A date as people write it, also from the compact ``20261202`` some stored forms use."""
    if day is None:
        return ""
    text = day.isoformat() if isinstance(day, date) else str(day)
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text
