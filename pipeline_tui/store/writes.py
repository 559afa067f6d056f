"""Writing one row: an UPDATE of the fields an action changed, an INSERT of a new row.

Their SQL is built once per shape (``store.built``): peewee took longer to build a move's
UPDATE and INSERT than SQLite took to run them, on every move of a card.
"""

from __future__ import annotations

from collections.abc import Sequence

import peewee

from pipeline_tui.store import models
from pipeline_tui.store.built import marker, run_built


def _update(model: type[peewee.Model], names: tuple[str, ...], marks: list[int]) -> peewee.Query:
    changes = {model._meta.fields[name]: marker(mark) for name, mark in zip(names, marks, strict=False)}
    return model.update(changes).where(model._meta.primary_key == marker(marks[-1]))


def update_row(instance: peewee.Model, names: Sequence[str]) -> None:
    """Write the named fields of a row, found by its id."""
    model = type(instance)
    fields = [model._meta.fields[name] for name in names]
    values = [field.db_value(instance.__data__.get(field.name)) for field in fields]
    run_built(_update, (model, tuple(names)), [*values, instance.get_id()])


def _insert(
    model: type[peewee.Model], names: tuple[str, ...], returning: bool, marks: list[int]
) -> peewee.Query:
    query = model.insert(
        {model._meta.fields[name]: marker(mark) for name, mark in zip(names, marks, strict=True)}
    )
    return query.returning(model._meta.primary_key) if returning else query


def insert_row(instance: peewee.Model) -> int:
    """Insert a new row with every field the instance holds (defaults included, so that none
    is built into the SQL); returns its id."""
    model = type(instance)
    key = model._meta.primary_key
    data = instance.__data__
    fields = [field for field in model._meta.sorted_fields if field is not key and field.name in data]
    returning = bool(models.database.obj.returning_clause)
    values = [field.db_value(data[field.name]) for field in fields]
    cursor = run_built(_insert, (model, tuple(field.name for field in fields), returning), values)
    return cursor.fetchall()[0][0] if returning else cursor.lastrowid  # all: the statement ends
