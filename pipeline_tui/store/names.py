"""Names for the shell's tab completion, read with the database driver alone: a completion runs
at every tab, and importing peewee and the models would cost more than all the rest of it.

Nothing here writes, creates a file or waits: a database that cannot be read right now
completes to nothing.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from pipeline_tui.core.printable import is_printable

LIMIT = 500  # a shell asks before listing more than a screenful anyway


def prospect_names(location: str, prefix: str, *, archived: bool = False) -> list[str]:
    return _names(
        location,
        "SELECT name FROM prospect WHERE archived = ? AND lower(name) LIKE ? ESCAPE '\\' "
        f"ORDER BY name LIMIT {LIMIT}",
        (archived, _starting_with(prefix)),
    )


def organization_names(location: str, prefix: str) -> list[str]:
    return _names(
        location,
        f"SELECT name FROM organization WHERE lower(name) LIKE ? ESCAPE '\\' ORDER BY name LIMIT {LIMIT}",
        (_starting_with(prefix),),
    )


def _starting_with(prefix: str) -> str:
    """A LIKE pattern for names that start with ``prefix``, its wildcards taken literally."""
    return prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def stage_names(location: str, pipeline: str | None = None) -> list[str]:
    return _names(
        location,
        "SELECT stage.name FROM stage JOIN pipeline ON pipeline.id = stage.pipeline_id "
        "WHERE CAST(? AS TEXT) IS NULL OR lower(pipeline.name) = lower(?) "
        "ORDER BY pipeline.position, stage.position",
        (pipeline, pipeline),
    )


def pipeline_names(location: str) -> list[str]:
    return _names(location, "SELECT name FROM pipeline ORDER BY position, id", ())


def _names(location: str, sql: str, params: tuple) -> list[str]:
    scheme, _, rest = location.partition("://")
    if not rest:
        rows = _file_rows(location, sql, params)
    elif scheme.startswith("sqlite"):  # peewee's sqlite:///relative.db, sqlite:////absolute.db
        rows = _file_rows(rest[1:].partition("?")[0], sql, params)
    else:  # peewee's postgresql+pool://, psycopg3://...: the same server, as libpq names it
        rows = _server_rows(f"postgresql://{rest}", sql, params)
    # a name that would act on the terminal could not be typed anyway; a zero-width joiner or
    # non-joiner, a no-break space, a right-to-left mark can (str.isprintable refuses those too)
    unique = dict.fromkeys(name for name in rows if isinstance(name, str) and is_printable(name))
    return list(unique)


def _file_rows(location: str, sql: str, params: tuple) -> list:
    path = Path(location).expanduser()
    try:
        if not path.is_file():
            return []
        # Read-only, creating nothing: with no write-ahead log beside it, no one is writing,
        # and the file is read as it lies; with one, SQLite reads through it.
        live = Path(f"{path}-wal").exists()
        uri = path.resolve().as_uri() + ("?mode=ro" if live else "?immutable=1")
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=0.2)) as connection:
            return [row[0] for row in connection.execute(sql, params)]
    except (sqlite3.Error, OSError, ValueError):
        return []


def _server_rows(location: str, sql: str, params: tuple) -> list:
    try:
        import psycopg
    except ImportError:
        return []
    try:
        with psycopg.connect(location, connect_timeout=2) as connection:
            connection.read_only = True
            return [row[0] for row in connection.execute(sql.replace("?", "%s"), params)]
    except psycopg.Error:
        return []
