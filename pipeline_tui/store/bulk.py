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

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager

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
    db = models.database.obj
    table = model._meta.table_name
    names = ", ".join(f'"{model._meta.fields[c].column_name}"' for c in columns)
    marks = ", ".join([db.param] * len(columns))
    sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
    if isinstance(db, peewee.SqliteDatabase):
        rebuilt = len(rows) >= DEFER_INDEXES_FROM and _count(db, table) < len(rows)
        deferred = _deferred(db, table) if rebuilt or not insert_triggers else []
        if not rebuilt:  # the indexes stay, and only the insert triggers are set aside
            deferred = [made for made in deferred if _on_insert(made)]
        for kind, name, _ in deferred:
            db.execute_sql(f'DROP {kind.upper()} "{name}"')
        db.connection().executemany(sql, rows)
        for _, _, create in deferred:
            db.execute_sql(create)
        if rebuilt and table == "prospect":  # what the dropped triggers would have kept
            totals.rebuild(db)
            search.set_out_of_date(db)
        return not deferred
    with db.cursor() as cursor:
        cursor.executemany(sql, list(rows))
    return True


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
