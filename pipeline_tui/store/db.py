"""Opening a pipeline database: SQLite by path (private file, WAL, busy timeout) or a server by
URL; then the schema is created, upgraded or refused (see :mod:`pipeline_tui.store.schema`)."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

import peewee

from pipeline_tui.errors import UserError
from pipeline_tui.store import models, schema
from pipeline_tui.store.built import run_built

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10000,
    "synchronous": "full",
    # SQLite's page cache, per connection (negative: KiB). The default 2 MiB fills up as the
    # board is read, in the app and in its reader child both, and is held for the session; the
    # board, the report and an import read each page about once, and run as fast with a
    # quarter of it (measured at 100,000 prospects), which leaves 3 MiB of the app's 65 unused.
    "cache_size": -512,
}

T = TypeVar("T")


def _register_sqlite_adapters() -> None:
    """Dates and times go to SQLite as the ISO text peewee reads back (``2026-11-26 09:30:00``).

    That is what Python's own adapters did until 3.12 deprecated them. Registering them here
    keeps every write the same, and lets bulk inserts hand datetimes to the driver directly.
    """
    sqlite3.register_adapter(datetime, lambda moment: moment.isoformat(" "))
    sqlite3.register_adapter(date, lambda day: day.isoformat())


_register_sqlite_adapters()


def is_url(location: str) -> bool:
    return "://" in location


def _create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only, before SQLite opens it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return  # another process created it meanwhile (two first commands at once): share it
    except OSError as exc:
        raise UserError(f"cannot create {path}: {exc.strerror}") from None
    os.close(fd)


def open_database(location: str | os.PathLike, *, create: bool = True) -> peewee.Database:
    """Open (and if allowed create) the database, bind the models to it, and check its schema.

    A missing SQLite file is created only when ``create`` is true; a file that is not a
    pipeline-tui database, or one from a newer version, is refused with a :class:`UserError`.
    """
    location = str(location)
    if is_url(location):
        db = _open_url(location)
        shown = location.split("@")[-1]
    else:
        path = Path(location).expanduser()
        shown = str(path)
        try:
            is_dir, exists = path.is_dir(), path.exists()
        except OSError as exc:  # a name too long for the file system, say
            raise UserError(f"cannot use {shown[:200]} as a database: {exc.strerror}") from None
        if is_dir:
            raise UserError(f"{shown} is a directory, not a database file")
        if not exists:
            if not create:
                raise UserError(
                    f"no database at {shown} (start one with `pipeline-tui add` or `pipeline-tui demo`)"
                )
            _create_private_file(path)
        db = peewee.SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS, timeout=10)
    previous = models.database.obj
    if previous is not None and previous is not db:
        previous.close()  # a database opened before (demo, then the TUI): no connection left behind
    models.database.initialize(db)
    try:
        _connect(db)
        if is_sqlite(db) and schema.get_version(db) == 0:
            # a new file: one process at a time creates the schema, and the others wait for
            # the write lock, then find it done instead of doing it again
            with db.atomic("IMMEDIATE"):
                schema.ensure_schema(db, shown)
        else:
            schema.ensure_schema(db, shown)
    except peewee.OperationalError as exc:
        db.close()
        if _is_busy(exc):
            raise UserError(f"{shown} stayed busy (another program is writing to it); try again") from exc
        raise UserError(f"cannot open {shown}: {exc}") from exc
    except peewee.DatabaseError as exc:
        db.close()
        raise UserError(f"{shown} is not a pipeline-tui database ({exc})") from exc
    return db


def _connect(db: peewee.Database, wait: float = 10.0) -> None:
    """Connect, waiting while another process holds the file. Switching a new file to WAL
    (the pragmas run on connect) reports "locked" at once rather than through the busy timeout,
    when two processes open a new database at the same moment."""
    deadline = time.monotonic() + wait
    delay = 0.01
    while True:
        try:
            db.connect(reuse_if_open=True)
            return
        except peewee.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.25)


def _open_url(url: str) -> peewee.Database:
    from playhouse.db_url import connect

    if url.startswith(("postgres://", "postgresql://")):
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:
            raise UserError(
                "PostgreSQL needs the postgres extra: pip install 'pipeline-tui[postgres]'"
            ) from exc
    try:
        db = connect(url)
    except Exception as exc:  # unknown scheme, bad URL
        raise UserError(f"cannot use database URL {url.split('@')[-1]!r}: {exc}") from exc
    if isinstance(db, peewee.SqliteDatabase):
        db._pragmas = tuple(SQLITE_PRAGMAS.items())
    try:
        db.connect()
    except peewee.OperationalError as exc:
        raise UserError(
            f"cannot connect to {url.split('@')[-1]}: {str(exc).strip().splitlines()[0]}"
        ) from exc
    return db


def is_sqlite(db: peewee.Database) -> bool:
    return isinstance(db, peewee.SqliteDatabase)


def _is_busy(exc: Exception) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text or "could not serialize" in text or "deadlock" in text


def run_write(fn: Callable[[], T], *, attempts: int = 8, counted: bool = True) -> T:
    """Run ``fn`` in one write transaction, retrying when another process holds the lock.

    SQLite transactions begin IMMEDIATE so that a reader never has to upgrade to a writer
    halfway (which fails at once instead of waiting). Each write bumps the revision counter,
    unless not ``counted``: what it writes changes nothing another program shows.
    """
    db = models.database.obj
    delay = 0.05
    for attempt in range(attempts):
        try:
            with db.atomic("IMMEDIATE") if is_sqlite(db) else db.atomic():
                result = fn()
                if counted:
                    _bump_revision()
            return result
        except (peewee.OperationalError, sqlite3.OperationalError) as exc:
            if not _is_busy(exc) or attempt == attempts - 1:
                if _is_busy(exc):
                    raise UserError(
                        "the database stayed busy (another program is writing); try again"
                    ) from exc
                raise _refused(exc) from exc
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
        except (peewee.DatabaseError, sqlite3.DatabaseError) as exc:
            raise _refused(exc) from exc
    raise AssertionError("unreachable")


def _bump(_marks: list[int]) -> peewee.Query:
    return models.Revision.update(counter=models.Revision.counter + 1)


def _bump_revision() -> None:
    """Count one more write (other processes poll the counter to see changes)."""
    run_built(_bump, ())


def _refused(exc: Exception) -> UserError:
    """A write the database would not take (a full disk, a vanished server): said in one line.
    The action was one transaction, so nothing of it was saved."""
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return UserError(f"the database refused the change ({first_line}); nothing was saved")


def close_database(*, optimize: bool = True) -> None:
    """Close the connection, first letting SQLite refresh its planner statistics if they are
    stale (``PRAGMA optimize``, as SQLite advises on closing)."""
    db = models.database.obj
    if db is None or db.is_closed():
        return
    try:
        if optimize and is_sqlite(db):
            db.execute_sql("PRAGMA optimize")
    except peewee.DatabaseError:  # read-only or busy: statistics can wait for next time
        pass
    finally:
        db.close()


def _counter(_marks: list[int]) -> peewee.Query:
    return models.Revision.select(models.Revision.counter).limit(1)


def revision() -> int:
    """The write counter: a change means another process (or we) wrote something."""
    rows = run_built(_counter, ()).fetchall()  # to the end, so that the statement is done with
    return rows[0][0] if rows else 0


def poll_revision() -> int | None:
    """The write counter for a periodic look, or None when the database cannot answer right now
    (a server briefly unreachable): the next look will tell."""
    try:
        return revision()
    except peewee.DatabaseError:
        return None


@contextmanager
def read_snapshot():
    """A read transaction, so that several queries see one consistent state."""
    db = models.database.obj
    with db.atomic():
        yield


@contextmanager
def thread_connection():
    """For reads in a worker thread: peewee opens a connection per thread; close this one when
    the thread is done rather than leave it to the garbage collector."""
    try:
        yield
    finally:
        models.database.obj.close()
