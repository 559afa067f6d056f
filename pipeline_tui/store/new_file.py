"""A new SQLite database built whole under a temporary name beside its own, and given its name
only once everything in it succeeded (docs/performance.md: the import into a new file).

Nothing else can open a file that has no name yet, so it needs no write-ahead log while it is
built: each page is written once, straight into the file, instead of into the log and again
into the file. It leaves with the lasting mode of every database of ours (WAL, see
:mod:`pipeline_tui.store.db`), flushed to disk. A failure, or Ctrl+C, removes the temporary
file and leaves no database at the name: a refused import leaves nothing behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import peewee

from pipeline_tui.errors import UserError
from pipeline_tui.store.db import SQLITE_PRAGMAS, open_database, sqlite_files


@contextmanager
def built_whole(path: Path, shown: str) -> Iterator[peewee.Database]:
    """The new database that will be ``path``, open (and the models bound to it) while the
    caller fills it; put at ``path`` when the block ends without an error. Refused, and
    nothing kept, if another program made a file at ``path`` meanwhile."""
    from pipeline_tui.io.files import make_private_folders

    make_private_folders(path.parent)
    try:  # 0600 as the file made in store.db (mkstemp's mode)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".new")
    except OSError as exc:
        raise UserError(f"cannot create {shown}: {exc.strerror}") from None
    os.close(handle)
    db = None
    try:
        db = open_database(name)
        # the rollback journal kept in memory: a failed transaction is still undone
        db.execute_sql("PRAGMA journal_mode = MEMORY")
        db.execute_sql("PRAGMA synchronous = OFF")
        yield db
        db.execute_sql(f"PRAGMA synchronous = {SQLITE_PRAGMAS['synchronous']}")
        db.execute_sql(f"PRAGMA journal_mode = {SQLITE_PRAGMAS['journal_mode']}")
        db.close()
        _flush(name)
        _give_name(name, path, shown)
    finally:
        if db is not None:
            db.close()
        for left in sqlite_files(name):
            Path(left).unlink(missing_ok=True)


def _flush(name: str) -> None:
    handle = os.open(name, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _give_name(name: str, path: Path, shown: str) -> None:
    """Link the finished file at ``path``, which must still be free: unlike a rename, a link
    never replaces a file another program made there meanwhile."""
    try:
        os.link(name, path)
    except FileExistsError:
        raise UserError(f"{shown} was made meanwhile by another program; nothing was imported") from None
    except OSError:  # a file system without links: the same check, then a rename
        if path.exists():
            raise UserError(f"{shown} was made meanwhile by another program; nothing was imported") from None
        os.rename(name, path)
    _flush_folder(path.parent)


def _flush_folder(folder: Path) -> None:
    """The file's new name on disk too (as SQLite does for a new file when it syncs)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass  # some file systems cannot sync a folder
    finally:
        os.close(handle)
