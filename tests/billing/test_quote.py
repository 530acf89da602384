from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from feecollect.billing.quote import LineRequest, Payer, QuoteRefused, QuoteRequest, highest_lawful_fen, quote
from feecollect.schedules.catalogue import Catalogue
from feecollect.schedules.types import Cancellation, RateRange, Relief, Tier
from tests.billing.factories import item

ON = date(2024, 6, 1)


def priced(*items, lines, payer=None, on=ON):
    payer = payer or Payer()
    return quote(Catalogue(items), QuoteRequest(on, payer, tuple(LineRequest(c, q) for c, q in lines)))


def refusal(*items, lines, payer=None, on=ON) -> QuoteRefused:
    with pytest.raises(QuoteRefused) as raised:
        priced(*items, lines=lines, payer=payer, on=on)
    return raised.value


def test_per_unit_charges_the_lowest_rate_never_the_highest():
    result = priced(item(), lines=[("T-001", Decimal("35400"))])
    (line,) = result.lines
    assert line.rate == Decimal("1.20")
    assert line.amount_fen == 4_248_000  # 1.20 × 35,400 = 42,480.00 yuan
    assert highest_lawful_fen(line.item, Decimal("35400")) == 7_080_000


def test_fixed_items_are_charged_per_piece():
    fee = item(
        code="F-1", pricing="fixed", unit="件", parameter=None, rate=RateRange(Decimal(80), Decimal(80))
    )
    assert priced(fee, lines=[("F-1", Decimal(3))]).total_fen == 24_000
    assert priced(fee, lines=[("F-1", None)]).total_fen == 8_000, (
        "no quantity on a per-piece item is one piece"
    )
    assert refusal(item(), lines=[("T-001", None)]).code == "missing_parameter", (
        "but a per-unit item needs one"
    )


def test_quantity_factor_charges_a_share_of_the_parameter():
    shelter = item(code="RF", rate=RateRange(Decimal(512), Decimal(512)), quantity_factor=Decimal("0.04"))
    (line,) = priced(shelter, lines=[("RF", Decimal("2500.5"))]).lines
    assert line.amount_fen == to_fen_text("51210.24")  # 512 × 2500.5 × 4% = 51,210.24
    assert "× (2500.5 × 0.04)" in line.explain()


def to_fen_text(yuan: str) -> int:
    return int(Decimal(yuan) * 100)


def test_tiered_brackets_are_progressive():
    registration = item(
        code="TR",
        pricing="tiered",
        rate=None,
        tiers=(
            Tier(Decimal(10_000_000), RateRange(Decimal("0.0008"), Decimal("0.0008"))),
            Tier(Decimal(100_000_000), RateRange(Decimal("0.0004"), Decimal("0.0004"))),
            Tier(None, RateRange(Decimal(0), Decimal(0))),
        ),
    )
    amounts = [
        priced(registration, lines=[("TR", Decimal(q))]).total_fen
        for q in (5_000_000, 25_000_000, 500_000_000)
    ]
    assert amounts == [400_000, 1_400_000, 4_400_000]  # 4,000; 8,000 + 6,000; 8,000 + 36,000 + 0


def test_percent_and_permille_of_a_base_amount():
    idle = item(code="P", pricing="percent", scale="percent", rate=RateRange(Decimal(20), Decimal(20)))
    mille = item(code="M", pricing="percent", scale="permille", rate=RateRange(Decimal("0.5"), Decimal(1)))
    result = priced(idle, mille, lines=[("P", Decimal("1234567.89")), ("M", Decimal("1000000"))])
    assert [line.amount_fen for line in result.lines] == [24_691_358, 50_000]  # 246,913.578 → .58; 500.00


def test_floor_and_cap_clamp_before_relief():
    lightning = item(
        code="L", floor=Decimal(300), cap=Decimal(5000), rate=RateRange(Decimal("0.3"), Decimal("0.5"))
    )
    small, big = priced(lightning, lines=[("L", Decimal(100)), ("L", Decimal(1_000_000))]).lines
    assert (small.amount_fen, small.clamped_to) == (30_000, "floor")
    assert (big.amount_fen, big.clamped_to) == (500_000, "cap")


def test_half_up_rounding_per_line_and_total_is_the_sum_of_rounded_lines():
    fee = item(rate=RateRange(Decimal("0.005"), Decimal("0.01")))
    result = priced(fee, lines=[("T-001", Decimal(1)), ("T-001", Decimal(1)), ("T-001", Decimal(3))])
    assert [line.amount_fen for line in result.lines] == [1, 1, 2]  # 0.005 → 0.01; 0.015 → 0.02
    assert result.total_fen == 4  # not round(0.025) = 3


