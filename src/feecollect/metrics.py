"""Prometheus metrics (SPEC §17), with the standard client library.

Counters and histograms live in the process that observes them: callbacks and requests in the API
processes, bill lag and task failures where bills are issued (the worker, or the API process in the
embedded default). With ``PROMETHEUS_MULTIPROC_DIR`` set for every process of a host (deploy/), each
process writes its samples there and ``/metrics`` adds them up; a worker on another host serves the
same on its own port (``FEECOLLECT_WORKER_METRICS_PORT``). The gauges of open exceptions and
statement days are read from the database at each scrape, so every process gives the same answer."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

if _directory := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(_directory, exist_ok=True)  # a command run with the servers' environment needs it too

CALLBACKS = Counter(
    "feecollect_callbacks", "Bank payment callbacks answered, by national response code (SPEC §15)", ["code"]
)
CALLBACK_SECONDS = Histogram(
    "feecollect_callback_seconds",
    "Time to answer a bank payment callback",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
BILL_ISSUE_LAG = Histogram(
    "feecollect_bill_issue_lag_seconds",
    "From a payment being recorded to its electronic bill being issued",
    buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600),
)
TASK_FAILURES = Counter("feecollect_task_failures", "Background tasks that raised, by task name", ["task"])
REQUEST_SECONDS = Histogram(
    "feecollect_http_request_seconds",
    "HTTP requests by method, route template and status",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

# What the database gauges read: (open exceptions by class, last statement day by account).
DatabaseFacts = Callable[[], tuple[dict[str, int], dict[str, date]]]


class DatabaseGauges(Collector):
    def __init__(self, read: DatabaseFacts, zone: ZoneInfo):
        self._read, self._zone = read, zone

    def collect(self) -> Iterator[Metric]:
        open_by_class, last_days = self._read()
        exceptions = GaugeMetricFamily(
            "feecollect_open_exceptions", "Open reconciliation exceptions by class", labels=["class"]
        )
        for name, count in sorted(open_by_class.items()):
            exceptions.add_metric([name], count)
        yield exceptions
        statements = GaugeMetricFamily(
            "feecollect_statement_last_day",
            "The last business day a statement reaches, per account (Unix time of its midnight, centre time)",
            labels=["account"],
        )
        for account, day in sorted(last_days.items()):
            statements.add_metric([account], datetime.combine(day, time(0), self._zone).timestamp())
        yield statements


class _ThisProcess(Collector):
    """The default registry's metrics, for a registry made per scrape."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def process_registry() -> CollectorRegistry:
    """The samples of every process of this host (multiprocess mode), or of this one."""
    registry = CollectorRegistry()
    if multiprocess():
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_ThisProcess())
    return registry


def exposition(database: Collector | None = None) -> bytes:
    registry = process_registry()
    if database is not None:
        registry.register(database)
    return generate_latest(registry)
