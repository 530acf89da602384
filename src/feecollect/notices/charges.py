"""What one printed line charges, as a person redoes it on paper: round(quantity × factor × rate) −
relief = amount, to the fen (SPEC §13 round 2). Notices store it per line; bills print it, or the charge
a settlement put in its place (a top-up's difference, a replacement's final amount)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from feecollect.billing.quote import QuotedLine
from feecollect.money import format_rate, format_yuan, to_fen
from feecollect.notices.models import NoticeLine

PRECOLLECTED_FLAG = "precollected"


@dataclass(frozen=True, slots=True)
class Charge:
    quantity: str
    unit: str
    factor: str
    rate: str | None
    relief_fen: int
    relief_flag: str | None
    relief_name: str | None
    amount_fen: int
    note: str = ""

    @classmethod
    def of_quoted(cls, line: QuotedLine) -> Charge:
        rate = line.printed_rate
        return cls(
            quantity=format(line.printed_quantity, "f"),
            unit=line.printed_unit,
            factor=format(line.factor.normalize(), "f"),
            rate=None if rate is None else format_rate(rate),
            relief_fen=line.relief_fen,
            relief_flag=line.relief.relief.flag if line.relief else None,
            relief_name=line.relief.relief.name if line.relief else None,
            amount_fen=line.amount_fen,
            note=line.note(),
        )

    @classmethod
    def of_notice_line(cls, line: NoticeLine) -> Charge:
        return cls(
            quantity=line.quantity,
            unit=line.unit,
            factor=line.factor,
            rate=line.rate,
            relief_fen=line.relief_fen,
            relief_flag=line.relief_flag,
            relief_name=line.relief_name,
            amount_fen=line.amount_fen,
            note=line.note or "",
        )

    def less_collected(self, collected_fen: int) -> Charge:
        """A settlement's top-up of this final charge: the same reckoning, with what the bundle already
        collected taken off beside the relief, so the line still adds up to what it asks for."""
        taken = f"已预收 {format_yuan(collected_fen)} 元"
        return Charge(
            quantity=self.quantity,
            unit=self.unit,
            factor=self.factor,
            rate=self.rate,
            relief_fen=self.relief_fen + collected_fen,
            relief_flag=self.relief_flag or PRECOLLECTED_FLAG,
            relief_name=f"{self.relief_name}；{taken}" if self.relief_name else taken,
            amount_fen=self.amount_fen - collected_fen,
            note="；".join(
                part
                for part in (
                    f"决算补缴 = 应缴 {format_yuan(self.amount_fen)} 元 − {taken}",
                    self.note,
                )
                if part
            ),
        )

    def reckons(self) -> bool:
        if self.rate is None:
            return False
        gross = to_fen(Decimal(self.quantity) * Decimal(self.factor) * Decimal(self.rate))
        return gross - self.relief_fen == self.amount_fen
