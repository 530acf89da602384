"""SPEC §13 round 2: a printed line reckons. round(quantity × factor × rate) − relief = amount, to the
fen, for every shipped item with every relief it grants, so a person can redo each sum on paper."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from feecollect.billing.quote import LineRequest, Payer, QuoteRequest, quote
from feecollect.money import to_fen
from feecollect.schedules.catalogue import Catalogue
from feecollect.schedules.loader import load_directory
from tests.conftest import SHIPPED_SCHEDULES

SHIPPED = [item for item in load_directory(SHIPPED_SCHEDULES) if item.cancellation is None]
CATALOGUE = Catalogue(SHIPPED)
# Tiered items have no single rate to print; they are reckoned by their brackets instead.
SINGLE_RATE = [item for item in SHIPPED if item.pricing != "tiered"]


@st.composite
def priced_lines(draw: st.DrawFn):  # type: ignore[no-untyped-def]
    item = draw(st.sampled_from(SINGLE_RATE))
    if item.pricing == "fixed":
        quantity = Decimal(draw(st.integers(1, 500)))
    else:
        quantity = draw(st.decimals(min_value="0.01", max_value="500000", places=2, allow_nan=False))
    relief = draw(st.sampled_from([None, *item.reliefs]))
    kind = relief.payer_kind if relief is not None and relief.payer_kind else "enterprise"
    flags = frozenset({relief.flag} if relief is not None else ())
    request = QuoteRequest(
        item.effective_from, Payer(kind=kind, flags=flags), (LineRequest(item.code, quantity),)
    )
    (line,) = quote(CATALOGUE, request).lines
    return item, line


@settings(max_examples=400, deadline=None)
@given(priced_lines())
def test_every_single_rate_line_of_the_shipped_schedules_reckons(priced):
    _, line = priced
    clamped = line.clamped_to is not None
    if not clamped:
        assert line.rate is not None
        gross = to_fen(line.quantity * line.factor * line.rate)
        assert gross - line.relief_fen == line.amount_fen, line.explain()
    assert line.relief_fen >= 0
    assert (line.relief_fen > 0) <= (line.relief is not None)


def test_every_shipped_item_and_relief_is_covered():
    assert {item.pricing for item in SINGLE_RATE} == {"fixed", "per_unit", "percent"}
    assert sum(len(item.reliefs) for item in SINGLE_RATE) > 0
    assert any(item.quantity_factor != 1 for item in SINGLE_RATE)  # 易地建设费: 4% of the area


def test_a_relief_that_zeroes_a_line_says_what_it_took_off():
    item = next(i for i in SINGLE_RATE if any(r.percent == 100 for r in i.reliefs))
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
