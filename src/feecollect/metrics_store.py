"""Where the processes of a host keep their metric samples (prometheus-client's multiprocess mode):
kept apart from ``feecollect.metrics``, whose metrics open their files as soon as it is imported."""

from __future__ import annotations

import os


def start_afresh() -> None:
    """Samples left by the processes of an earlier run would be added to this run's: a server or worker
    empties the directory before any of its metrics exist (call it before importing feecollect.metrics)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):
            if name.endswith(".db"):
                os.remove(os.path.join(directory, name))
