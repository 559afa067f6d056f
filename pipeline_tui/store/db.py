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

from pipeline_tui.errors import DISK_FULL, ServerLost, UserError, causes, is_disk_full
from pipeline_tui.store import link, locations, models, schema
from pipeline_tui.store.built import run_built
from pipeline_tui.store.quick import OUR_TABLES

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
    # None and bool have no adapter of their own, so sqlite3 looks each one up through its
    # adapter protocol (attribute lookups per value) before binding it as it is: registered,
    # each is one dict lookup and a C call ({}.get gives None for anything; int gives 1 or 0,
    # as bound before). An import's 100,000 rows bind millions of them (docs/performance.md).
    sqlite3.register_adapter(type(None), {}.get)
    sqlite3.register_adapter(bool, int)


_register_sqlite_adapters()


def is_url(location: str) -> bool:
    return "://" in location


def _create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only (in folders made 0700), before SQLite
    opens it."""
    from pipeline_tui.io.files import make_private_folders

    make_private_folders(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return  # another process created it meanwhile (two first commands at once): share it
    except OSError as exc:
        raise UserError(f"cannot create {path}: {_os_words(exc)}") from None
    os.close(fd)


def open_database(
    location: str | os.PathLike, *, create: bool = True, read_only: bool = False
) -> peewee.Database:
    """Open (and if allowed create) the database, bind the models to it, and check its schema.

    A missing or empty SQLite file becomes a new database only when ``create`` is true; a file
    that is not a pipeline-tui database, or one from a newer version, is refused with a
    :class:`UserError` before anything is written to it. ``read_only`` is for a command that
    only reads: it writes nothing (no switch to WAL, no planner statistics on closing); only
    the upgrade of an older database, which README promises on its first opening, still does.
    """
    location = str(location)
    path = None
    if is_url(location) and not is_sqlite_url(location):
        _refuse_unknown_scheme(location)
        db = _open_url(location)
        shown = locations.shown(location)
    else:
        path = sqlite_path(location)
        shown = locations.redact(str(path), location)  # a URL mistyped (one slash) is a file name
        db = _sqlite_database(path, shown, create=create and not read_only, read_only=read_only)
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
    except peewee.DatabaseError as exc:
        db.close()
        if isinstance(db, SqliteFile) and db.made_here:
            _forget_empty(path)  # not even the schema fitted (a full disk): leave no file behind
        raise _cannot_open(exc, shown, location, path) from exc
    return db


# -- SQLite files ---------------------------------------------------------------------------

SQLITE_URL = "sqlite:///"
SUPPORTED = "a SQLite file (a path, or sqlite:///path) or a PostgreSQL server (postgresql://...)"


def is_sqlite_url(location: str) -> bool:
    return location[: len(SQLITE_URL)].lower() == SQLITE_URL


def sqlite_path(location: str) -> Path:
    """The file a location names: a path, or a ``sqlite:///`` URL (as peewee reads one:
    ``sqlite:///pipeline.db`` is relative, ``sqlite:////home/me/pipeline.db`` absolute)."""
    if is_sqlite_url(location):
        from urllib.parse import unquote

        location = unquote(location[len(SQLITE_URL) :].partition("?")[0])
    return Path(location).expanduser()


def sqlite_files(location: str) -> list[str]:
    """The database file at ``location`` and those SQLite keeps beside it; none for a server."""
    if is_url(location) and not is_sqlite_url(location):
        return []
    path = str(sqlite_path(location))
    return [path, *(path + suffix for suffix in ("-wal", "-shm", "-journal"))]


class SqliteFile(peewee.SqliteDatabase):
    """A SQLite database file, looked at on each connection before the pragmas run: they would
    switch another program's file to WAL, and make a new database of an empty file."""

    def __init__(
        self, path: Path, shown: str, *, may_be_new: bool, read_only: bool, made_here: bool, was_empty: bool
    ):
        # WAL is a lasting mode of the file: a command that only reads leaves the file's as it is
        pragmas = {k: v for k, v in SQLITE_PRAGMAS.items() if not (read_only and k == "journal_mode")}
        super().__init__(str(path), pragmas=pragmas, timeout=10)
        self.shown, self.may_be_new = shown, may_be_new
        self.only_reads = read_only  # see close_database
        self.made_here = made_here  # this opening created the file
        self.was_empty = was_empty  # the file was there but held nothing (SQLite's new database)

    def _add_conn_hooks(self, conn: sqlite3.Connection) -> None:
        _refuse_unless_ours(conn, self.shown, self.may_be_new)
        super()._add_conn_hooks(conn)


