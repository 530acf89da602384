"""The quote engine: what a case must pay, at the lowest lawful rate (收费标准下限), and why.

Pure functions over frozen types; no database. For each line: the lowest rate of the item version in
force on the service date × quantity (per pricing kind), clamped to floor/cap, then the payer's best
applicable relief, rounded half-up to the fen. The total is the sum of the rounded lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from feecollect.errors import Unprocessable
from feecollect.money import format_rate, format_yuan, to_fen
from feecollect.schedules.catalogue import Catalogue, Unavailable
from feecollect.schedules.types import SCALE_DIVISORS, FeeItem, PayerKind, RateRange, Relief

MAX_QUANTITY = Decimal(10) ** 12
MAX_QUANTITY_PLACES = 6
LUMP_UNIT = "项"
_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class LineRequest:
    item: str
    quantity: Decimal | None


@dataclass(frozen=True, slots=True)
class Payer:
    kind: PayerKind = "enterprise"
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    service_date: date
    payer: Payer
    lines: tuple[LineRequest, ...]


@dataclass(frozen=True, slots=True)
class AppliedRelief:
    relief: Relief
    reduction: Decimal  # exact yuan taken off the clamped amount, before rounding


@dataclass(frozen=True, slots=True)
class TierPart:
    lower: Decimal
    upper: Decimal | None
    quantity: Decimal
    rate: Decimal


@dataclass(frozen=True, slots=True)
class QuotedLine:
    number: int
    item: FeeItem
    quantity: Decimal
    rate: Decimal | None  # None for tiered items: see ``tier_parts``
    tier_parts: tuple[TierPart, ...]
    computed: Decimal  # exact yuan at the lowest rate, before floor/cap
    clamped_to: str | None  # "floor" or "cap" when the line was clamped
    relief: AppliedRelief | None
    amount_fen: int

    @property
    def billable_quantity(self) -> Decimal:
        return self.quantity * self.item.quantity_factor

    @property
    def lump(self) -> bool:
        """A line clamped to its floor or cap, or priced by brackets, has no quantity × rate that gives
        it: it is printed as one lump (1 项 at its amount before relief), with the declared quantity
        and the reckoning in its note."""
        return self.clamped_to is not None or self.item.pricing == "tiered"

    @property
    def printed_quantity(self) -> Decimal:
        return _ONE if self.lump else self.quantity

    @property
    def printed_unit(self) -> str:
        return LUMP_UNIT if self.lump else self.item.unit

    @property
    def printed_rate(self) -> Decimal | None:
        if self.lump:
            return Decimal(to_fen(self.gross)) / _HUNDRED
        return self.rate

    @property
    def factor(self) -> Decimal:
        """The share of the quantity charged, as printed: a per-unit item's quantity_factor, a percent
        item's 1/100 (1/1000 per mille), so that round(printed quantity × factor × printed rate) is the
        line before relief (1 on a lump)."""
        if self.lump:
            return _ONE
        if self.item.pricing == "percent":
            assert self.item.scale is not None
            return _ONE / SCALE_DIVISORS[self.item.scale]
        return self.item.quantity_factor

    @property
    def gross(self) -> Decimal:
        """The exact line before relief: the computed amount held within floor and cap."""
        return _clamp(self.item, self.computed)[0]

    @property
    def relief_fen(self) -> int:
        """What the relief took off, to the fen: the line before relief, rounded, less its amount; so
        round(printed quantity × factor × printed rate) − relief = amount on every line."""
        if self.relief is None:
            return 0
        return to_fen(self.gross) - self.amount_fen

    def note(self) -> str:
        """How a lump was reached, for the printed line's 备注; empty on a line that reckons by itself."""
        item = self.item
        if item.pricing == "tiered":
            parts = " + ".join(f"{p.quantity} × {format_rate(p.rate)}" for p in self.tier_parts) or "0"
            return f"分档累进：{self.quantity} {item.unit}，{parts} = {format_yuan(to_fen(self.computed))} 元"
        if self.clamped_to is None:
            return ""
        bound = "最低" if self.clamped_to == "floor" else "最高"
        reckoned = f"{self.quantity} {item.unit} × {self.factor_text()}{format_rate(self.rate or _ZERO)}"
        return (
            f"按{bound}收费 {format_yuan(to_fen(self.gross))} 元计收"
            f"（{reckoned} = {format_yuan(to_fen(self.computed))} 元）"
        )

    def factor_text(self) -> str:
        if self.item.pricing == "percent":
            return "1/" + str(SCALE_DIVISORS[self.item.scale or "percent"]) + " × "
        if self.item.quantity_factor != 1:
            return f"{format(self.item.quantity_factor.normalize(), 'f')} × "
        return ""

    def explain(self) -> str:
        """How the line was reckoned, in the Chinese a clerk reads beside it."""
        item = self.item
        if item.pricing == "tiered":
            how = " + ".join(f"{format_rate(p.rate)}×{p.quantity}" for p in self.tier_parts) or "0"
        elif item.pricing == "percent":
            mark = "%" if item.scale == "percent" else "‰"
            how = f"{self.quantity} × {format_rate(self.rate or _ZERO)}{mark}"
        elif item.quantity_factor != 1:
            how = f"{format_rate(self.rate or _ZERO)} × ({self.quantity} × {item.quantity_factor})"
        else:
            how = f"{format_rate(self.rate or _ZERO)} × {self.quantity}"
        text = f"{how} = {self.computed}"
        if self.clamped_to:
            bound = f"最低收费 {item.floor}" if self.clamped_to == "floor" else f"最高收费 {item.cap}"
            text += f"，按{bound}"
        if self.relief:
            relief = self.relief.relief
            text += f"，{relief.name or relief.flag}减 {format(relief.percent.normalize(), 'f')}%"
        return f"{text} → {format_yuan(self.amount_fen)} 元（{item.basis}）"


