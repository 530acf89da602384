"""`feecollect --help` starts without the database layer: each command's module loads when it runs."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from feecollect.cli import main
from feecollect.cli.common import COMMANDS


def test_help_loads_no_database_layer_and_lists_every_command():
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from feecollect.cli import main\n"
        "result = CliRunner().invoke(main, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "heavy = sorted(m for m in ('sqlalchemy', 'alembic', 'celery', 'fastapi', 'openpyxl', 'reportlab')"
        " if m in sys.modules)\n"
        "print(heavy)\n"
        "print(result.output)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    heavy, _, listing = run.stdout.partition("\n")
    assert heavy == "[]", f"--help imported {heavy}"
    for name in COMMANDS:
        assert f"  {name} " in listing


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_listed_help_is_the_command_s_own(name):
    command = main.get_command(click.Context(main), name)
    assert command is not None
    assert command.get_short_help_str(limit=200) == COMMANDS[name][1]
