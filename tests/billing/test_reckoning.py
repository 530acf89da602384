"""SPEC §13 round 2: a printed line reckons. round(quantity × factor × rate) − relief = amount, to the
fen, for every shipped item with every relief it grants, so a person can redo each sum on paper; a line
held at its floor or cap, or priced by brackets, prints as one lump with its reckoning in 备注."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from feecollect.billing.quote import LineRequest, Payer, QuoteRequest, quote
from feecollect.money import format_rate, to_fen
from feecollect.notices.charges import Charge
from feecollect.schedules.catalogue import Catalogue
from feecollect.schedules.loader import load_directory
from tests.conftest import SHIPPED_SCHEDULES

# Every shipped item, cancelled ones too (quoted on a day they were in force): bills of those days
# are still printed and verified.
SHIPPED = list(load_directory(SHIPPED_SCHEDULES))
CATALOGUE = Catalogue(SHIPPED)


@st.composite
def priced_lines(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    item = draw(st.sampled_from(SHIPPED))
    if item.pricing == "fixed":
        quantity = Decimal(draw(st.integers(1, 500)))
    else:
        quantity = draw(st.decimals(min_value="0.01", max_value="500000000", places=2, allow_nan=False))
    relief = draw(st.sampled_from([None, *item.reliefs]))
    kind = relief.payer_kind if relief is not None and relief.payer_kind else "enterprise"
    flags = frozenset({relief.flag} if relief is not None else ())
    request = QuoteRequest(
        item.effective_from, Payer(kind=kind, flags=flags), (LineRequest(item.code, quantity),)
    )
    (line,) = quote(CATALOGUE, request).lines
    return item, line


@settings(max_examples=500, deadline=None)
@given(priced_lines())
def test_every_line_of_the_shipped_schedules_reckons(priced):
    _, line = priced
    charge = Charge.of_quoted(line)
    assert charge.rate is not None, line.explain()
    gross = to_fen(Decimal(charge.quantity) * Decimal(charge.factor) * Decimal(charge.rate))
    assert gross - charge.relief_fen == charge.amount_fen, line.explain()
    assert charge.relief_fen >= 0
    assert (charge.relief_fen > 0) <= (line.relief is not None)
    # a line that does not reckon by quantity × rate says how it was reached
    assert bool(charge.note) == line.lump


def test_every_shipped_pricing_kind_and_relief_is_covered():
    assert {item.pricing for item in SHIPPED} == {"fixed", "per_unit", "percent", "tiered"}
    assert sum(len(item.reliefs) for item in SHIPPED) > 0
    assert any(item.quantity_factor != 1 for item in SHIPPED)  # 易地建设费: 4% of the area
    assert any(item.floor is not None for item in SHIPPED)  # 防雷装置检测费: 300.00 at least


def test_a_line_held_at_its_floor_prints_as_one_lump_and_says_why():
    item = next(i for i in SHIPPED if i.floor is not None and i.rate is not None)
    small = (item.floor / item.rate.min / 2).quantize(Decimal("0.01"))
    (line,) = quote(
        CATALOGUE, QuoteRequest(item.effective_from, Payer(), (LineRequest(item.code, small),))
    ).lines
    charge = Charge.of_quoted(line)
    assert (charge.quantity, charge.unit, charge.factor) == ("1", "项", "1")
    assert charge.rate == format_rate(item.floor) and charge.amount_fen == to_fen(item.floor)
    assert f"{small} {item.unit}" in charge.note and "最低收费" in charge.note


def test_a_top_up_charge_takes_off_what_was_collected_and_still_reckons():
    item = next(i for i in SHIPPED if i.pricing == "per_unit" and i.quantity_factor == 1 and not i.floor)
    (final,) = quote(
        CATALOGUE, QuoteRequest(item.effective_from, Payer(), (LineRequest(item.code, Decimal(12500)),))
    ).lines
    (declared,) = quote(
        CATALOGUE, QuoteRequest(item.effective_from, Payer(), (LineRequest(item.code, Decimal(12000)),))
    ).lines
    top_up = Charge.of_quoted(final).less_collected(declared.amount_fen)
    assert top_up.reckons() and top_up.quantity == "12500"
    assert top_up.amount_fen == final.amount_fen - declared.amount_fen
    assert "已预收" in (top_up.relief_name or "") and "决算补缴" in top_up.note


def test_a_relief_that_zeroes_a_line_says_what_it_took_off():
    item = next(
        i
        for i in SHIPPED
        if i.pricing != "tiered" and not i.floor and any(r.percent == 100 for r in i.reliefs)
    )
    relief = next(r for r in item.reliefs if r.percent == 100)
    quantity = Decimal(1) if item.pricing == "fixed" else Decimal(100)
    kind = relief.payer_kind or "enterprise"
    (line,) = quote(
        CATALOGUE,
        QuoteRequest(
            item.effective_from,
            Payer(kind=kind, flags=frozenset({relief.flag})),
            (LineRequest(item.code, quantity),),
        ),
    ).lines
    assert line.amount_fen == 0 and line.relief_fen == to_fen(line.quantity * line.factor * line.rate) > 0
