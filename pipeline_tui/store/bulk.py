"""Bulk inserts at the driver's speed, for demo data and CSV import.

Peewee's ``insert_many`` costs about 17× a plain ``executemany`` at 100,000 rows (NOTES), so bulk
paths hand their rows straight to the driver (dates and times included: see the adapters in
:mod:`pipeline_tui.store.db`) inside the caller's transaction. On SQLite a big insert into a
smaller table drops the table's secondary indexes and builds them again afterwards: building
an index once from all the rows is several times faster than updating it row by row. Its
triggers are dropped with them (each would search a table without its indexes: 20,000 demo
prospects took minutes) and made again: the stages' totals are summed up anew here, and the
caller writes the rest of what they would have kept (the activity summary). New prospects'
scores and search texts are worked out when first read (``services.scores``), unless the
caller wrote them with the rows (an import does); the index of texts is made again later
(``store.search``).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import peewee

from pipeline_tui.errors import UserError
from pipeline_tui.store import models, search, totals

DEFER_INDEXES_FROM = 10_000  # rows


def _deferred(db: peewee.SqliteDatabase, table: str) -> list[tuple[str, str, str]]:
    """The table's secondary indexes and its triggers: (type, name, the SQL that makes it)."""
    query = (
        "SELECT type, name, sql FROM sqlite_master"
        " WHERE type IN ('index', 'trigger') AND tbl_name = ? AND sql IS NOT NULL"
    )
    return list(db.execute_sql(query, (table,)).fetchall())


def insert_rows(
    model: type[peewee.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence],
    *,
    insert_triggers: bool = True,
) -> bool:
    """Insert rows (tuples in ``columns`` order) into the model's table with ``executemany``;
    whether the table's insert triggers ran. Without ``insert_triggers``, the caller has written
    what they would (new rows of its own), and SQLite sets them aside meanwhile: each would
    update a row of another table, one by one."""
    if not rows:
        return False
    with inserting(model, columns, len(rows), insert_triggers=insert_triggers) as insert:
        insert.rows(rows)
    return insert.fired


class Inserting:
    """Rows going into one table in parts (see :func:`inserting`)."""

    def __init__(self, model: type[peewee.Model], columns: Sequence[str], fired: bool) -> None:
        self.db = models.database.obj
        self.table = model._meta.table_name
        self.names = ", ".join(f'"{model._meta.fields[c].column_name}"' for c in columns)
        self.width = len(columns)
        self.fired = fired  # whether the table's insert triggers run

    def rows(self, rows: Sequence[Sequence]) -> None:
        """Rows as tuples, bound by the driver."""
        marks = ", ".join([self.db.param] * self.width)
        sql = f'INSERT INTO "{self.table}" ({self.names}) VALUES ({marks})'
        if isinstance(self.db, peewee.SqliteDatabase):
            self.db.connection().executemany(sql, rows)
            return
        with self.db.cursor() as cursor:
            cursor.executemany(sql, list(rows))

    def copied(self, path: str) -> None:
        """The rows :func:`rows_to_file` wrote to ``path`` (a SQLite file of :func:`side_file`),
        copied by SQLite itself: no value goes through Python."""
        if not any(row[2] == path for row in self.db.execute_sql("PRAGMA database_list")):
            self.db.execute_sql(f"ATTACH DATABASE ? AS {_SIDE}", (path,))
        self.db.execute_sql(f'INSERT INTO "{self.table}" ({self.names}) SELECT * FROM {_SIDE}.rows')


@contextmanager
def inserting(
    model: type[peewee.Model], columns: Sequence[str], count: int, *, insert_triggers: bool = True
) -> Iterator[Inserting]:
    """Insert ``count`` rows into the model's table in parts (:meth:`Inserting.rows`,
    :meth:`Inserting.copied`); on SQLite, a big insert into a smaller table sets the table's
    indexes and triggers aside until the block ends, and without ``insert_triggers`` its insert
    triggers (see :func:`insert_rows`)."""
    db = models.database.obj
    table = model._meta.table_name
    if not isinstance(db, peewee.SqliteDatabase):
        yield Inserting(model, columns, True)
        return
    rebuilt = count >= DEFER_INDEXES_FROM and _count(db, table) < count
    deferred = _deferred(db, table) if rebuilt or not insert_triggers else []
    if not rebuilt:  # the indexes stay, and only the insert triggers are set aside
        deferred = [made for made in deferred if _on_insert(made)]
    for kind, name, _ in deferred:
        db.execute_sql(f'DROP {kind.upper()} "{name}"')
    yield Inserting(model, columns, not deferred)
    for _, _, create in deferred:
        db.execute_sql(create)
    if rebuilt and table == "prospect":  # what the dropped triggers would have kept
        totals.rebuild(db)
        search.set_out_of_date(db)


