"""Each open prospect's advice, stored beside its score (schema 11) so that the report of a big
pipeline reads it instead of running every rule over every prospect.

``services.scores`` works it out with the pure core (``core.advice``) whenever it works out
the prospect's score, and the row's ``fresh_until`` says until when both hold (see
``store.freshness``). A message whose wording reads the clock is kept without that phrase:
the report words it at the moment it is read (``core.advice.worded``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import peewee

from pipeline_tui.core.dates import moment_reader
from pipeline_tui.store import models

TABLE = "stored_advice"
CHUNK = 500  # ids per DELETE (SQLite's limit on parameters is far above it)


def install(db: peewee.Database) -> None:
    """Create the table (in the caller's transaction). On SQLite the rows lie in prospect
    order (``WITHOUT ROWID``), which is how the report and a prospect's rewrite read them."""
    sqlite = isinstance(db, peewee.SqliteDatabase)
    moment, real = ("DATETIME", "REAL") if sqlite else ("TIMESTAMP", "DOUBLE PRECISION")
    db.execute_sql(
        f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        prospect_id INTEGER NOT NULL REFERENCES prospect (id) ON DELETE CASCADE,
        code VARCHAR(40) NOT NULL,
        message TEXT NOT NULL,
        moment {moment},
        tail TEXT NOT NULL,
        value {real} NOT NULL,
        PRIMARY KEY (prospect_id, code)
        ){" WITHOUT ROWID" if sqlite else ""}"""
    )


def replace(ids: Sequence[int], pieces: list[tuple]) -> None:
    """Put ``pieces`` (prospect id, code, message, when, tail, weighted value) in place of
    whatever these prospects had, in the caller's transaction."""
    db = models.database.obj
    param = db.param
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        marks = ", ".join([param] * len(chunk))
        db.execute_sql(f"DELETE FROM {TABLE} WHERE prospect_id IN ({marks})", chunk)
    if not pieces:
        return
    sql = f"INSERT INTO {TABLE} VALUES ({', '.join([param] * 6)})"
    rows = [(pid, code, message, None if when is None else str(when), tail, value)
            for pid, code, message, when, tail, value in pieces]  # fmt: skip
    if isinstance(db, peewee.SqliteDatabase):
        db.connection().executemany(sql, rows)
    else:
        with db.cursor() as cursor:
            cursor.executemany(sql, rows)


def fresh(now: datetime, open_stage_ids: Sequence[int]) -> list[tuple]:
    """The stored advice of every live open prospect whose advice holds at ``now``: (prospect
    id, its name, code, message, when, tail, weighted value), as they lie."""
    if not open_stage_ids:
        return []
    db = models.database.obj
    param = db.param
    sql = (
        f"SELECT a.prospect_id, p.name, a.code, a.message, a.moment, a.tail, a.value"
        f" FROM {TABLE} a JOIN prospect p ON p.id = a.prospect_id"
        f" WHERE p.fresh_until > {param} AND p.archived = {param}"
        f" AND p.stage_id IN ({', '.join([param] * len(open_stage_ids))})"
    )
    parse = moment_reader()  # (each distinct moment parsed once)
    return [
        (pid, name, code, message, parse(when), tail, value)
        for pid, name, code, message, when, tail, value in db.execute_sql(
            sql, [str(now), False, *open_stage_ids]
        )
    ]


def not_fresh(now: datetime, open_stage_ids: Sequence[int]) -> list[int]:
    """The live open prospects whose stored advice does not hold at ``now``."""
    if not open_stage_ids:
        return []
    db = models.database.obj
    param = db.param
    sql = (
        f"SELECT id FROM prospect WHERE (fresh_until IS NULL OR fresh_until <= {param})"
        f" AND archived = {param} AND stage_id IN ({', '.join([param] * len(open_stage_ids))})"
    )
    return [pid for (pid,) in db.execute_sql(sql, [str(now), False, *open_stage_ids]).fetchall()]
