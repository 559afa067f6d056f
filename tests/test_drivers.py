"""A SQLite run does not pay for importing the PostgreSQL driver (0.1 s per command)."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHECK = """
import sys
from pipeline_tui.store.drivers import skip_server_drivers
skip_server_drivers(sys.argv[1])
import peewee
print(sys.modules.get("psycopg") is not None)
"""


@pytest.mark.parametrize(
    ("location", "loaded"),
    [("pipeline.db", False), ("postgresql://u@localhost/db", None)],
)
def test_server_drivers_are_hidden_only_for_sqlite(location, loaded):
    try:
        import psycopg  # noqa: F401

        installed = True
    except ImportError:
        installed = False
    out = subprocess.run([sys.executable, "-c", CHECK, location], capture_output=True, text=True, check=True)
    expected = installed if loaded is None else loaded
    assert out.stdout.strip() == str(expected)


def test_the_cli_hides_them_before_peewee_loads(tmp_path):
    script = (
        "import sys; from pipeline_tui.cli import main; "
        f"main(['--db', {str(tmp_path / 'x.db')!r}, 'report']); "
        "print('peewee' in sys.modules, sys.modules.get('psycopg') is not None)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-2:] == ["True", "False"]
