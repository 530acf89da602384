"""How long a finance officer waits for `feecollect` commands to answer, against a demo database.

Each command runs as a fresh process, as typed at a shell; the median of several runs is printed with
the core count, the issue's aim (0.5 s for `--help` and simple commands) and, in the same run, two
floors: the interpreter starting and doing nothing, and the interpreter importing SQLAlchemy's ORM,
which any command that reads the database needs. Only same-run ratios mean something on this host.

    python bench/cli_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AIM_SECONDS = 0.5
SCHEDULES = Path(__file__).resolve().parent.parent / "fee_schedules"
COMMANDS = (
    ["--help"],
    ["accounts", "--help"],
    ["accounts", "list"],
    ["ledger", "check"],
    ["exceptions", "list", "--status", "open"],
    ["audit", "verify"],
)
FLOORS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import sqlalchemy.orm'": [sys.executable, "-c", "import sqlalchemy.orm"],
}


def median_seconds(argv: list[str], env: dict[str, str], cwd: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, env=env, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        env = os.environ | {
            "FEECOLLECT_DATABASE_URL": f"sqlite:///{workdir}/bench.db",
            "FEECOLLECT_SCHEDULES_DIR": str(SCHEDULES),
            "FEECOLLECT_OPERATOR": "bench",
        }
        feecollect = [sys.executable, "-m", "feecollect.cli"]
        subprocess.run(
            [*feecollect, "demo", "--no-serve"], env=env, cwd=workdir, check=True, capture_output=True
        )
        print(f"cores: {os.cpu_count()}; median of {args.runs} runs each; aim: ≤ {AIM_SECONDS} s")
        floors = {name: median_seconds(argv, env, workdir, args.runs) for name, argv in FLOORS.items()}
        for name, seconds in floors.items():
            print(f"  floor  {name:<40} {seconds:6.3f} s")
        orm = floors["python -c 'import sqlalchemy.orm'"]
        for command in COMMANDS:
            seconds = median_seconds([*feecollect, *command], env, workdir, args.runs)
            verdict = "ok" if seconds <= AIM_SECONDS else "over the aim"
            ratio = f"{seconds / orm:4.1f}× the ORM floor"
            print(f"  feecollect {' '.join(command):<36} {seconds:6.3f} s  ({ratio}, {verdict})")


if __name__ == "__main__":
    main()
