"""Shared fixtures: a fresh database file per test, a pinned clock, and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

NOW = datetime(2026, 11, 26, 9, 30)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """No test may touch the real user's data or config directories."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.delenv("PIPELINE_TUI_DB", raising=False)
    monkeypatch.delenv("PIPELINE_TUI_NOW", raising=False)
    monkeypatch.delenv("PIPELINE_TUI_CONFIG", raising=False)


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "pipeline.db"


@pytest.fixture
def db(db_path):
    """An open, empty pipeline database in a temporary file (the default Sales pipeline only)."""
    from pipeline_tui.services.base import clear_undo
    from pipeline_tui.store.db import open_database

    database = open_database(db_path)
    clear_undo()
    yield database
    database.close()


class CLI:
    """Runs ``pipeline-tui`` as a subprocess, the way a user does."""

    def __init__(self, db_path: Path, now: str = "2026-11-26 09:30") -> None:
        self.db_path = db_path
        self.now = now

    def __call__(
        self,
        *args: str,
        input: str | None = None,
        env: dict | None = None,
        db: bool = True,
        check: bool | None = None,
    ) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "pipeline_tui"]
        if db:
            command += ["--db", str(self.db_path)]
        command += ["--now", self.now, *args]
        environment = {**os.environ, **(env or {})}
        result = subprocess.run(
            command, capture_output=True, text=True, input=input, env=environment, timeout=120
        )
        if check is True:
            assert result.returncode == 0, result.stderr
        return result


@pytest.fixture
def cli(db_path) -> CLI:
    return CLI(db_path)
