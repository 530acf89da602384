"""The ``feecollect`` command: one module per command group, each a thin shell over the services,
imported when its command runs. Every command exits non-zero with a one-line reason on bad input."""

from feecollect.cli.common import main

__all__ = ["main"]
