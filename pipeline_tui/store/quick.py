"""A quick read of a SQLite file with the standard library's sqlite3 alone, for the commands
that run at every shell prompt (``pipeline-tui due``, ``agenda``): peewee and the models are most of their
time, and such a command reads a few columns of a file that is already at the current schema.

Anything else (a server, a URL, no file, an empty, foreign, older or newer one, a damaged one)
goes through :func:`pipeline_tui.store.db.open_database`, which upgrades or refuses it in words.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from pipeline_tui.store.schema_version import SCHEMA_VERSION

OUR_TABLES = frozenset({"pipeline", "stage", "prospect", "follow_up"})
READ_HERE = OUR_TABLES | {"cadence_run"}  # what the quick reads need of a current file

Read = Callable[[str, Sequence[object]], list[tuple]]
"""Runs one SELECT written with ``?`` placeholders and returns its rows."""


def current_file(location: str) -> sqlite3.Connection | None:
    """A connection to ``location`` if it is a plain path to a pipeline-tui SQLite file at this
    program's schema; None for anything that needs the full opening."""
    if "://" in location:
        return None
    path = os.path.expanduser(location)
    if not os.path.isfile(path):  # also False for a name too long, which the full opening says
        return None
    connection = None
    try:
        connection = sqlite3.connect(path, timeout=10)
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        found = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = {name for (name,) in found}
    except sqlite3.Error:  # not a database, or damaged: the full opening tells which
        if connection is not None:
            connection.close()
        return None
    if version != SCHEMA_VERSION or not READ_HERE <= tables:
        connection.close()
        return None
    return connection


def _as_stored(value: object) -> object:
    """A moment as SQLite holds it (the text the models write: ``2026-11-26 09:30:00``)."""
    return value.isoformat(" ") if isinstance(value, datetime) else value


@contextmanager
def reader(location: str, *, quick: bool = True) -> Iterator[Read]:
    """Read the database at ``location``: through sqlite3 alone when it is a current SQLite file
    (and ``quick``), else opened in full, read-only (the models then bound to it)."""
    connection = current_file(location) if quick else None
    if connection is None:
        from pipeline_tui.store.db import open_database

        yield database_read(open_database(location, create=False, read_only=True))
        return
    try:
        yield lambda sql, params: connection.execute(sql, [_as_stored(p) for p in params]).fetchall()
    finally:
        connection.close()


def database_read(db) -> Read:
    """A :data:`Read` over a database opened in full (a peewee database, either engine)."""
    return lambda sql, params: db.execute_sql(sql.replace("?", db.param), params).fetchall()
