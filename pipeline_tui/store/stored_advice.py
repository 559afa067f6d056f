"""Each open prospect's advice, stored beside its score (schema 11) so that the report of a big
pipeline reads it instead of running every rule over every prospect.

``services.scores`` works it out with the pure core (``core.advice``) whenever it works out
the prospect's score, and the row's ``fresh_until`` says until when both hold (see
``store.freshness``). A message whose wording reads the clock is kept without that phrase:
the report words it at the moment it is read (``core.advice.worded``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
        name TEXT NOT NULL,
        code VARCHAR(40) NOT NULL,
        message TEXT NOT NULL,
        moment {moment},
        tail TEXT NOT NULL,
        value {real} NOT NULL,
        PRIMARY KEY (prospect_id, code)
        ){" WITHOUT ROWID" if sqlite else ""}"""
    )


def replace(ids: Sequence[int], pieces: list[tuple]) -> None:
    """Put ``pieces`` (prospect id, its name, code, message, when, tail, weighted value) in
    place of whatever these prospects had, in the caller's transaction."""
    db = models.database.obj
    param = db.param
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        marks = ", ".join([param] * len(chunk))
        db.execute_sql(f"DELETE FROM {TABLE} WHERE prospect_id IN ({marks})", chunk)
    if not pieces:
        return
    sql = f"INSERT INTO {TABLE} VALUES ({', '.join([param] * 7)})"
    rows = [(pid, name, code, message, None if when is None else str(when), tail, value)
            for pid, name, code, message, when, tail, value in pieces]  # fmt: skip
    if isinstance(db, peewee.SqliteDatabase):
        db.connection().executemany(sql, rows)
    else:
        with db.cursor() as cursor:
            cursor.executemany(sql, rows)


def every_piece() -> list[tuple]:
    """Every stored piece of advice as it lies: (prospect id, its name, code, message, when,
    tail, weighted value); those of rows no longer fresh too (see :func:`not_fresh`)."""
    db = models.database.obj
    parse = moment_reader()  # (each distinct moment parsed once)
    sql = f"SELECT prospect_id, name, code, message, moment, tail, value FROM {TABLE}"
    return [
        (pid, name, code, message, parse(when), tail, value)
        for pid, name, code, message, when, tail, value in db.execute_sql(sql)
    ]


def not_fresh(now: datetime) -> list[tuple[int, bool, int]]:
    """(id, archived, stage id) of every prospect whose stored score and advice do not hold at
    ``now`` (through the index of fresh_until: few, where the board looked since the last
    write): their stored advice, if any, is not theirs any more."""
    db = models.database.obj
    sql = "SELECT id, archived, stage_id FROM prospect WHERE fresh_until IS NULL OR fresh_until <= "
    return db.execute_sql(sql + db.param, [str(now)]).fetchall()


def _fresh(db: peewee.Database) -> str:
    """The condition on a stored piece whose prospect's advice holds (the complement of
    :func:`not_fresh`: its few ids looked up once), with one parameter, ``now``."""
    return (
        f"prospect_id NOT IN (SELECT id FROM prospect WHERE fresh_until IS NULL OR fresh_until <= {db.param})"
    )


def fresh_counts(now: datetime) -> dict[str, tuple[int, float]]:
    """How many stored pieces of each code hold at ``now``, and their weighted values summed."""
    db = models.database.obj
    sql = f"SELECT code, COUNT(*), SUM(value) FROM {TABLE} WHERE {_fresh(db)} GROUP BY code"
    return {code: (count, value) for code, count, value in db.execute_sql(sql, [str(now)])}


def fresh_first(now: datetime, top: int, codes: Sequence[str]) -> list[tuple]:
    """The first ``top`` stored pieces of each of these codes that hold at ``now``, as
    :func:`every_piece` gives them, each code's in the report's order (``core.advice.Advice``:
    the most valuable first, then the longest waiting, then by prospect). One ORDER BY ...
    LIMIT per code: each keeps only its few best while it scans, where ranking every piece at
    once (a window function) sorted them all, at four times the cost."""
    db = models.database.obj
    parse = moment_reader()
    param = db.param
    each = (
        f"SELECT * FROM (SELECT prospect_id, name, code, message, moment, tail, value FROM {TABLE}"
        f" WHERE code = {param} AND {_fresh(db)} ORDER BY value DESC, moment IS NULL, moment, prospect_id"
        f" LIMIT {param}) AS code_{{}}"
    )
    sql = " UNION ALL ".join(each.format(n) for n in range(len(codes)))
    if not sql:
        return []
    values = [value for code in codes for value in (code, str(now), top)]
    return [
        (pid, name, code, message, parse(when), tail, value)
        for pid, name, code, message, when, tail, value in db.execute_sql(sql, values)
    ]


def fresh_in_order(now: datetime, codes: Sequence[str]) -> Iterable[tuple]:
    """Every stored piece that holds at ``now`` as it lies (see :func:`every_piece`, the moment
    as stored), in the report's order: by code as ``codes`` rank them, then as
    :func:`fresh_first` orders a code's; read as they come (in the caller's transaction), not
    all held at once. The database sorts them, quicker than Python's sort of as many records
    (docs/performance.md says what an index on that order would cost)."""
    db = models.database.obj
    param = db.param
    rank = " ".join(f"WHEN {param} THEN {n}" for n in range(len(codes)))
    sql = (
        f"SELECT prospect_id, name, code, message, moment, tail, value FROM {TABLE} WHERE {_fresh(db)}"
        f" ORDER BY CASE code {rank} END, value DESC, moment IS NULL, moment, prospect_id"
    )
    return db.execute_sql(sql, [str(now), *codes])
