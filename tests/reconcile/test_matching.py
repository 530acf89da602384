"""The matching core on its own, without a database: properties over random days."""

from __future__ import annotations

from collections import Counter
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from feecollect.notices.payment_code import make_payment_code
from feecollect.payments.rules import STATEMENT_BANK
from feecollect.reconcile.matching import (
    EarlierCredit,
    Line,
    NoticeFacts,
    NoticeOrigin,
    department_credits,
    match_special_credits,
)

DAY = date(2026, 11, 21)
CODES = [make_payment_code("430321", 2026, n) for n in range(1, 9)]
ORIGINS = {n: NoticeOrigin("ZRZY", f"C-{n}") for n in range(1, 9)}


def notices_of(called_back: set[int], from_statement: set[int]) -> dict[str, NoticeFacts]:
    """Notice n is for n × 100 yuan; notice 8 is voided. A notice called back by the bank wins over
    one paid from an earlier statement (a notice has one payment)."""

    def paid_through(n: int) -> str | None:
        return "CCB" if n in called_back else STATEMENT_BANK if n in from_statement else None

    return {
        code: NoticeFacts(n, code, "voided" if n == 8 else "issued", 10_000 * n, paid_through(n))
        for n, code in enumerate(CODES, 1)
    }


line_facts = st.tuples(
    st.sampled_from(["special", "department"]),
    st.sampled_from([*CODES, None, "43032126000000000099"]),
    st.sampled_from([10_000, 20_000, 30_000, 12_345, -500]),
    st.sampled_from(["CNY", "CNY", "CNY", "USD"]),
)


def lines_of(facts) -> list[Line]:  # type: ignore[no-untyped-def]
    return [
        Line(i, "A", kind, None, DAY, None, amount, currency, "某人", "", "", code)
        for i, (kind, code, amount, currency) in enumerate(facts, 1)
    ]


@given(
    st.lists(line_facts, max_size=40),
    st.sets(st.integers(1, 8)),
    st.sets(st.integers(1, 8)),
    st.sets(st.integers(1, 8)),
)
def test_every_special_credit_is_classified_once_and_each_notice_paid_at_most_once(
    facts, called_back, from_statement, paid_before
):
    lines = lines_of(facts)
    notices = notices_of(called_back, from_statement)
    earlier = [EarlierCredit(1000 + n, CODES[n - 1], 10_000 * n) for n in paid_before]
    result = match_special_credits(lines, notices, earlier)
    findings = result.findings({n: ORIGINS[n] for n in result.notice_ids}, {})

    credits = [x for x in lines if x.account_kind == "special" and x.amount_fen > 0]
    by_line = Counter(int(f.key.rsplit(":", 1)[1]) for f in findings)
    classes = {int(f.key.rsplit(":", 1)[1]): f.exception_class for f in findings}
    assert set(by_line) <= {x.id for x in credits}, "debits and department lines are not this function's"
    matched_lines = [x for x in credits if classes.get(x.id) in (None, "paid_without_callback")]
    assert len(matched_lines) == result.matched
    assert all(by_line[x.id] == 1 for x in credits if x.id in classes)
    paid = Counter(x.payment_code for x in matched_lines)
    assert all(count == 1 for count in paid.values()), "a notice is paid at most once"
    assert not {CODES[n - 1] for n in paid_before} & set(paid), (
        "a notice an earlier line paid is not paid again"
    )
    for x in matched_lines:
        notice = notices[x.payment_code]
        assert x.amount_fen == notice.amount_fen and notice.status != "voided" and x.currency == "CNY"
    to_pay = {notice.id for _, notice in result.pay_from_statement}
    assert to_pay == {notices[x.payment_code].id for x in matched_lines} - called_back - from_statement
    for finding in findings:
        if "payment_code" in finding.evidence and finding.evidence["payment_code"] in notices:
            n = notices[finding.evidence["payment_code"]].id
            assert (finding.department, finding.evidence["case_no"]) == ORIGINS[n], (
                "a finding about a notice names the case it was issued for"
            )


@given(st.lists(line_facts, max_size=40))
def test_department_credits_are_the_credits_on_department_accounts(facts):
    lines = lines_of(facts)
    expected = [x for x in lines if x.account_kind == "department" and x.amount_fen > 0]
    assert department_credits(lines) == expected
