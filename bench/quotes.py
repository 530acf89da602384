"""Quotes per second for 100,000 mixed quotes, in-process on one core.

Prints the figure, the machine's core count, the issue's target (50,000 quotes/s on one core) and, in
the same run, a ceiling: bare Decimal rate × quantity rounded to the fen over the very same lines,
with no lookups, validation, reliefs or explanations. Only same-run ratios mean something here: this
host's speed drifts up to 2× between runs.

    python bench/quotes.py [--quotes N] [--seed S]
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from feecollect.billing.quote import LineRequest, Payer, QuoteRequest, quote
from feecollect.schedules.catalogue import Catalogue
from feecollect.schedules.loader import load_directory

TARGET_PER_SECOND = 50_000
SCHEDULES = Path(__file__).resolve().parent.parent / "fee_schedules"


def mixed_requests(catalogue: Catalogue, count: int, seed: int) -> list[QuoteRequest]:
    rng = random.Random(seed)
    on = date(2026, 11, 22)
    items = catalogue.in_force(on)
    flags = sorted(catalogue.relief_flags)
    requests = []
    for _ in range(count):
        lines = []
        for item in rng.sample(items, rng.randint(1, 4)):
            if item.pricing == "fixed":
                quantity = Decimal(rng.randint(1, 3))
            else:
                quantity = Decimal(rng.randint(1, 5_000_000)) / 100
            lines.append(LineRequest(item.code, quantity))
        chosen = frozenset(rng.sample(flags, 1)) if rng.random() < 0.2 else frozenset()
        requests.append(QuoteRequest(on, Payer(rng.choice(("enterprise", "person")), chosen), tuple(lines)))
    return requests


def bare_arithmetic(catalogue: Catalogue, requests: list[QuoteRequest]) -> float:
    pairs = []
    for request in requests:
        for line in request.lines:
            item = catalogue.resolve(line.item, request.service_date)
            rate = item.rate.min if item.rate else item.tiers[0].rate.min
            pairs.append((rate, line.quantity))
    cent, one = Decimal(100), Decimal(1)
    started = time.perf_counter()
    total = 0
    for rate, quantity in pairs:
        total += int((rate * quantity * cent).quantize(one, rounding=ROUND_HALF_UP))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()

    catalogue = Catalogue(load_directory(SCHEDULES))
    requests = mixed_requests(catalogue, args.quotes, args.seed)
    line_count = sum(len(r.lines) for r in requests)

    for request in requests[:1000]:  # warm caches and the Decimal context
        quote(catalogue, request)
    started = time.perf_counter()
    total_fen = 0
    for request in requests:
        total_fen += quote(catalogue, request).total_fen
    elapsed = time.perf_counter() - started
    ceiling = bare_arithmetic(catalogue, requests)

    rate = args.quotes / elapsed
    ceiling_rate = args.quotes / ceiling
    print(f"cores: {os.cpu_count()} (this benchmark uses one)")
    print(f"quotes: {args.quotes:,} with {line_count:,} lines, total {total_fen / 100:,.2f} yuan")
    print(f"quote engine: {elapsed:.3f} s, {rate:,.0f} quotes/s, {line_count / elapsed:,.0f} lines/s")
    print(
        f"ceiling (bare Decimal rate × quantity, same lines): {ceiling:.3f} s, {ceiling_rate:,.0f} quotes/s"
    )
    print(f"engine / ceiling: {rate / ceiling_rate:.2f}")
    verdict = "met" if rate >= TARGET_PER_SECOND else "NOT met"
    share = rate / TARGET_PER_SECOND
    print(f"target: {TARGET_PER_SECOND:,} quotes/s on one core: {verdict} ({share:.2f}× the target)")


if __name__ == "__main__":
    main()
