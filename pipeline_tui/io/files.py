"""Writing files the user asked for (exports, calendars, backups).

Never onto the database in use or any other SQLite file; never over an existing file without
``--force``; into a FIFO, a terminal or our own standard output as it is (its reader gets the
data); into a regular file through a private temporary file and an atomic rename, so that a
full disk or a crash leaves the old file or none, never half of one (README, "Your data").

It imports nothing of the app but its errors: the store's backups write through it too.
"""

from __future__ import annotations

import gc
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import NamedTuple

from pipeline_tui.errors import DISK_FULL, UserError, is_disk_full
from pipeline_tui.io.stdout import words_for, write_stdout  # noqa: F401 (their home was here)
from pipeline_tui.io.stdout import write_all as _write_all

SQLITE_HEADER = b"SQLite format 3\x00"
# what SQLite may leave beside a file it writes (a backup's temporary copy)
SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")
Places = Iterable[str | os.PathLike]


class Target(NamedTuple):
    """Where an output goes, once checked."""

    path: Path  # the file to write: a symbolic link's target, for a regular file
    direct: bool  # written into as it is (a FIFO, a terminal, our own stdout), not replaced
    descriptor: int | None = None  # our own stdout or stderr, when the path names it


def output_target(path: str | os.PathLike, *, replace: bool = False, keep_away: Places = ()) -> Target:
    """Check where ``path`` leads, or refuse it in one line: the files of ``keep_away`` (the
    database in use and its ``-wal``/``-shm``), any SQLite file, a folder, a disk, and an
    existing regular file unless ``replace``."""
    path = Path(path).expanduser()
    try:
        found = os.stat(path)
    except FileNotFoundError:
        found = None
    except OSError as exc:  # a name too long, a path through a plain file, a loop of links
        raise UserError(f"cannot write {path}: {exc.strerror}") from None
    _refuse_database_files(path, found, keep_away)
    if found is None:
        return Target(Path(os.path.realpath(path)), direct=False)
    mode = found.st_mode
    if stat.S_ISDIR(mode):
        raise UserError(f"{path} is a directory")
    own = _own_stream(found)
    if own is not None:
        return Target(path, direct=True, descriptor=own)
    if stat.S_ISREG(mode):
        if _is_sqlite_file(path):
            raise UserError(
                f"{path} already exists and is a SQLite database; pipeline-tui never writes over one"
            )
        if not replace:
            raise UserError(f"{path} already exists; add --force to replace it")
        return Target(Path(os.path.realpath(path)), direct=False)
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return Target(path, direct=True)
    what = "a block device (a disk)" if stat.S_ISBLK(mode) else "not a file"
    raise UserError(f"{path} is {what}; pipeline-tui writes only to files, pipes and terminals")


