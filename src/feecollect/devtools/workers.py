"""Celery worker processes started the way production starts them (``feecollect worker``), for the
tests and benches that need real workers beside them."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Workers:
    processes: list[subprocess.Popen[bytes]]
    logs: list[Path]

    def check_running(self) -> None:
        """Raises with the end of its log when a worker has stopped."""
        for process, log in zip(self.processes, self.logs, strict=True):
            if process.poll() is not None:
                raise RuntimeError(f"{log.name} stopped: {log.read_text()[-3000:]}")


@contextlib.contextmanager
def worker_processes(
    environment: dict[str, str], count: int, logs: Path, *, queues: str | None = None
) -> Iterator[Workers]:
    """``count`` workers of one process each, writing to ``logs/worker-N.log``, taking tasks from
    ``queues`` (default: the worker's); stopped on exit (killed when they do not finish within 30 s)."""
    paths = [logs / f"worker-{n}.log" for n in range(count)]
    outputs = [path.open("w") for path in paths]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "feecollect.cli", "worker", "--concurrency", "1"]
            + (["--queues", queues] if queues else []),
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        for out in outputs
    ]
    try:
        yield Workers(processes, paths)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for out in outputs:
            out.close()
