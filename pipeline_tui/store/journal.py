"""Undo for the TUI: each write action records the rows it changed, and can be rolled back.

Before a row is updated its old values are kept; a row inserted is remembered by id. Undoing
restores the old values and deletes the inserted rows, in one transaction.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

import peewee

from pipeline_tui.store import activity

_current: ContextVar[Change | None] = ContextVar("pipeline_tui_change", default=None)

# Columns the database keeps (triggers, and the stored score and search text: see
# services.scores) are not an action's to put back: another program may have changed what
# they sum up meanwhile.
_KEPT_BY_THE_DATABASE = {"prospect": frozenset((*activity.COLUMNS, "score", "search_text", "fresh_until"))}


@dataclass
class Change:
    """The rows one action inserted and the old values of those it updated."""

    label: str
    updated: list[tuple[type[peewee.Model], int, dict]] = field(default_factory=list)
    inserted: list[tuple[type[peewee.Model], int]] = field(default_factory=list)
    deleted: list[tuple[type[peewee.Model], dict]] = field(default_factory=list)  # every value, id too

    def __bool__(self) -> bool:
        return bool(self.updated or self.inserted or self.deleted)

    def prospect_id(self) -> int | None:
        """The prospect the action was about (the first one it changed): the screen selects it
        once the action is undone."""
        for model, row_id, values in self.updated:
            if model.__name__ == "Prospect":
                return row_id
            if isinstance(values.get("prospect"), int):
                return values["prospect"]
        return None


def begin(label: str) -> Change:
    change = Change(label)
    _current.set(change)
    return change


def end() -> None:
    _current.set(None)


def before_update(instance: peewee.Model) -> None:
    """Remember a row's values before the action changes it (once per row per action)."""
    change = _current.get()
    if change is None:
        return
    model = type(instance)
    if any(m is model and i == instance.id for m, i, _ in change.updated):
        return
    kept = _KEPT_BY_THE_DATABASE.get(model._meta.table_name, ())
    values = {name: value for name, value in instance.__data__.items() if name != "id" and name not in kept}
    change.updated.append((model, instance.id, values))


def after_insert(model: type[peewee.Model], row_id: int) -> None:
    change = _current.get()
    if change is not None:
        change.inserted.append((model, row_id))


def before_delete(instance: peewee.Model) -> None:
    """Remember every value of a row the action deletes, so that undo puts it back as it was."""
    change = _current.get()
    if change is not None:
        change.deleted.append((type(instance), dict(instance.__data__)))


def revert(change: Change) -> None:
    """Put back what ``change`` altered; call inside a write transaction."""
    for model, values in reversed(change.deleted):
        model.insert(**values).execute()
    for model, row_id in reversed(change.inserted):
        model.delete().where(model.id == row_id).execute()
    for model, row_id, values in reversed(change.updated):
        model.update(**values).where(model.id == row_id).execute()
