"""Where ``export -o``, ``ics -o`` and ``backup -o`` write (README, "Your data"): a FIFO's
reader, a terminal and standard output get the data written into them; a regular file is
replaced only with ``--force``, atomically, and never left half-written; a backup is made only
of a sound database. (The refusals themselves are in tests/hostile/.)"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pipeline_tui.errors import UserError

pytestmark = pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices and file modes are POSIX")

NOW = "2026-11-26 09:30"


def run(
    db: Path, *args: str, stdout=subprocess.PIPE, umask: int | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline_tui", "--db", str(db), "--now", NOW, *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        preexec_fn=None if umask is None else (lambda: os.umask(umask)),
        timeout=120,
    )


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "pipeline.db"
    for args in (("add", "Acme", "--follow-up", "2026-11-27 10:00"), ("add", "Globex")):
        result = run(path, *args)
        assert result.returncode == 0, result.stderr
    return path


def test_a_fifo_reader_receives_the_export_and_the_fifo_stays_a_fifo(db, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run(db, "export", "-o", str(fifo))
    reader.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert received and received[0].startswith(b"name,organization,")
    assert b"Acme" in received[0] and b"Globex" in received[0]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced by a regular file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe", "pipeline.db"]


def test_a_link_to_our_standard_output_writes_to_it(db, tmp_path):
    link = tmp_path / "out.ics"
    link.symlink_to("/proc/self/fd/1")
    if not Path("/proc/self/fd/1").exists():
        pytest.skip("no /proc/self/fd here")
    result = run(db, "ics", "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"BEGIN:VCALENDAR")
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1", "the link was replaced"


@pytest.fixture
def dev_stdout(tmp_path) -> Path:
    """``/dev/stdout``, through a link of the test's own: a regression that replaces what it
    writes to (issue 16) then replaces this link, not the machine's ``/dev/stdout``."""
    if not os.path.exists("/dev/stdout"):
        pytest.skip("no /dev/stdout here")
    link = tmp_path / "stdout"
    link.symlink_to("/dev/stdout")
    return link


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_dev_stdout_appends_to_the_file_the_shell_opened(db, tmp_path, dev_stdout, fmt):
    """``export -o /dev/stdout >> log``: written through the descriptor the shell gave, so what
    the file held before stays, as with any other output to stdout."""
    log = tmp_path / "log"
    log.write_bytes(b"earlier lines\n")
    with open(log, "ab") as out:
        result = run(db, "export", "--format", fmt, "-o", str(dev_stdout), stdout=out)
    assert result.returncode == 0, result.stderr
    text = log.read_text(encoding="utf-8")
    assert text.startswith("earlier lines\n") and "Globex" in text
    assert f"Exported 2 prospects to {dev_stdout}".encode() in result.stderr
    assert dev_stdout.is_symlink()


def test_a_character_device_is_written_into_not_replaced(db, tmp_path):
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # what /dev/null is on Linux
    except (PermissionError, AttributeError, OSError) as exc:
        pytest.skip(f"cannot make a device node here ({exc})")
    for args in (("export",), ("ics",), ("backup",)):
        result = run(db, *args, "-o", str(device))
        assert result.returncode == 0, result.stderr
        assert stat.S_ISCHR(os.lstat(device).st_mode), f"{args[0]} replaced the device with a file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null", "pipeline.db"]


def test_force_replaces_a_file_through_its_link_and_keeps_the_link(db, tmp_path):
    real = tmp_path / "exports" / "latest.csv"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "latest.csv"
    link.symlink_to(real)
    refused = run(db, "export", "-o", str(link))
    assert refused.returncode == 2 and b"--force" in refused.stderr
    assert real.read_text() == "old\n"
    result = run(db, "export", "-o", str(link), "--force", umask=0)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink(), "the link itself was replaced"
    assert real.read_text().startswith("name,") and stat.S_IMODE(real.stat().st_mode) == 0o600
    assert sorted(p.name for p in real.parent.iterdir()) == ["latest.csv"], "no temporary file left"


def test_a_backup_into_new_folders_makes_each_of_them_private(db, tmp_path):
    target = tmp_path / "backups" / "2026" / "11" / "pipeline.db"
    result = run(db, "backup", "-o", str(target), umask=0)
    assert result.returncode == 0, result.stderr
    for folder in (tmp_path / "backups", tmp_path / "backups" / "2026", target.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_new_database_in_new_folders_makes_each_of_them_private(tmp_path):
    db = tmp_path / "a" / "b" / "pipeline.db"
    result = run(db, "add", "Acme", umask=0)
    assert result.returncode == 0, result.stderr
    assert [stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "a", db.parent)] == [0o700, 0o700]


