"""Frozen types for fee items, shared by the loader, the catalogue and the quote engine."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

PricingKind = Literal["fixed", "per_unit", "tiered", "percent"]
PRICING_KINDS: tuple[PricingKind, ...] = ("fixed", "per_unit", "tiered", "percent")
PayerKind = Literal["enterprise", "person"]
PAYER_KINDS: tuple[PayerKind, ...] = ("enterprise", "person")
Scale = Literal["percent", "permille"]
SCALE_DIVISORS: dict[str, Decimal] = {"percent": Decimal(100), "permille": Decimal(1000)}


@dataclass(frozen=True, slots=True)
class RateRange:
    """A lawful range; the service only ever charges ``min`` (收费标准下限)."""

    min: Decimal
    max: Decimal


@dataclass(frozen=True, slots=True)
class Tier:
    """A progressive bracket: the part of the quantity up to ``up_to`` (None: no upper end)."""

    up_to: Decimal | None
    rate: RateRange


@dataclass(frozen=True, slots=True)
class Relief:
    flag: str
    percent: Decimal
    basis: str
    payer_kind: PayerKind | None = None
    name: str = ""  # what payers read, e.g. 小微企业免征


@dataclass(frozen=True, slots=True)
class Cancellation:
    on: date
    basis: str


@dataclass(frozen=True, slots=True)
class Department:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class FeeItem:
    """One period of one fee item as the schedule files state it; ``version`` is assigned on load."""

    code: str
    name: str
    family: str
    department: Department
    revenue_account: str
    basis: str
    enterprise_related: bool
    pricing: PricingKind
    unit: str
    effective_from: date
    parameter: str | None = None
    rate: RateRange | None = None
    tiers: tuple[Tier, ...] = ()
    scale: Scale | None = None
    quantity_factor: Decimal = Decimal(1)
    floor: Decimal | None = None
    cap: Decimal | None = None
    effective_to: date | None = None
    cancellation: Cancellation | None = None
    reliefs: tuple[Relief, ...] = ()
    project_types: tuple[str, ...] = ()
    version: int = 0
    source: str = field(default="", compare=False)

    @property
    def period_label(self) -> str:
        return (
            f"{self.effective_from.isoformat()}..{self.effective_to.isoformat() if self.effective_to else ''}"
        )

    def covers(self, on: date) -> bool:
        """Whether ``on`` falls in this entry's effective period (cancellation not considered)."""
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    def cancelled_by(self, on: date) -> bool:
        return self.cancellation is not None and on >= self.cancellation.on

    def definition(self) -> dict[str, Any]:
        """The canonical, JSON-safe content of the item: what a version is made of."""

        def dec(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        def rng(value: RateRange | None) -> dict[str, str] | None:
            return None if value is None else {"min": str(value.min), "max": str(value.max)}

        return {
            "code": self.code,
            "name": self.name,
            "family": self.family,
            "department": {"code": self.department.code, "name": self.department.name},
            "revenue_account": self.revenue_account,
            "basis": self.basis,
            "enterprise_related": self.enterprise_related,
            "pricing": self.pricing,
            "unit": self.unit,
            "parameter": self.parameter,
            "rate": rng(self.rate),
            "tiers": [{"up_to": dec(t.up_to), "rate": rng(t.rate)} for t in self.tiers],
            "scale": self.scale,
            "quantity_factor": str(self.quantity_factor),
            "floor": dec(self.floor),
            "cap": dec(self.cap),
            "effective_from": self.effective_from.isoformat(),
            "effective_to": self.effective_to.isoformat() if self.effective_to else None,
            "cancellation": None
            if self.cancellation is None
            else {"on": self.cancellation.on.isoformat(), "basis": self.cancellation.basis},
            "reliefs": [
                {
                    "flag": r.flag,
                    "name": r.name,
                    "percent": str(r.percent),
                    "basis": r.basis,
                    "payer_kind": r.payer_kind,
                }
                for r in self.reliefs
            ],
            "project_types": list(self.project_types),
        }

    def content_hash(self) -> str:
        canonical = json.dumps(self.definition(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    @classmethod
    def from_definition(cls, data: dict[str, Any], *, version: int, source: str = "") -> FeeItem:
        def dec(value: str | None) -> Decimal | None:
            return None if value is None else Decimal(value)

        def rng(value: dict[str, str] | None) -> RateRange | None:
            return None if value is None else RateRange(Decimal(value["min"]), Decimal(value["max"]))

        cancellation = data["cancellation"]
        return cls(
            code=data["code"],
            name=data["name"],
            family=data["family"],
            department=Department(**data["department"]),
            revenue_account=data["revenue_account"],
            basis=data["basis"],
            enterprise_related=data["enterprise_related"],
            pricing=data["pricing"],
            unit=data["unit"],
            parameter=data["parameter"],
            rate=rng(data["rate"]),
            tiers=tuple(Tier(dec(t["up_to"]), rng(t["rate"])) for t in data["tiers"]),  # type: ignore[arg-type]
            scale=data["scale"],
            quantity_factor=Decimal(data["quantity_factor"]),
            floor=dec(data["floor"]),
            cap=dec(data["cap"]),
            effective_from=date.fromisoformat(data["effective_from"]),
            effective_to=date.fromisoformat(data["effective_to"]) if data["effective_to"] else None,
            cancellation=None
            if cancellation is None
            else Cancellation(date.fromisoformat(cancellation["on"]), cancellation["basis"]),
            reliefs=tuple(
                Relief(r["flag"], Decimal(r["percent"]), r["basis"], r["payer_kind"], r["name"])
                for r in data["reliefs"]
            ),
            project_types=tuple(data["project_types"]),
            version=version,
            source=source,
        )
