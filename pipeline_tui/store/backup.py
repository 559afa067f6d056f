"""Consistent copies of a live SQLite database through SQLite's online backup API."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import peewee

from pipeline_tui.errors import UserError


def backup_to(
    db: peewee.Database,
    target: str | os.PathLike,
    *,
    replace: bool = False,
    keep_away: Iterable[str | os.PathLike] = (),
) -> Path:
    """Copy the open SQLite database to ``target`` (created private, in private folders),
    consistent under writes. A damaged database is refused: its copy would be damaged too, and
    would be trusted as a good one. The copy is written whole or not at all (see
    :mod:`pipeline_tui.io.files`): a full disk leaves no file behind to block the next try."""
    from pipeline_tui.io.files import write_private_with

    if not isinstance(db, peewee.SqliteDatabase):
        raise UserError("backup copies SQLite files; for PostgreSQL use pg_dump")
    refuse_damaged(db)
    target = Path(target).expanduser()
    keep_away = [
        db.database,
        *(f"{db.database}{suffix}" for suffix in ("-wal", "-shm", "-journal")),
        *keep_away,
    ]

    def fill(temporary: Path) -> None:
        destination = sqlite3.connect(str(temporary))
        try:
            db.connection().backup(destination)
            destination.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            destination.close()

    write_private_with(target, fill, replace=replace, keep_away=keep_away, make_folders=True)
    return target


def refuse_damaged(db: peewee.SqliteDatabase) -> None:
    """Refuse to go on with a database whose pages SQLite finds damaged (``PRAGMA quick_check``)."""
    try:
        rows = db.execute_sql("PRAGMA quick_check").fetchall()
    except (peewee.DatabaseError, sqlite3.DatabaseError) as exc:  # too damaged even to check
        rows = [(str(exc),)]
    if rows == [("ok",)]:
        return
    # each row may hold several lines, under a "*** in database main ***" heading
    found = [line for (text,) in rows for line in str(text).splitlines() if not line.startswith("***")]
    more = f", and {len(found) - 1:,} more problems" if len(found) > 1 else ""
    raise UserError(
        f"{db.database} is damaged ({found[0] if found else 'quick_check failed'}{more}); no copy made, "
        "as it would carry the damage: restore your last good backup, or try `sqlite3 FILE .recover`"
    )


def default_backup_name(db: peewee.Database, label: str) -> Path:
    source = Path(db.database)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")  # a file name, not a figure: the real clock
    return source.with_name(f"{source.stem}.{label}-{stamp}{source.suffix or '.db'}")


def backup_before_upgrade(db: peewee.Database, version: int) -> Path:
    """Write ``<name>.schema<N>-<stamp>.db`` next to the file before migrating it."""
    return backup_to(db, default_backup_name(db, f"schema{version}"))