def _sqlite_database(path: Path, shown: str, *, create: bool, read_only: bool) -> SqliteFile:
    try:
        is_dir, exists = path.is_dir(), path.exists()
        is_other = exists and not is_dir and not path.is_file()
        # a file of /proc or /sys is regular but on no disk (a file system of no blocks)
        is_virtual = exists and not is_dir and not is_other and os.statvfs(path).f_blocks == 0
        was_empty = exists and not is_dir and path.stat().st_size == 0
    except OSError as exc:  # a name too long for the file system, say
        raise UserError(f"cannot use {shown[:200]} as a database: {exc.strerror}") from None
    if is_dir:
        raise UserError(f"{shown} is a directory, not a database file")
    if is_other:  # a device or a pipe measures empty: SQLite would fail on it, saying nothing useful
        raise UserError(f"{shown} is a device or a pipe, not a database file")
    if is_virtual:
        raise UserError(f"{shown} is a file of the system (as in /proc), not a regular file on a disk")
    if not exists:
        if not create:
            raise UserError(
                f"no database at {shown} (start one with `pipeline-tui add` or `pipeline-tui demo`)"
            )
        _create_private_file(path)
    return SqliteFile(
        path, shown, may_be_new=create, read_only=read_only, made_here=not exists, was_empty=was_empty
    )


def _refuse_unless_ours(conn: sqlite3.Connection, shown: str, may_be_new: bool) -> None:
    """Refuse a file that holds another program's tables, or a newer schema of ours; or one that
    holds nothing (an empty file: SQLite's new database) unless a new database may be made."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if version == 0 and not tables:
        if may_be_new:
            return
        raise UserError(
            f"{shown} is empty, not yet a pipeline-tui database "
            "(start one with `pipeline-tui add` or `pipeline-tui demo`)"
        )
    if not OUR_TABLES <= tables:
        raise UserError(f"{shown} is a database of some other program, not pipeline-tui")
    schema.refuse_newer(version, shown)


def forget_made_here(db: peewee.Database) -> None:
    """Close ``db`` and undo what this opening made of its file: a command refused after
    opening (an import whose file is refused) leaves no new database behind, and an empty file
    it was given stays an empty file."""
    if not isinstance(db, SqliteFile) or not (db.made_here or db.was_empty):
        return
    db.close()
    main, *beside = sqlite_files(db.database)
    for name in beside:
        Path(name).unlink(missing_ok=True)
    if db.made_here:
        Path(main).unlink(missing_ok=True)
    else:
        os.truncate(main, 0)  # the same file (its owner and mode), as empty as it came


def _forget_empty(path: Path) -> None:
    """Remove a database file this process made, if it is still empty, and SQLite's beside it."""
    try:
        if path.stat().st_size:
            return
        for name in sqlite_files(str(path)):
            Path(name).unlink(missing_ok=True)
    except OSError:
        pass


def _refuse_unknown_scheme(url: str) -> None:
    """Only PostgreSQL's schemes (as peewee knows them, ``+pool`` too) name a server we work with."""
    from playhouse.db_url import schemes

    scheme = url.partition("://")[0]
    known = schemes.get(scheme.lower())
    if known is None or not issubclass(known, peewee.PostgresqlDatabase):
        shown = locations.redact(scheme, url)
        raise UserError(f"cannot use a {shown}:// database: pipeline-tui works with {SUPPORTED}")


def _cannot_open(exc: Exception, shown: str, location: str, near: Path | None) -> UserError:
    """Why a database could not be opened, in one line (no password of ``location`` in it)."""
    text = locations.first_line(exc, location)
    if _is_busy(exc):
        return UserError(f"{shown} stayed busy (another program is writing to it); try again")
    if is_disk_full(exc, near):
        return UserError(f"cannot open {shown}: {DISK_FULL}")
    if "malformed" in text:
        return UserError(f"{shown} is damaged ({text}); restore it from a backup")
    if isinstance(exc, peewee.OperationalError | sqlite3.OperationalError):
        return UserError(f"cannot open {shown}: {text}")
    return UserError(f"{shown} is not a pipeline-tui database ({text})")


def _os_words(exc: OSError) -> str:
    return DISK_FULL if is_disk_full(exc) else (exc.strerror or str(exc))


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
    if url.startswith(("postgres://", "postgresql://")):
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:
            raise UserError(
                "PostgreSQL needs the postgres extra: pip install 'pipeline-tui[postgres]'"
            ) from exc
    try:
        db = _server_database(url)
    except UserError:
        raise
    except Exception as exc:  # unknown scheme, bad URL
        hint = " (in a password, write / ? # @ : percent-encoded, / as %2F)" if "@" in url else ""
        reason = locations.first_line(exc, url)
        raise UserError(f"cannot use database URL {locations.shown(url)}: {reason}{hint}") from None
    if isinstance(db, peewee.SqliteDatabase):
        db._pragmas = tuple(SQLITE_PRAGMAS.items())
    try:
        db.connect()
    except peewee.DatabaseError as exc:  # refused, unknown host, a bad option in the URL
        reason = locations.first_line(exc, url)
        raise UserError(f"cannot connect to {locations.shown(url)}: {reason}") from None
    return db


