"""A full disk is said in words, in one line, exit 2, and leaves nothing behind (README,
"Your data"): no half-written export, no empty backup that blocks the next try, no write-ahead
log that keeps the disk full after the command.

Most tests fill a real file system: a small tmpfs mounted for the test (as root; skipped, saying
why, where mounting is not allowed). The database's own refusal is also tested in-process,
with SQLite told to allow no more pages.
"""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from pipeline_tui.errors import UserError

NOW = "2026-11-26 09:30"


def run(db: Path, *args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline_tui", "--db", str(db), "--now", NOW, *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=180,
    )


def assert_disk_full(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pipeline-tui: ") and "disk full" in lines[0], lines[0]
    assert "internal error" not in lines[0] and "cannot rollback" not in lines[0]
    return lines[0]


def free_bytes(folder: Path) -> int:
    found = os.statvfs(folder)
    return found.f_bavail * found.f_frsize


def fill(folder: Path, leave: int) -> Path:
    """A file that leaves about ``leave`` bytes free on ``folder``'s file system."""
    filler = folder / "filler"
    size = max(free_bytes(folder) - leave, 0)
    with open(filler, "wb") as handle:
        while size > 0:
            chunk = min(size, 1 << 20)
            try:
                handle.write(b"\0" * chunk)
                handle.flush()
            except OSError:
                break
            size -= chunk
    return filler


@pytest.fixture
def small_disk(tmp_path):
    """A 4 MiB tmpfs of the test's own, unmounted afterwards."""
    mount_point = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount_point.mkdir()
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root and mount(8): disk-full runs only on such machines")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def prospects_csv(path: Path, count: int) -> Path:
    """``count`` prospects with long notes (about 230 bytes each)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "organization", "notes"])
        for number in range(count):
            writer.writerow([f"Deal {number}", f"Org {number % 97}", "n" * 200])
    return path


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory) -> Path:
    """20,000 prospects: about 4.5 MB, more than the small disk holds."""
    return prospects_csv(tmp_path_factory.mktemp("csv") / "big.csv", 20_000)


@pytest.fixture(scope="module")
def big_db(tmp_path_factory) -> Path:
    """A database on the ordinary disk whose export (0.5 MB) and copy (about 2.7 MB, its index
    of texts made at the import) fit on the small disk when it is empty, not when it is full."""
    folder = tmp_path_factory.mktemp("db")
    path = folder / "pipeline.db"
    result = run(path, "import", str(prospects_csv(folder / "medium.csv", 2_000)))
    assert result.returncode == 0, result.stderr
    return path


def counts(path: Path) -> tuple[str, int, int]:
    connection = sqlite3.connect(path)
    try:
        return (
            connection.execute("PRAGMA integrity_check").fetchone()[0],
            connection.execute("SELECT COUNT(*) FROM prospect").fetchone()[0],
            connection.execute("SELECT COUNT(*) FROM stage_change").fetchone()[0],
        )
    finally:
        connection.close()


# -- outputs --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_export_onto_a_full_disk_says_so_and_leaves_no_file(big_db, small_disk, fmt):
    fill(small_disk, leave=256 << 10)
    before = sorted(os.listdir(small_disk))
    target = small_disk / f"export.{fmt}"
    assert_disk_full(run(big_db, "export", "--format", fmt, "-o", str(target)))
    assert sorted(os.listdir(small_disk)) == before, "no partial export, no temporary file"


def test_an_export_to_a_redirected_stdout_on_a_full_disk_says_so(big_db, small_disk):
    """Python's buffered stdout exited 0 here, with the export cut at the size of the disk."""
    fill(small_disk, leave=256 << 10)
    with open(small_disk / "export.csv", "w") as out:
        line = assert_disk_full(run(big_db, "export", stdout=out))
    assert "incomplete" in line


def test_a_backup_onto_a_full_disk_leaves_nothing_and_the_retry_works(big_db, small_disk):
    filler = fill(small_disk, leave=256 << 10)
    target = small_disk / "backups" / "pipeline.db"
    assert_disk_full(run(big_db, "backup", "-o", str(target)))
    assert not target.exists(), "an empty backup would block the retry"
    assert [p.name for p in small_disk.iterdir() if p.name != "filler"] in ([], ["backups"])
    if target.parent.exists():
        assert list(target.parent.iterdir()) == []

    filler.unlink()
    result = run(big_db, "backup", "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert counts(target) == counts(big_db)


# -- the database itself --------------------------------------------------------------------------


HOLDER = r"""
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
connection.execute("SELECT COUNT(*) FROM prospect").fetchall()
print("holding", flush=True)
sys.stdin.readline()
"""


def test_an_import_that_fills_the_disk_names_it_and_gives_the_space_back(small_disk, big_csv):
    """With the app (here: another connection) holding the file open, the log the import grew
    stayed at the size of the disk until the app closed: now it is emptied at once."""
    db = small_disk / "pipeline.db"
    assert run(db, "add", "Acme").returncode == 0
    before = counts(db)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        line = assert_disk_full(run(db, "import", str(big_csv)))
        assert "nothing was saved" in line
        wal = Path(f"{db}-wal")
        assert not wal.exists() or wal.stat().st_size < 64 << 10, "the log still fills the disk"
        assert free_bytes(small_disk) > 3 << 20
    finally:
        holder.communicate("\n", timeout=30)
    assert counts(db) == before


def test_a_command_on_a_disk_with_no_room_left_says_disk_full(small_disk):
    db = small_disk / "pipeline.db"
    assert run(db, "add", "Acme").returncode == 0
    fill(small_disk, leave=0)
    assert_disk_full(run(db, "add", "Globex"))
    assert_disk_full(run(small_disk / "new.db", "add", "Globex"))
    assert not (small_disk / "new.db").exists(), "a new database that could not be made is not left behind"


def test_a_write_the_database_cannot_hold_names_the_full_disk_not_the_rollback(tmp_path):
    """SQLite undoes the transaction itself on SQLITE_FULL; peewee's rollback then failed with
    "cannot rollback - no transaction is active", and that was all the user was told."""
    from pipeline_tui.io.csv_io import parse_csv
    from pipeline_tui.services.importing import import_parsed
    from pipeline_tui.store.db import close_database, open_database
    from pipeline_tui.store.models import Prospect

    now = datetime(2026, 11, 26, 9, 30)
    path = tmp_path / "deals.csv"
    path.write_text(
        "name,notes\n" + "".join(f"Deal {n},{'n' * 300}\n" for n in range(3000)), encoding="utf-8"
    )
    database = open_database(tmp_path / "pipeline.db")
    try:
        pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
        database.execute_sql(f"PRAGMA max_page_count = {pages + 20}")  # a disk about to be full
        with pytest.raises(UserError) as caught:
            import_parsed(parse_csv(path, now), str(path), now)
        message = str(caught.value)
        assert "disk full" in message and "nothing was saved" in message
        assert "cannot rollback" not in message
        assert Prospect.select().count() == 0
    finally:
        close_database()


def test_a_refused_import_into_a_new_file_leaves_no_database_behind(tmp_path):
    """The file is read and refused after the database was opened (its stages are checked
    against it): the database that opening made goes again, as if the command never ran."""
    messy = tmp_path / "export.csv"
    messy.write_text("Deal Title,Stage,Deal value\nAcme,Qualifed,lots\n", encoding="utf-8")
    db = tmp_path / "new.db"
    result = run(db, "import", str(messy))
    assert result.returncode == 2, result.stderr
    assert "refused" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]


def test_a_refused_import_into_an_empty_file_leaves_it_empty(tmp_path):
    """An empty file given as the database (made ready with `touch`, say) is SQLite's new
    database: a refused import must not leave it turned into one."""
    messy = tmp_path / "export.csv"
    messy.write_text("Deal Title,Stage,Deal value\nAcme,Qualifed,lots\n", encoding="utf-8")
    db = tmp_path / "empty.db"
    db.touch(mode=0o640)
    db.chmod(0o640)
    result = run(db, "import", str(messy))
    assert result.returncode == 2, result.stderr
    assert "refused" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db", "export.csv"]
    assert db.stat().st_size == 0
    assert db.stat().st_mode & 0o777 == 0o640