@dataclass(frozen=True, slots=True)
class Quote:
    service_date: date
    payer: Payer
    lines: tuple[QuotedLine, ...]

    @property
    def total_fen(self) -> int:
        return sum(line.amount_fen for line in self.lines)


@dataclass(frozen=True, slots=True)
class LineError:
    number: int  # 0 for the request as a whole (payer flags, no lines)
    item: str | None
    code: str
    detail: str

    def __str__(self) -> str:
        where = f"line {self.number}" + (f" ({self.item})" if self.item else "") if self.number else "request"
        return f"{where}: {self.detail}"


class QuoteRefused(Unprocessable):
    """One or more lines cannot be priced; nothing is quoted. ``code`` is the first error's."""

    def __init__(self, errors: list[LineError]):
        self.errors = tuple(errors)
        super().__init__(
            "; ".join(str(e) for e in errors),
            code=errors[0].code,
            extra={
                "lines": [
                    {"line": e.number, "item": e.item, "error": e.code, "detail": e.detail} for e in errors
                ]
            },
        )


def quote(catalogue: Catalogue, request: QuoteRequest) -> Quote:
    errors: list[LineError] = []
    if not request.lines:
        errors.append(LineError(0, None, "no_lines", "a quote needs at least one line"))
    unknown_flags = sorted(request.payer.flags - catalogue.relief_flags)
    if unknown_flags:
        known = ", ".join(sorted(catalogue.relief_flags))
        errors.append(
            LineError(
                0,
                None,
                "unknown_flag",
                f"payer flag(s) {', '.join(unknown_flags)} match no relief (known: {known})",
            )
        )
    lines = []
    for number, line in enumerate(request.lines, start=1):
        priced = _price_line(catalogue, request, number, line)
        if isinstance(priced, LineError):
            errors.append(priced)
        else:
            lines.append(priced)
    if errors:
        raise QuoteRefused(errors)
    return Quote(request.service_date, request.payer, tuple(lines))


