"""SQL that peewee builds once per shape of query, then runs again with other values.

Building a query's SQL in peewee costs more than SQLite takes to run it on a few rows
(docs/performance.md), and every key on the board reads and writes
through a few small queries. Each is built once with stand-in values (markers), and later
runs put the real values where the markers went.

The cache cannot run the wrong SQL: a builder is a function of module level taking all it
depends on as arguments (``shape``, then the markers), with nothing captured from around it,
and the cache is keyed by the builder itself and those arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

import peewee

from pipeline_tui.store import models

Builder = Callable[..., peewee.Query]

# (sql, params, where each value goes in params), by (database type, builder, shape, count)
_built: dict[tuple, tuple[str, list, list[tuple[int, int]]]] = {}
_MARK = -(2**62)  # stands for the i-th value while the SQL is built: no real id or value is this
KEEP_UP_TO = 2000  # values: an action's few ids, a window's, a chunk's (services.scores)


def marker(value: int) -> peewee.Value:
    """A marker as a value peewee passes through as it is (not converted by a field)."""
    return peewee.Value(value, converter=False)


def built_sql(build: Builder, shape: tuple[Hashable, ...], values: Sequence = ()) -> tuple[str, list]:
    """The SQL of ``build(*shape, markers)`` and its parameters, ``values`` where the markers
    went (values as the database stores them: a field's ``db_value``)."""
    if build.__closure__ or build.__defaults__ or build.__kwdefaults__ or "<locals>" in build.__qualname__:
        raise TypeError(f"{build.__qualname__}: a builder takes all it depends on as arguments")
    db = models.database.obj
    key = (type(db), build, shape, len(values))
    entry = _built.get(key)
    if entry is None:
        marks = [_MARK - i for i in range(len(values))]
        sql, params = db.get_sql_context().sql(build(*shape, marks)).query()
        slots = [(at, _MARK - value) for at, value in enumerate(params) if _is_mark(value, len(marks))]
        entry = (sql, params, slots)
        if len(values) <= KEEP_UP_TO:
            _built[key] = entry
    sql, params, slots = entry
    if slots:
        params = list(params)
        for at, index in slots:
            params[at] = values[index]
    return sql, params


def run_built(build: Builder, shape: tuple[Hashable, ...], values: Sequence = ()):
    """Run ``build(*shape, markers)`` with ``values`` in place of the markers: the cursor."""
    return models.database.obj.execute_sql(*built_sql(build, shape, values))


def models_built(model: type[peewee.Model], build: Builder, shape: tuple, values: Sequence = ()) -> list:
    """Rows of ``model`` from a built query that selects its columns, each value converted by
    its field as peewee would (peewee's own raw queries do that)."""
    sql, params = built_sql(build, shape, values)
    return list(model.raw(sql, *params))


def _is_mark(value: object, count: int) -> bool:
    return type(value) is int and _MARK - count < value <= _MARK


def forget_built() -> None:
    """Build every query afresh (tests count builds)."""
    _built.clear()