def _server_database(url: str) -> peewee.Database:
    """As peewee's ``db_url.connect``, with a class that lives through a server's outage (see
    :mod:`pipeline_tui.store.link`) and a percent-encoded user and password decoded, as
    libpq decodes them in its own URLs."""
    from urllib.parse import urlparse

    from playhouse.db_url import parseresult_to_dict, schemes

    parsed = urlparse(url)
    database_class = schemes.get(parsed.scheme)
    if database_class is None:
        raise UserError(f"cannot use database URL {locations.shown(url)}: unknown scheme {parsed.scheme!r}")
    settings = parseresult_to_dict(parsed, unquote_password=True, unquote_user=True)
    if not settings.get("database"):
        raise UserError(
            f"{locations.shown(url)} names no database: write it last, as in postgresql://host/dbname"
        )
    database_class = link.surviving(database_class)
    if issubclass(database_class, link.ServerLink):
        settings = link.patience() | settings
    db = database_class(**settings)
    if isinstance(db, link.ServerLink):
        db.location = url
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
    unless not ``counted``: what it writes changes nothing another program shows. A server
    found gone is refused in words, the transaction whole or not at all (see
    :func:`_write_to_server`).
    """

    def bumped() -> T:
        result = fn()
        if counted:
            _bump_revision()
        return result

    db = models.database.obj
    if not is_sqlite(db):
        return _write_to_server(bumped, attempts)
    return _write(db, bumped, attempts)


def _write(db: peewee.Database, fn: Callable[[], T], attempts: int) -> T:
    delay = 0.05
    for attempt in range(attempts):
        try:
            with db.atomic("IMMEDIATE") if is_sqlite(db) else db.atomic():
                return fn()
        except (peewee.OperationalError, sqlite3.OperationalError) as exc:
            busy = _is_busy(_first_cause(exc))
            if not busy or attempt == attempts - 1:
                if busy:
                    raise UserError(
                        "the database stayed busy (another program is writing); try again"
                    ) from exc
                raise _refused(exc) from exc
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
        except (peewee.DatabaseError, sqlite3.DatabaseError) as exc:
            raise _refused(exc) from exc
    raise AssertionError("unreachable")


def _write_to_server(fn: Callable[[], T], attempts: int) -> T:
    """A write while the server is known gone is refused at once. A connection found dropped
    (the server restarted since the last statement) is made again and the transaction run once
    more: it had not been committed, so nothing of it was kept. Only a connection lost while
    committing leaves the outcome unknown, and the message says so."""
    if link.is_down():
        raise ServerLost(f"{models.database.obj.lost}; nothing was saved")
    committing = False

    def whole() -> T:
        nonlocal committing
        committing = False
        result = fn()
        committing = True  # the statements are done: what fails from here on is the commit
        return result

    for again in (False, True):
        try:
            return _write(models.database.obj, whole, attempts)
        except ServerLost as exc:
            if committing:
                raise _lost_while_committing(exc) from exc
            if again or not link.reconnect():
                raise ServerLost(f"{exc}; nothing was saved") from exc
    raise AssertionError("unreachable")


def _lost_while_committing(exc: ServerLost) -> ServerLost:
    return ServerLost(
        f"{exc}, while saving: the change may or may not have been kept; look once the server is back",
        maybe_saved=True,
    )


def _bump(_marks: list[int]) -> peewee.Query:
    return models.Revision.update(counter=models.Revision.counter + 1)


def _bump_revision() -> None:
    """Count one more write (other processes poll the counter to see changes)."""
    run_built(_bump, ())


def _refused(exc: Exception) -> UserError:
    """A write the database would not take (a full disk, a vanished server): said in one line.
    The action was one transaction, so nothing of it was saved."""
    if is_disk_full(exc):
        _give_back_space()
        return UserError(f"{DISK_FULL}: the database could not grow; nothing was saved")
    cause = _first_cause(exc)
    first_line = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return UserError(f"the database refused the change ({first_line}); nothing was saved")


def _first_cause(exc: Exception) -> BaseException:
    """What really failed: SQLite undoes a transaction itself on some errors (a full disk), and
    peewee's own rollback then fails with "no transaction is active", hiding the first error."""
    for cause in causes(exc):
        if "no transaction is active" not in str(cause):
            return cause
    return exc


def _give_back_space() -> None:
    """After a write that filled the disk, empty the write-ahead log it grew: left alone, it
    keeps the disk full for as long as any other connection (the open app) holds the file."""
    db = models.database.obj
    if is_sqlite(db):
        try:
            db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except peewee.DatabaseError:
            pass  # a reader still holds it: SQLite removes the log when the last one closes


def close_database(*, optimize: bool = True) -> None:
    """Close the connection, first letting SQLite refresh its planner statistics if they are
    stale (``PRAGMA optimize``, as SQLite advises on closing)."""
    db = models.database.obj
    if db is None or db.is_closed():
        return
    try:
        if optimize and is_sqlite(db) and not getattr(db, "only_reads", False):
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
    except (peewee.DatabaseError, ServerLost):
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