def _price_line(
    catalogue: Catalogue, request: QuoteRequest, number: int, line: LineRequest
) -> QuotedLine | LineError:
    resolved = catalogue.resolve(line.item, request.service_date)
    if isinstance(resolved, Unavailable):
        return LineError(number, line.item, resolved.code, resolved.detail)
    item = resolved
    # A per-piece item with no quantity is one piece; every other kind must state its parameter.
    quantity = _ONE if line.quantity is None and item.pricing == "fixed" else line.quantity
    problem = quantity_problem(item, quantity)
    if problem is not None:
        code, detail = problem
        return LineError(number, line.item, code, detail)
    assert quantity is not None
    computed, rate, parts = _computed(item, quantity, _lowest)
    clamped, clamped_to = _clamp(item, computed)
    relief = best_relief(item, request.payer)
    applied = None
    net = clamped
    if relief is not None:
        reduction = clamped * relief.percent / _HUNDRED
        net = clamped - reduction
        applied = AppliedRelief(relief, reduction)
    return QuotedLine(number, item, quantity, rate, parts, computed, clamped_to, applied, to_fen(net))


def quantity_problem(item: FeeItem, quantity: Decimal | None) -> tuple[str, str] | None:
    what = item.parameter or "quantity"
    if quantity is None:
        return "missing_parameter", f"{what} ({item.unit}) is required for {item.code} {item.name}"
    if not quantity.is_finite():
        return "bad_quantity", f"{what} {quantity} is not a number"
    if quantity < 0:
        return "bad_quantity", f"{what} {quantity} is negative"
    if quantity > MAX_QUANTITY:
        return "bad_quantity", f"{what} {quantity} is larger than {MAX_QUANTITY:,}"
    if -quantity.as_tuple().exponent > MAX_QUANTITY_PLACES:  # type: ignore[operator]
        return "bad_quantity", f"{what} {quantity} has more than {MAX_QUANTITY_PLACES} decimal places"
    if item.pricing == "fixed" and (quantity != quantity.to_integral_value() or quantity < 1):
        return "bad_quantity", f"{item.code} is charged per {item.unit}: quantity must be a whole number ≥ 1"
    return None


def _lowest(rate: RateRange) -> Decimal:
    return rate.min


def _highest(rate: RateRange) -> Decimal:
    return rate.max


def _computed(
    item: FeeItem, quantity: Decimal, pick: Callable[[RateRange], Decimal]
) -> tuple[Decimal, Decimal | None, tuple[TierPart, ...]]:
    if item.pricing == "tiered":
        parts = []
        lower = _ZERO
        for tier in item.tiers:
            if quantity <= lower:
                break
            upper = tier.up_to
            portion = (min(quantity, upper) if upper is not None else quantity) - lower
            parts.append(TierPart(lower, upper, portion, pick(tier.rate)))
            if upper is None:
                break
            lower = upper
        return sum((p.quantity * p.rate for p in parts), _ZERO), None, tuple(parts)
    assert item.rate is not None
    rate = pick(item.rate)
    if item.pricing == "percent":
        assert item.scale is not None
        return quantity * rate / SCALE_DIVISORS[item.scale], rate, ()
    return quantity * item.quantity_factor * rate, rate, ()


def _clamp(item: FeeItem, amount: Decimal) -> tuple[Decimal, str | None]:
    if item.floor is not None and amount < item.floor:
        return item.floor, "floor"
    if item.cap is not None and amount > item.cap:
        return item.cap, "cap"
    return amount, None


def best_relief(item: FeeItem, payer: Payer) -> Relief | None:
    """The most favourable relief the payer declared and qualifies for; reliefs do not stack."""
    best = None
    for relief in item.reliefs:
        qualifies = relief.flag in payer.flags and relief.payer_kind in (None, payer.kind)
        if qualifies and (best is None or relief.percent > best.percent):
            best = relief
    return best


def highest_lawful_fen(item: FeeItem, quantity: Decimal) -> int:
    """The most any lawful rate could charge for this line, with no relief: the over-standard ceiling."""
    computed, _, _ = _computed(item, quantity, _highest)
    return to_fen(_clamp(item, computed)[0])
