from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field

from feecollect.billing.quote import QuotedLine
from feecollect.money import format_rate, format_yuan
from feecollect.schedules.schemas import DepartmentOut, optional_rate
from feecollect.schedules.types import PayerKind


def _quantity_text(value: object) -> object:
    # JSON floats are refused: 0.1 as a binary float is not 0.1, and quantities price money.
    if isinstance(value, bool | float):
        raise ValueError(f'write the quantity as a decimal string, e.g. "{value}", not as a JSON float')
    if isinstance(value, int):
        return str(value)
    return value


QuantityIn = Annotated[str, BeforeValidator(_quantity_text), Field(examples=["1200.50", "3"])]


class PayerIn(BaseModel):
    kind: PayerKind = "enterprise"
    flags: list[str] = Field(default_factory=list, max_length=20)


class LineIn(BaseModel):
    item: str = Field(min_length=1, max_length=32)
    quantity: QuantityIn | None = None


class QuoteIn(BaseModel):
    service_date: date | None = Field(None, description="defaults to today in the centre's time zone")
    payer: PayerIn = Field(default_factory=PayerIn)
    lines: list[LineIn] = Field(max_length=200)


class AppliedReliefOut(BaseModel):
    flag: str
    name: str
    percent: str
    basis: str
    reduction: str


class TierPartOut(BaseModel):
    lower: str
    upper: str | None
    quantity: str
    rate: str


class QuoteLineOut(BaseModel):
    item: str
    version: int
    name: str
    department: DepartmentOut
    pricing: str
    unit: str
    rate: str | None
    min: str | None
    max: str | None
    quantity: str
    amount: str
    basis: str
    relief: AppliedReliefOut | None
    tiers: list[TierPartOut]
    explanation: str

    @classmethod
    def of(cls, line: QuotedLine) -> QuoteLineOut:
        item = line.item
        relief = None
        if line.relief is not None:
            rule = line.relief.relief
            relief = AppliedReliefOut(
                flag=rule.flag,
                name=rule.name,
                percent=str(rule.percent),
                basis=rule.basis,
                reduction=format_rate(line.relief.reduction),
            )
        return cls(
            item=item.code,
            version=item.version,
            name=item.name,
            department=DepartmentOut.of(item.department),
            pricing=item.pricing,
            unit=item.unit,
            rate=optional_rate(line.rate),
            min=optional_rate(item.rate.min if item.rate else None),
            max=optional_rate(item.rate.max if item.rate else None),
            quantity=format(line.quantity.normalize(), "f"),
            amount=format_yuan(line.amount_fen),
            basis=item.basis,
            relief=relief,
            tiers=[
                TierPartOut(
                    lower=str(p.lower),
                    upper=None if p.upper is None else str(p.upper),
                    quantity=str(p.quantity),
                    rate=format_rate(p.rate),
                )
                for p in line.tier_parts
            ],
            explanation=line.explain(),
        )


class QuoteOut(BaseModel):
    service_date: date
    lines: list[QuoteLineOut]
    total: str


def parse_quantity(value: str | None) -> Decimal | None:
    """Leave judging the number to the quote engine, which names the line; only parse here."""
    return None if value is None else quantity_of(value)


def quantity_of(value: str) -> Decimal:
    """The number a quantity's text gives; text that is no number gives NaN, which is refused later,
    by the rule that names the field."""
    try:
        return Decimal(value.strip())
    except ArithmeticError:
        return Decimal("NaN")
