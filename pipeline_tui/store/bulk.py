"""Bulk inserts at the driver's speed, for demo data and CSV import.

Peewee's ``insert_many`` costs about 17× a plain ``executemany`` at 100,000 rows (NOTES), so bulk
paths convert values themselves and hand them to the driver inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

import peewee

from pipeline_tui.store import models


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def insert_rows(model: type[peewee.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Insert rows (tuples in ``columns`` order) into the model's table with ``executemany``."""
    db = models.database.obj
    table = model._meta.table_name
    names = ", ".join(f'"{model._meta.fields[c].column_name}"' for c in columns)
    marks = ", ".join([db.param] * len(columns))
    sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'
    if isinstance(db, peewee.SqliteDatabase):
        convert = _sqlite_value
        rows = ([convert(v) for v in row] for row in rows)
        db.connection().executemany(sql, rows)
    else:
        with db.cursor() as cursor:
            cursor.executemany(sql, list(rows))


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