def test_best_declared_relief_applies_and_reliefs_do_not_stack():
    fee = item(
        reliefs=(
            Relief("affordable_housing", Decimal(100), "国发〔2007〕24号"),
            Relief("public_welfare_project", Decimal(50), "财综〔2014〕8号"),
            Relief("small_micro_enterprise", Decimal(100), "财税〔2016〕79号", payer_kind="enterprise"),
        )
    )
    half = Payer(flags=frozenset({"public_welfare_project"}))
    (line,) = priced(fee, lines=[("T-001", Decimal(1000))], payer=half).lines
    assert line.amount_fen == 60_000 and line.relief and line.relief.reduction == Decimal(600)
    both = Payer(flags=frozenset({"public_welfare_project", "affordable_housing"}))
    assert priced(fee, lines=[("T-001", Decimal(1000))], payer=both).total_fen == 0
    person = Payer(kind="person", flags=frozenset({"small_micro_enterprise"}))
    assert priced(fee, lines=[("T-001", Decimal(1000))], payer=person).total_fen == 120_000


def test_the_period_in_force_on_the_service_date_is_used():
    old = item(effective_to=date(2022, 1, 1), rate=RateRange(Decimal(1), Decimal(2)), version=1)
    new = item(effective_from=date(2022, 1, 1), rate=RateRange(Decimal(3), Decimal(4)), version=2)
    for on, rate in ((date(2021, 12, 31), 1), (date(2022, 1, 1), 3)):
        (line,) = priced(old, new, lines=[("T-001", Decimal(1))], on=on).lines
        assert (line.rate, line.item.version) == (Decimal(rate), 2 if rate == 3 else 1)


def test_cancelled_item_is_refused_with_its_basis_from_the_cancellation_date_on():
    fund = item(
        effective_from=date(2008, 1, 1), cancellation=Cancellation(date(2017, 4, 1), "财税〔2017〕18号")
    )
    assert priced(fund, lines=[("T-001", Decimal(1))], on=date(2017, 3, 31)).total_fen == 120
    error = refusal(fund, lines=[("T-001", Decimal(1))], on=date(2017, 4, 1))
    assert error.code == "item_cancelled" and error.status_code == 422
    assert error.detail.startswith("line 1 (T-001):") and "财税〔2017〕18号" in error.detail


@pytest.mark.parametrize(
    ("quantity", "on", "code", "fragment"),
    [
        (Decimal(-1), ON, "bad_quantity", "negative"),
        (Decimal("NaN"), ON, "bad_quantity", "not a number"),
        (Decimal("Infinity"), ON, "bad_quantity", "not a number"),
        (Decimal("1e13"), ON, "bad_quantity", "larger than"),
        (Decimal("0.0000001"), ON, "bad_quantity", "decimal places"),
        (None, ON, "missing_parameter", "floor_area_m2 (平方米) is required"),
        (Decimal(1), date(2019, 12, 31), "item_not_yet_effective", "takes effect on 2020-01-01"),
    ],
)
def test_bad_lines_are_refused_naming_line_and_reason(quantity, on, code, fragment):
    error = refusal(
        item(),
        item(code="OK-1", effective_from=date(2000, 1, 1)),
        lines=[("OK-1", Decimal(1)), ("T-001", quantity)],
        on=on,
    )
    (line_error,) = error.errors
    assert (line_error.number, line_error.code) == (2, code)
    assert fragment in error.detail and error.detail.startswith("line 2 (T-001)")


def test_expired_unknown_fixed_fraction_and_unknown_flag_are_all_reported_together():
    expired = item(code="E", effective_to=date(2021, 1, 1))
    fixed = item(code="F", pricing="fixed", unit="件")
    payer = Payer(flags=frozenset({"small_micro_enterprse"}))
    error = refusal(
        expired, fixed, lines=[("E", Decimal(1)), ("NOPE", Decimal(1)), ("F", Decimal("1.5"))], payer=payer
    )
    assert [(e.number, e.code) for e in error.errors] == [
        (0, "unknown_flag"),
        (1, "item_not_in_force"),
        (2, "unknown_item"),
        (3, "bad_quantity"),
    ]


def test_a_quote_needs_lines():
    assert refusal(item(), lines=[]).code == "no_lines"
