"""SQL that peewee builds once per shape of query, then runs again with other values.

Building a query's SQL in peewee costs more than SQLite takes to run it on a few rows, and
every action on a card reads and writes it through half a dozen small queries. Each is built
once with stand-in values (markers), and later runs put the real values where the markers
went.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import peewee

from pipeline_tui.store import models

# (query as built, sql, params, where each value goes in params), by (database type, shape, count)
_built: dict[tuple, tuple[peewee.Query, str, list, list[tuple[int, int]]]] = {}
_MARK = -(2**62)  # stands for the i-th value while the SQL is built: no real id or value is this
KEEP_UP_TO = 8  # values: the few ids of an action; a longer list is not worth keeping


def marker(value: int) -> peewee.Value:
    """A marker as a value peewee passes through as it is (not converted by a field)."""
    return peewee.Value(value, converter=False)


def run_built(shape: tuple, build: Callable[[list[int]], peewee.Query], values: Sequence = ()):
    """Run ``build(markers)`` with ``values`` in place of the markers. ``shape`` must name
    everything else the query depends on; values must be as the database stores them (a
    field's ``db_value``). Returns the query as built, and the cursor."""
    db = models.database.obj
    key = (type(db), shape, len(values))
    entry = _built.get(key)
    if entry is None:
        marks = [_MARK - i for i in range(len(values))]
        query = build(marks)
        sql, params = db.get_sql_context().sql(query).query()
        slots = [(at, _MARK - value) for at, value in enumerate(params) if _is_mark(value, len(marks))]
        entry = (query, sql, params, slots)
        if len(values) <= KEEP_UP_TO:
            _built[key] = entry
    query, sql, params, slots = entry
    if slots:
        params = list(params)
        for at, index in slots:
            params[at] = values[index]
    return query, db.execute_sql(sql, params)


def _is_mark(value: object, count: int) -> bool:
    return type(value) is int and _MARK - count < value <= _MARK


def forget_built() -> None:
    """Build every query afresh (tests count builds)."""
    _built.clear()