def write_private(
    path: str | os.PathLike, data: str | bytes, *, replace: bool = False, keep_away: Places = ()
) -> None:
    """Write ``data`` where :func:`output_target` allows: straight into a FIFO or a terminal,
    else via a private temporary file (mode 0600) and an atomic rename."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    target = output_target(path, replace=replace, keep_away=keep_away)
    shown = Path(path).expanduser()
    if target.direct:
        _write_into(target, shown, lambda fd: _write_all(fd, payload))
    else:
        _write_atomically(target.path, shown, replace, lambda fd, _: _write_all(fd, payload))


def write_private_with(
    path: str | os.PathLike,
    fill: Callable[[Path], None],
    *,
    replace: bool = False,
    keep_away: Places = (),
    make_folders: bool = False,
) -> None:
    """As :func:`write_private`, for a writer that needs a file name (SQLite's backup):
    ``fill`` writes a private temporary file, which then takes ``path``'s place (or, for a
    FIFO or a terminal, is copied into it)."""
    target = output_target(path, replace=replace, keep_away=keep_away)
    shown = Path(path).expanduser()
    if not target.direct:
        if make_folders:
            make_private_folders(target.path.parent)
        _write_atomically(target.path, shown, replace, lambda _, temporary: fill(temporary))
        return
    with _scratch_file(shown) as temporary:
        _guarded(shown, "nothing was written", lambda: fill(temporary))
        _write_into(target, shown, lambda fd: _copy_into(temporary, fd))


def make_private_folders(folder: str | os.PathLike) -> None:
    """Create ``folder`` and every missing folder above it readable by the user only (0700):
    ``Path.mkdir(parents=True, mode=...)`` gives the mode to the last one alone."""
    folder = Path(folder)
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        try:
            new.mkdir(mode=0o700, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create {new}: {words_for(exc)}") from None


def _refuse_database_files(path: Path, found: os.stat_result | None, keep_away: Places) -> None:
    real = os.path.realpath(path)
    for guarded in keep_away:
        same = os.path.realpath(guarded) == real
        if not same and found is not None:
            with suppress(OSError):
                same = os.path.samefile(path, guarded)  # a hard link to it, say
        if same:
            raise UserError(
                f"{path} is a file of the database in use; writing there would destroy it "
                "(choose another file)"
            )


def _own_stream(found: os.stat_result) -> int | None:
    """Our stdout or stderr when ``found`` is the same file (``-o /dev/stdout``, or the file
    the shell sent stdout to): written through the open descriptor, never re-opened."""
    for fd in (1, 2):
        try:
            mine = os.fstat(fd)
        except OSError:
            continue
        if (mine.st_dev, mine.st_ino) == (found.st_dev, found.st_ino):
            return fd
    return None


def _is_sqlite_file(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:  # unreadable: the write will say what is wrong
        return False


def _write_atomically(path: Path, shown: Path, replace: bool, fill: Callable[[int, Path], None]) -> None:
    """``fill`` writes a private temporary file beside ``path``, which is synced and renamed
    into place; on any failure it is removed, and ``path`` is as it was."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise UserError(f"cannot write {shown}: {words_for(exc)}") from None
    temporary = Path(name)

    def write() -> None:
        try:
            os.fchmod(fd, 0o600)
            fill(fd, temporary)
            os.fsync(fd)
        finally:
            os.close(fd)
        _publish(temporary, path, replace, shown)

    try:
        _guarded(shown, "nothing was written", write)
    finally:
        for leftover in (temporary, *(Path(f"{temporary}{suffix}") for suffix in SQLITE_SIDE_FILES)):
            _remove(leftover)


def _publish(temporary: Path, path: Path, replace: bool, shown: Path) -> None:
    """Put the written file in ``path``'s place: a hard link where nothing may be replaced,
    so that a file made there meanwhile is not lost either."""
    if replace:
        os.replace(temporary, path)
        return
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise UserError(f"{shown} already exists; add --force to replace it") from None
    except OSError:  # a file system without hard links
        if os.path.lexists(path):
            raise UserError(f"{shown} already exists; add --force to replace it") from None
        os.rename(temporary, path)


def _write_into(target: Target, shown: Path, write: Callable[[int], None]) -> None:
    """Write into a FIFO, a terminal or our own stdout as it is (a FIFO waits for its reader)."""
    if target.descriptor is not None:
        (sys.stdout if target.descriptor == 1 else sys.stderr).flush()  # what was printed comes first
        _guarded(shown, "the output is incomplete", lambda: write(target.descriptor))
        return
    try:
        fd = os.open(target.path, os.O_WRONLY | os.O_NOCTTY)
    except OSError as exc:
        raise UserError(f"cannot write {shown}: {words_for(exc)}") from None
    try:
        _guarded(shown, "the output is incomplete", lambda: write(fd))
    finally:
        os.close(fd)


def _guarded(shown: Path, outcome: str, write: Callable[[], None]) -> None:
    """Run ``write``; a failure of the disk (full, unwritable) becomes one line that says so.
    A reader that went away (a pipe closed early) is left to the caller, as for stdout."""
    try:
        write()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise UserError(f"cannot write {shown}: {words_for(exc)}; {outcome}") from None
    except Exception as exc:  # SQLite's own report of a full disk, while backing up
        if is_disk_full(exc):
            raise UserError(f"cannot write {shown}: {DISK_FULL}; {outcome}") from None
        raise


@contextmanager
def _scratch_file(shown: Path):
    try:
        fd, name = tempfile.mkstemp(prefix=".pipeline-tui.")
    except OSError as exc:
        raise UserError(f"cannot write {shown}: no room for a temporary copy ({words_for(exc)})") from None
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
    finally:
        for leftover in (temporary, *(Path(f"{temporary}{suffix}") for suffix in SQLITE_SIDE_FILES)):
            _remove(leftover)


def _copy_into(source: Path, fd: int) -> None:
    with open(source, "rb") as handle:
        while chunk := handle.read(1 << 20):
            _write_all(fd, chunk)


def _remove(path: Path) -> None:
    with suppress(OSError):
        path.unlink()


@contextmanager
def without_gc():
    """Bulk loads build hundreds of thousands of rows and no reference cycles; Python's cycle
    collector would walk them all again and again (a third of an import's time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
