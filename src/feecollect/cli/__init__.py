"""The ``feecollect`` command: one module per command group, each a thin shell over the services.
Every command exits non-zero with a one-line reason on bad input."""

from feecollect.cli import (  # noqa: F401  (each module adds its commands to ``main``)
    audit,
    banks,
    bills,
    cases,
    ledger,
    projects,
    reconcile,
    schedules,
    server,
    statements,
    users,
)
from feecollect.cli.common import main

__all__ = ["main"]
