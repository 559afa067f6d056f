"""Consistent copies of a live SQLite database through SQLite's online backup API."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

import peewee

from pipeline_tui.errors import UserError


def backup_to(db: peewee.Database, target: str | os.PathLike) -> Path:
    """Copy the open SQLite database to ``target`` (created private), consistent under writes."""
    if not isinstance(db, peewee.SqliteDatabase):
        raise UserError("backup copies SQLite files; for PostgreSQL use pg_dump")
    target = Path(target).expanduser()
    if target.exists():
        raise UserError(f"{target} already exists; choose another file")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    except OSError as exc:
        raise UserError(f"cannot write {target}: {exc.strerror}") from exc
    destination = sqlite3.connect(str(target))
    try:
        db.connection().backup(destination)
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()
    return target


def default_backup_name(db: peewee.Database, label: str) -> Path:
    source = Path(db.database)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")  # a file name, not a figure: the real clock
    return source.with_name(f"{source.stem}.{label}-{stamp}{source.suffix or '.db'}")


def backup_before_upgrade(db: peewee.Database, version: int) -> Path:
    """Write ``<name>.schema<N>-<stamp>.db`` next to the file before migrating it."""
    return backup_to(db, default_backup_name(db, f"schema{version}"))