def test_a_backup_to_standard_output_is_the_database_and_says_so_on_stderr(db, tmp_path, dev_stdout):
    copy = tmp_path / "copy.db"
    with open(copy, "wb") as out:
        result = run(db, "backup", "-o", str(dev_stdout), stdout=out)
    assert result.returncode == 0, result.stderr
    assert f"Backed up to {dev_stdout}".encode() in result.stderr
    connection = sqlite3.connect(copy)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT COUNT(*) FROM prospect").fetchone() == (2,)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    finally:
        connection.close()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary copy left"


def test_backup_with_force_replaces_a_file_that_is_not_a_database(db, tmp_path):
    target = tmp_path / "latest-backup"
    target.write_text("a placeholder\n")
    result = run(db, "backup", "-o", str(target), "--force")
    assert result.returncode == 0, result.stderr
    assert target.read_bytes().startswith(b"SQLite format 3\x00")


# -- the code paths, with a disk that fills up on demand ----------------------------------------


def _fill_up_after(monkeypatch, allowed: int) -> None:
    """``os.write`` in the file-writing module: ENOSPC once ``allowed`` bytes are written."""
    from pipeline_tui.io import files

    written = [0]
    real_write = os.write

    def write(fd, data):
        if written[0] + len(data) > allowed:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written[0] += len(data)
        return real_write(fd, data)

    monkeypatch.setattr(files.os, "write", write)


def test_a_full_disk_while_exporting_leaves_no_file_and_says_so(tmp_path, monkeypatch):
    from pipeline_tui.io.files import write_private

    _fill_up_after(monkeypatch, 0)
    target = tmp_path / "export.csv"
    with pytest.raises(UserError, match="disk full") as caught:
        write_private(target, "name\nAcme\n" * 1000)
    assert "nothing was written" in str(caught.value)
    assert list(tmp_path.iterdir()) == [], "no partial file, no temporary file"


def test_a_full_disk_while_replacing_keeps_the_old_file(tmp_path, monkeypatch):
    from pipeline_tui.io.files import write_private

    target = tmp_path / "export.csv"
    target.write_text("the export of yesterday\n")
    _fill_up_after(monkeypatch, 10)
    with pytest.raises(UserError, match="disk full"):
        write_private(target, "name\nAcme\n" * 1000, replace=True)
    assert target.read_text() == "the export of yesterday\n"
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv"]


def test_a_full_disk_while_backing_up_leaves_no_file_to_block_the_next_try(db, tmp_path, monkeypatch):
    from pipeline_tui.store.backup import backup_to
    from pipeline_tui.store.db import close_database, open_database

    database = open_database(db)
    real_connection = database.connection

    class FullDisk:
        def backup(self, destination):
            raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(database, "connection", lambda: FullDisk())
    target = tmp_path / "copies" / "backup.db"
    try:
        with pytest.raises(UserError, match="disk full"):
            backup_to(database, target)
        assert not target.exists(), "a 0-byte file would block the next try"
        assert list(target.parent.iterdir()) == []
        monkeypatch.setattr(database, "connection", real_connection)
        assert backup_to(database, target) == target
    finally:
        close_database()
    assert sqlite3.connect(target).execute("SELECT COUNT(*) FROM prospect").fetchone() == (2,)


def test_backup_refuses_a_damaged_database_and_writes_nothing(db, tmp_path):
    from pipeline_tui.store.backup import backup_to
    from pipeline_tui.store.db import close_database, open_database

    connection = sqlite3.connect(db)
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    (root,) = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE type = 'index' AND tbl_name = 'prospect'"
        # not schema 9's partial index of archived prospects: spoiling its page went unseen
        " AND sql NOT LIKE '%WHERE%' ORDER BY name"
    ).fetchone()
    connection.close()
    with open(db, "r+b") as handle:  # spoil the cells of an index page: the file still opens
        handle.seek(root * page_size - 64)
        handle.write(b"\xff" * 64)
    database = open_database(db, read_only=True)
    try:
        with pytest.raises(UserError, match="is damaged") as caught:
            backup_to(database, tmp_path / "copy.db")
    finally:
        close_database()
    assert "no copy made" in str(caught.value) and "\n" not in str(caught.value)
    assert not (tmp_path / "copy.db").exists()
