"""Shared fixtures: a fresh database per test, a pinned clock, and a CLI runner.

Tests that take ``db`` or ``cli`` run on SQLite, and again on PostgreSQL when
``PIPELINE_TUI_TEST_PG`` names a server (``postgresql://user@host:port/postgres``; ``.ci/run``
starts one). Tests that take ``db_path`` are about the SQLite file itself and run on SQLite only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
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


PG_SERVER = os.environ.get("PIPELINE_TUI_TEST_PG", "")
ENGINES = ["sqlite", "postgres"] if PG_SERVER else ["sqlite"]


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    return request.param


def _server_database(name: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(PG_SERVER, autocommit=True) as connection:
        connection.execute(statement.format(name=name))


@pytest.fixture
def db_location(engine, tmp_path):
    """Where the test's database lives: a SQLite file, or a new database on the test server."""
    if engine == "sqlite":
        yield str(tmp_path / "pipeline.db")
        return
    name = f"pipeline_test_{uuid.uuid4().hex[:12]}"
    _server_database(name, 'CREATE DATABASE "{name}"')
    base, _, _ = PG_SERVER.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        from pipeline_tui.store import models

        if models.database.obj is not None and not models.database.obj.is_closed():
            models.database.obj.close()
        _server_database(name, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db_path(engine, db_location) -> Path:
    """The SQLite file of the test (tests about the file itself run on SQLite only)."""
    if engine != "sqlite":
        pytest.skip("about the SQLite file")
    return Path(db_location)


@pytest.fixture
def db(db_location):
    """An open, empty pipeline database (the default Sales pipeline only)."""
    from pipeline_tui.services.base import clear_undo, set_user
    from pipeline_tui.store.db import open_database

    database = open_database(db_location)
    clear_undo()
    set_user("")
    yield database
    database.close()


class CLI:
    """Runs ``pipeline-tui`` as a subprocess, the way a user does."""

    def __init__(self, db_path: Path | str, now: str = "2026-11-26 09:30") -> None:
        self.db_path = db_path  # a file, or a postgresql:// URL
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
def cli(db_location) -> CLI:
    return CLI(db_location)


def activity_out_of_step() -> dict[int, tuple[tuple, tuple]]:
    """Each prospect whose activity summary, as kept on its row (schema 5), is not what its
    follow-ups say: {id: (kept, worked out here from the follow-up rows)}."""
    from pipeline_tui.core.domain import CONTACT_KINDS, DEMO_KINDS
    from pipeline_tui.store.models import FollowUp, Prospect

    mine: dict[int, list] = {}
    for follow_up in FollowUp.select(FollowUp.prospect, FollowUp.kind, FollowUp.done_at):
        mine.setdefault(follow_up.prospect_id, []).append(follow_up)
    wrong = {}
    for p in Prospect.select():
        rows = mine.get(p.id, [])
        done = [f for f in rows if f.done_at is not None]
        expected = (
            max((f.done_at for f in done), default=None),
            max((f.done_at for f in done if f.kind in CONTACT_KINDS), default=None),
            max((f.done_at for f in done if f.kind == "appointment"), default=None),
            any(f.kind in DEMO_KINDS for f in rows),
        )
        kept = (p.last_activity_at, p.last_contact_at, p.last_appointment_at, bool(p.demo_or_trial))
        if kept != expected:
            wrong[p.id] = (kept, expected)
    return wrong
