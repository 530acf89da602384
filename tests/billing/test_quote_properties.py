"""Invariants of the quote engine, against a reference computed independently in exact fractions."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from feecollect.billing.quote import LineRequest, Payer, QuoteRequest, highest_lawful_fen, quote
from feecollect.schedules.catalogue import Catalogue
from feecollect.schedules.types import SCALE_DIVISORS, FeeItem, RateRange, Relief, Tier
from tests.billing.factories import item

ON = date(2024, 6, 1)
FLAGS = ("affordable_housing", "small_micro_enterprise", "public_welfare_project")

# Rates ending in a half fen and whole quantities make exact ties (x.xx5), where rounding rules differ.
half_fen_rates = st.integers(0, 10**6).map(lambda n: Decimal(n * 10 + 5) / 1000)
money = st.one_of(
    st.decimals(min_value=0, max_value=100_000, places=4, allow_nan=False, allow_infinity=False),
    half_fen_rates,
)
quantities = st.one_of(
    st.decimals(min_value=0, max_value=10_000_000, places=3, allow_nan=False, allow_infinity=False),
    st.integers(0, 100_000).map(Decimal),
)


@st.composite
def rate_ranges(draw: st.DrawFn) -> RateRange:
    low, high = sorted((draw(money), draw(money)))
    return RateRange(low, high)


@st.composite
def fee_items(draw: st.DrawFn, code: str) -> FeeItem:
    pricing = draw(st.sampled_from(["fixed", "per_unit", "tiered", "percent"]))
    changes: dict = {"code": code, "pricing": pricing, "rate": draw(rate_ranges())}
    if pricing == "tiered":
        bounds = sorted(set(draw(st.lists(st.integers(1, 5_000_000), max_size=3))))
        changes["rate"] = None
        brackets = [Tier(Decimal(b), draw(rate_ranges())) for b in bounds]
        changes["tiers"] = (*brackets, Tier(None, draw(rate_ranges())))
    if pricing == "percent":
        changes["scale"] = draw(st.sampled_from(["percent", "permille"]))
    if pricing == "per_unit":
        changes["quantity_factor"] = draw(st.sampled_from([Decimal(1), Decimal("0.04"), Decimal("2.5")]))
    bounds = sorted((draw(money), draw(money)))
    if draw(st.booleans()):
        changes["floor"] = bounds[0]
    if draw(st.booleans()):
        changes["cap"] = bounds[1]
    flags = draw(st.lists(st.sampled_from(FLAGS), unique=True, max_size=3))
    changes["reliefs"] = tuple(
        Relief(flag, draw(st.decimals(min_value="0.01", max_value=100, places=2)), "依据〔2020〕1号")
        for flag in flags
    )
    return item(**changes)


def reference_fen(fee: FeeItem, quantity: Decimal, flags: frozenset[str], *, highest: bool = False) -> int:
    """The rule of SPEC §4 written out directly, in fractions: rate × quantity, clamp, relief, half-up."""
    pick = (lambda r: Fraction(r.max)) if highest else (lambda r: Fraction(r.min))
    q = Fraction(quantity)
    if fee.pricing == "tiered":
        raw, lower = Fraction(0), Fraction(0)
        for tier in fee.tiers:
            upper = Fraction(tier.up_to) if tier.up_to is not None else q
            raw += pick(tier.rate) * max(Fraction(0), min(q, upper) - lower)
            lower = upper
    elif fee.pricing == "percent":
        raw = q * pick(fee.rate) / Fraction(SCALE_DIVISORS[fee.scale])
    else:
        raw = q * Fraction(fee.quantity_factor) * pick(fee.rate)
    if fee.floor is not None:
        raw = max(raw, Fraction(fee.floor))
    if fee.cap is not None:
        raw = min(raw, Fraction(fee.cap))
    if not highest:
        percents = [Fraction(r.percent) for r in fee.reliefs if r.flag in flags]
        if percents:
            raw = raw * (1 - max(percents) / 100)
    return math.floor(raw * 100 + Fraction(1, 2))


@st.composite
def cases(draw: st.DrawFn):
    fees = [draw(fee_items(f"P-{n}")) for n in range(draw(st.integers(1, 4)))]
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        fee = draw(st.sampled_from(fees))
        quantity = Decimal(draw(st.integers(1, 10_000))) if fee.pricing == "fixed" else draw(quantities)
        lines.append((fee, quantity))
    flags = frozenset(draw(st.lists(st.sampled_from(FLAGS), unique=True)))
    return fees, lines, flags


@settings(max_examples=300, deadline=None)
@given(cases())
def test_quote_invariants(case):
    fees, lines, flags = case
    catalogue = Catalogue(fees)
    known = flags & catalogue.relief_flags
    request = QuoteRequest(ON, Payer(flags=known), tuple(LineRequest(fee.code, q) for fee, q in lines))
    result = quote(catalogue, request)
    for (fee, quantity), line in zip(lines, result.lines, strict=True):
        assert line.amount_fen == reference_fen(fee, quantity, known), line.explain()
        assert 0 <= line.amount_fen <= highest_lawful_fen(fee, quantity)
        assert line.amount_fen <= reference_fen(fee, quantity, frozenset(), highest=True)
    assert result.total_fen == sum(line.amount_fen for line in result.lines)
