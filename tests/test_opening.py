"""Opening a database writes nothing it should not (README, "Your data"): a command that only
reads leaves every byte of the file as it was; an empty file is not turned into a database by
a look; another program's SQLite file is refused before SQLite's pragmas touch it; names that
mean no database are refused in words."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline_tui.errors import UserError
from pipeline_tui.store.db import close_database, open_database

NOW = "2026-11-26 09:30"
READ_ONLY_COMMANDS = [
    ("agenda",),
    ("agenda", "--json"),
    ("report",),
    ("report", "--json"),
    ("export",),
    ("export", "--format", "json"),
    ("ics",),
    ("archived",),
    ("quota",),
]


def run(db: Path | str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline_tui", "--db", str(db), "--now", NOW, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def files_of(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def journal_mode(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        connection.close()


@pytest.fixture
def restored(tmp_path) -> Path:
    """Our database as a backup leaves it (one file, rollback-journal mode): what a user
    restoring a backup opens first."""
    made = tmp_path / "made" / "pipeline.db"
    for args in (("add", "Acme", "--follow-up", "2026-11-27 10:00"), ("quota", "50000")):
        assert run(made, *args).returncode == 0
    path = tmp_path / "restored" / "pipeline.db"
    result = run(made, "backup", "-o", str(path))
    assert result.returncode == 0, result.stderr
    assert journal_mode(path) == "delete"
    return path


@pytest.mark.parametrize("args", READ_ONLY_COMMANDS, ids=" ".join)
def test_a_command_that_only_reads_leaves_the_file_as_it_was(restored, args):
    before = files_of(restored.parent)
    result = run(restored, *args)
    assert result.returncode == 0, result.stderr
    assert files_of(restored.parent) == before, "a read changed the file or left one beside it"
    assert journal_mode(restored) == "delete"


def test_backup_and_dry_run_leave_the_file_as_it_was(restored, tmp_path):
    csv_file = tmp_path / "deals.csv"
    csv_file.write_text("name,value\nGlobex,100\n", encoding="utf-8")
    before = files_of(restored.parent)
    assert run(restored, "backup", "-o", str(tmp_path / "copy.db")).returncode == 0
    dry = run(restored, "import", "--dry-run", str(csv_file))
    assert dry.returncode == 0, dry.stderr
    assert files_of(restored.parent) == before


@pytest.mark.parametrize("args", [*READ_ONLY_COMMANDS, ("backup", "-o", "copy.db"), ("move", "Acme", "Won")])
def test_a_command_that_needs_a_database_leaves_an_empty_file_empty(tmp_path, args):
    empty = tmp_path / "touched.db"
    empty.touch()
    args = tuple(str(tmp_path / a) if a == "copy.db" else a for a in args)
    result = run(empty, *args)
    assert result.returncode == 2, result.stderr
    assert "empty" in result.stderr and len(result.stderr.splitlines()) == 1
    assert empty.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["touched.db"]


def test_a_dry_run_against_an_empty_file_checks_the_csv_and_leaves_it_empty(tmp_path):
    empty = tmp_path / "touched.db"
    empty.touch()
    csv_file = tmp_path / "deals.csv"
    csv_file.write_text("name,stage\nGlobex,Proposal\n", encoding="utf-8")
    result = run(empty, "import", "--dry-run", str(csv_file))
    assert result.returncode == 0, result.stderr
    assert "1 prospect would be imported" in result.stdout
    assert empty.stat().st_size == 0


def test_a_command_that_writes_turns_an_empty_file_into_a_database(tmp_path):
    empty = tmp_path / "touched.db"
    empty.touch()
    result = run(empty, "add", "Acme")
    assert result.returncode == 0, result.stderr
    assert run(empty, "agenda").returncode == 0


def _foreign(path: Path, version: int) -> Path:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    connection.execute("INSERT INTO moz_places (url) VALUES ('https://example.com')")
    connection.execute(f"PRAGMA user_version = {version}")
    connection.commit()
    connection.close()
    return path


@pytest.mark.parametrize("version", [0, 1, 3])
@pytest.mark.parametrize("read_only", [False, True])
def test_another_programs_file_is_refused_before_it_is_changed(tmp_path, version, read_only):
    """It used to be switched to WAL first; one whose ``user_version`` looked like an old
    schema of ours was backed up and "upgraded"."""
    path = _foreign(tmp_path / "places.sqlite", version)
    before = files_of(tmp_path)
    with pytest.raises(UserError, match="some other program"):
        open_database(path, read_only=read_only)
    close_database()
    assert files_of(tmp_path) == before
    assert journal_mode(path) == "delete"


def test_a_sqlite_url_is_opened_as_the_file_it_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    foreign = _foreign(tmp_path / "places.sqlite", 0)
    with pytest.raises(UserError, match="some other program"):
        open_database("sqlite:///places.sqlite")
    close_database()
    assert journal_mode(foreign) == "delete"
    database = open_database("sqlite:///new%20one.db")
    close_database()
    assert database.database == "new one.db"
    assert oct((tmp_path / "new one.db").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    "url", ["mysql://sales:secret@db.example/pipeline", "mongodb://db.example/p", "ftp://x/y.db"]
)
def test_a_url_of_an_unknown_kind_is_refused_naming_what_works(url):
    with pytest.raises(UserError) as caught:
        open_database(url)
    message = str(caught.value)
    assert url.partition("://")[0] + "://" in message
    assert "PostgreSQL" in message and "SQLite" in message
    assert "secret" not in message


def test_an_empty_database_name_is_refused_not_taken_for_the_default(tmp_path):
    default = tmp_path / "data" / "pipeline-tui" / "pipeline.db"
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    for args in (["--db", "", "add", "Acme"], ["add", "Acme", "--db="]):
        result = subprocess.run(
            [sys.executable, "-m", "pipeline_tui", *args], capture_output=True, text=True, env=env, timeout=60
        )
        assert result.returncode == 2 and "empty file name" in result.stderr, result.stderr
    assert not default.exists()


def test_a_damaged_database_is_called_damaged_not_foreign(tmp_path):
    path = tmp_path / "pipeline.db"
    assert run(path, "add", "Acme").returncode == 0
    with open(path, "r+b") as handle:  # the header of the schema's own page: nothing reads
        handle.seek(100)
        handle.write(b"\x42" * 8)
    result = run(path, "agenda")
    assert result.returncode == 2
    assert "damaged" in result.stderr and "backup" in result.stderr, result.stderr
