"""What every action shares: the write wrapper with undo, and finding things by what users type."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from peewee import fn

from pipeline_tui.errors import ServerLost, UserError
from pipeline_tui.services.user import current_user, set_user  # noqa: F401 (their home was here)
from pipeline_tui.store import journal, queries, writes
from pipeline_tui.store.db import run_write
from pipeline_tui.store.models import Pipeline, Prospect, Stage

P = ParamSpec("P")
T = TypeVar("T")

_undo_stack: list[journal.Change] = []
UNDO_DEPTH = 50


def action(label: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Run the decorated function as one write transaction, and remember how to undo it."""

    def decorate(function: Callable[P, T]) -> Callable[P, T]:
        @wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            change: journal.Change | None = None

            def body() -> T:
                nonlocal change
                change = journal.begin(label)
                try:
                    return function(*args, **kwargs)
                finally:
                    journal.end()

            result = run_write(body)
            if change:
                _undo_stack.append(change)
                del _undo_stack[:-UNDO_DEPTH]
            return result

        return wrapper

    return decorate


def set_undo_label(label: str) -> None:
    """Name the running action for the undo message, e.g. ``moved Acme to Trial``."""
    change = journal._current.get()
    if change is not None:
        change.label = label


def undo_last() -> str | None:
    """Undo the latest action of this process; returns what was undone, or None."""
    change = undo_last_change()
    return change.label if change is not None else None


def undo_last_change() -> journal.Change | None:
    """Undo the latest action of this process; returns it (what, and which prospect), or None."""
    if not _undo_stack:
        return None
    change = _undo_stack.pop()
    try:
        run_write(lambda: journal.revert(change))
    except ServerLost as exc:
        if not exc.maybe_saved:  # nothing was undone: it can be, once the server is back
            _undo_stack.append(change)
        raise
    return change


def can_undo() -> bool:
    return bool(_undo_stack)


def clear_undo() -> None:
    _undo_stack.clear()


def save(instance, **changes) -> None:
    """Update a row's fields, remembering its old values for undo; a prospect's version goes
    up by one, so that an edit made on an older copy can be detected."""
    journal.before_update(instance)
    for name, value in changes.items():
        setattr(instance, name, value)
    if isinstance(instance, Prospect):
        instance.version = (instance.version or 0) + 1
    changed = [field.name for field in instance.dirty_fields]
    if changed:
        writes.update_row(instance, changed)
        instance._dirty.clear()


def create(model, **values):
    """Insert a row (remembered, so that undo deletes it); returns it with its id."""
    row = model(**values)
    row.id = writes.insert_row(row)
    row._dirty.clear()
    journal.after_insert(model, row.id)
    return row


def remove(instance) -> None:
    """Delete a row (remembered whole, so that undo puts it back)."""
    journal.before_delete(instance)
    type(instance).delete().where(type(instance).id == instance.id).execute()


def find_prospect(reference: str | int, *, archived: bool = False) -> Prospect:
    """A prospect by id or by name (case-insensitive, then unique prefix); ambiguity is an error."""
    text = " ".join(str(reference).split())  # names are stored with single spaces
    base = Prospect.select().where(Prospect.archived == archived)
    if text.isdecimal() and len(text) <= 18:  # not "²" (isdigit), nor past SQLite's integers
        found = base.where(Prospect.id == int(text)).first()
        if found:
            return found
    if text.isascii():
        matches = list(base.where(fn.LOWER(Prospect.name) == text.lower()).limit(11))
        if not matches:
            matches = list(
                base.where(fn.LOWER(Prospect.name).startswith(text.lower())).order_by(Prospect.name).limit(11)
            )
    else:
        matches = _matching_names(base, text, archived)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        kind = "archived prospect" if archived else "prospect"
        raise UserError(f"no {kind} matches {text!r}")
    listed = ", ".join(f"{p.name} (id {p.id})" for p in matches[:10])
    more = " and more" if len(matches) > 10 else ""
    raise UserError(f"{text!r} matches several prospects: {listed}{more}; use the id")


def _matching_names(base, text: str, archived: bool) -> list[Prospect]:
    """Exact name, else prefix, compared in Python: SQLite's LOWER and LIKE fold ASCII only, so
    ``école`` would never find ``École``."""
    wanted = text.casefold()
    names = Prospect.select(Prospect.id, Prospect.name).where(Prospect.archived == archived).tuples()
    exact, prefixed = [], []
    for pid, name in names:
        folded = name.casefold()
        if folded == wanted:
            exact.append(pid)
        elif folded.startswith(wanted):
            prefixed.append(pid)
    ids = exact or prefixed
    if not ids:
        return []
    return list(base.where(Prospect.id.in_(ids[:11])).order_by(Prospect.name))


def find_pipeline(name: str | None) -> Pipeline:
    """A pipeline by name (case-insensitive); the first one when no name is given."""
    query = Pipeline.select().order_by(Pipeline.position, Pipeline.id)
    if name is None:
        found = query.first()
        if found is None:
            raise UserError("the database has no pipeline")
        return found
    wanted = name.strip().casefold()
    found = next((p for p in query if p.name.casefold() == wanted), None)  # LOWER folds ASCII only
    if found is None:
        names = ", ".join(p.name for p in query)
        raise UserError(f"no pipeline named {name!r} (there is {names})")
    return found


def find_stage(name: str, pipeline_id: int) -> Stage:
    """A stage of a pipeline by name, case-insensitive."""
    stages = queries.stages_of(pipeline_id)
    for stage in stages:
        if stage.name.lower() == name.strip().lower():
            return stage
    raise UserError(f"no stage named {name!r} (stages: {', '.join(s.name for s in stages)})")


def first_open_stage(pipeline_id: int) -> Stage:
    stage = (
        Stage.select()
        .where(Stage.pipeline == pipeline_id, Stage.kind == "open")
        .order_by(Stage.position)
        .first()
    )
    if stage is None:
        raise UserError("this pipeline has no open stage")
    return stage