_SIDE = "side_rows"  # the name a side file is attached under


@contextmanager
def side_file() -> Iterator[str]:
    """The path of a new, empty SQLite file beside the database, for a forked child to fill
    (:func:`rows_to_file`) while this process inserts rows of its own; removed when the block
    ends, which must be outside the transaction (SQLite detaches a file only then)."""
    db = models.database.obj
    folder = os.path.dirname(os.path.abspath(db.database)) if db.database not in ("", ":memory:") else None
    handle, path = tempfile.mkstemp(dir=folder, prefix=".import-", suffix=".part")
    os.close(handle)
    try:
        yield path
    finally:
        try:
            if any(row[2] == path for row in db.execute_sql("PRAGMA database_list")):
                db.execute_sql(f"DETACH DATABASE {_SIDE}")
        finally:
            for name in (path, path + "-journal"):
                Path(name).unlink(missing_ok=True)


def rows_to_file(path: str, rows: Sequence[Sequence]) -> None:
    """Write rows (tuples of one length) to the SQLite file at ``path`` through a connection of
    its own (a forked child must not use its parent's), with no journal: a child that fails
    writes nothing its parent reads (it copies the file only from a child that finished)."""
    if not rows:
        raise ValueError("no rows to write")
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        width = len(rows[0])
        connection.execute(f"CREATE TABLE rows ({', '.join(f'c{n}' for n in range(width))})")
        connection.execute("BEGIN")
        connection.executemany(f"INSERT INTO rows VALUES ({', '.join(['?'] * width)})", rows)
        connection.execute("COMMIT")
    finally:
        connection.close()


def _count(db: peewee.SqliteDatabase, table: str) -> int:
    return db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


def _on_insert(made: tuple[str, str, str]) -> bool:
    kind, _, sql = made
    return kind == "trigger" and " INSERT ON " in " ".join(sql.upper().split())


@contextmanager
def references_checked_by_caller() -> Iterator[None]:
    """SQLite's foreign-key checks off for a bulk write (they cost a tenth of an import), whose
    caller checks the rows its new rows point at, once each, inside its transaction
    (:func:`require_rows`). SQLite takes the setting only outside a transaction: inside one,
    the checks stay on."""
    db = models.database.obj
    if not isinstance(db, peewee.SqliteDatabase) or db.in_transaction():
        yield
        return
    db.execute_sql("PRAGMA foreign_keys = 0")
    try:
        yield
    finally:
        db.execute_sql("PRAGMA foreign_keys = 1")


def require_rows(model: type[peewee.Model], ids: Collection[int], what: str) -> None:
    """Refuse the write if a row of ``model`` that new rows point at is gone (another program
    deleted it since the rows were checked): a foreign key's check, once per row pointed at."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return
    db = models.database.obj
    marks = ", ".join([db.param] * len(wanted))
    sql = f'SELECT COUNT(*) FROM "{model._meta.table_name}" WHERE id IN ({marks})'
    if db.execute_sql(sql, wanted).fetchone()[0] != len(wanted):
        raise UserError(f"{what} was deleted meanwhile (by another program); nothing was saved")


def next_id(model: type[peewee.Model]) -> int:
    """The first free id, read inside the write transaction so it cannot be taken meanwhile."""
    return (model.select(peewee.fn.MAX(model.id)).scalar() or 0) + 1


def sync_sequence(model: type[peewee.Model]) -> None:
    """After inserting explicit ids on PostgreSQL, move the id sequence past them."""
    db = models.database.obj
    if isinstance(db, peewee.PostgresqlDatabase):
        table = model._meta.table_name
        db.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
        )


def refresh_statistics() -> None:
    """Let the query planner see the new rows (SQLite plans by statistics that ANALYZE keeps;
    without them it scans 100,000 prospects where an index would read a few hundred)."""
    db = models.database.obj
    if isinstance(db, peewee.SqliteDatabase):
        db.execute_sql("ANALYZE")
