"""The board's reads: a column's cards a window at a time, in the order the board shows them.

A column is read through one index (schema 9) in its order: best score first, then the bigger
deal, then the older prospect. So the first screenful, the next one or a card's place cost
the same at 100 prospects as at 100,000; the columns' counts and values come from
``store.totals``. Every query's SQL is built once per shape (``store.built``).
"""

from __future__ import annotations

from typing import NamedTuple

import peewee
from peewee import SQL, fn

from pipeline_tui.store import models, search
from pipeline_tui.store.built import marker, run_built
from pipeline_tui.store.models import Prospect

_SORT_VALUE = fn.COALESCE(Prospect.value_cents, SQL("0"))  # as written in the index, to use it
ORDER = (Prospect.score.desc(), _SORT_VALUE.desc(), Prospect.id)

CARD_COLUMNS = (
    Prospect.id,
    Prospect.name,
    Prospect.organization,
    Prospect.contact,
    Prospect.value_cents,
    Prospect.probability,
    Prospect.score,
    Prospect.decision_maker,
    Prospect.stage,
    Prospect.archived,
    Prospect.closed_at,
    Prospect.lost_reason,
    Prospect.stage_entered_at,
    Prospect.expected_close,
    # whether the card rots (core.aging.rots): when it was last touched, and a snooze
    Prospect.updated_at,
    Prospect.last_activity_at,
    Prospect.snoozed_until,
    Prospect.snooze_reason,
    Prospect.currency,  # of value_cents ("" the home one)
)


def install(db: peewee.Database) -> None:
    """The index the board reads its columns through. On SQLite it holds the search text too,
    so that a search looked for row by row reads no table row it does not show; PostgreSQL
    caps an index row at 2.7 kB, and long notes would not fit."""
    if isinstance(db, peewee.SqliteDatabase):
        columns = "archived, stage_id, score DESC, COALESCE(value_cents, 0) DESC, id, search_text"
    else:
        columns = "archived, stage_id, score DESC, (COALESCE(value_cents, 0)) DESC, id"
    db.execute_sql(f"CREATE INDEX IF NOT EXISTS prospect_board ON prospect ({columns})")
    # the won and lost in a period (the board's strip, the report's figures), from the index alone
    db.execute_sql("DROP INDEX IF EXISTS prospect_closed_at")
    db.execute_sql(
        "CREATE INDEX IF NOT EXISTS prospect_closed"
        " ON prospect (closed_at, stage_id, pipeline_id, archived, owner, value_cents)"
    )
    # the archived prospects of a pipeline (a search finds them), few: an index of them alone
    db.execute_sql(
        "CREATE INDEX IF NOT EXISTS prospect_archived ON prospect (pipeline_id, stage_id) WHERE archived"
    )


class Column(NamedTuple):
    """The prospects one column of the board holds: the live ones of a stage, or (``stage_id``
    None) the archived ones of a pipeline; everyone's, or one owner's."""

    stage_id: int | None
    pipeline_id: int
    owner: str | None = None


def _filter(shape: tuple, query: peewee.ModelSelect, marks: list[int]) -> peewee.ModelSelect:
    """``query`` limited to a column's prospects (and a search's), ``marks`` standing for the
    values :func:`_values` gives, in order."""
    archived, owned, searched = shape
    if archived:  # (the term as the index of archived prospects has it: not "= ?")
        query = query.where(Prospect.archived, Prospect.pipeline == marker(marks[0]))
    else:
        query = query.where(Prospect.archived == False, Prospect.stage == marker(marks[0]))  # noqa: E712
    if owned:
        query = query.where(Prospect.owner == marker(marks[1]))
    if searched:
        query = query.where(search.holds(marker(marks[-1])))
    return query


def _shape(column: Column, pattern: str | None) -> tuple:
    return (column.stage_id is None, column.owner is not None, pattern is not None)


def _values(column: Column, pattern: str | None) -> list:
    values: list = [column.pipeline_id if column.stage_id is None else column.stage_id]
    if column.owner is not None:
        values.append(column.owner)
    if pattern is not None:
        values.append(pattern)
    return values


def _window(shape: tuple, marks: list[int]) -> peewee.Query:
    order = (Prospect.stage, *ORDER) if shape[0] else ORDER  # archived ones by the stage they were in
    query = _filter(shape, Prospect.select(*CARD_COLUMNS), marks[:-2]).order_by(*order)
    return query.limit(marker(marks[-2])).offset(marker(marks[-1]))


def window(column: Column, pattern: str | None, start: int, size: int) -> list[tuple]:
    """The rows (``CARD_COLUMNS``) of cards ``start`` to ``start + size`` of a column."""
    return run_built(_window, (_shape(column, pattern),), [*_values(column, pattern), size, start]).fetchall()


# The cards beside a card, in three ranges of the index each read in its order: those of its
# score and deal (by id), of its score and a smaller (bigger) deal, of a worse (better) score.
_AFTER = (
    (Prospect.id,),
    (_SORT_VALUE.desc(), Prospect.id),
    ORDER,
)
_BEFORE = (
    (Prospect.id.desc(),),
    (_SORT_VALUE, Prospect.id.desc()),
    (Prospect.score, _SORT_VALUE, Prospect.id.desc()),
)


def _beside(shape: tuple, forward: bool, inclusive: bool, part: int, marks: list[int]) -> peewee.Query:
    score, value, pid, most = (marker(mark) for mark in marks[-4:])
    if forward:
        same = (Prospect.id >= pid) if inclusive else (Prospect.id > pid)
        ranges = (_SORT_VALUE == value) & same, _SORT_VALUE < value, Prospect.score < score
    else:
        ranges = (_SORT_VALUE == value) & (Prospect.id < pid), _SORT_VALUE > value, Prospect.score > score
    where = ranges[part] if part == 2 else (Prospect.score == score) & ranges[part]
    order = (_AFTER if forward else _BEFORE)[part]
    query = _filter(shape, Prospect.select(*CARD_COLUMNS), marks[:-4]).where(where)
    return query.order_by(*order).limit(most)


def beside(
    column: Column,
    key: tuple[int, int, int],
    forward: bool,
    size: int,
    *,
    skip: int = 0,
    inclusive: bool = False,
) -> list[tuple]:
    """The rows (``CARD_COLUMNS``) of the ``size`` cards after (``forward``) or before a card of
    this (score, value, id) ``key``, ``skip`` cards away, nearest first; the card itself too
    (first) if ``inclusive``. Read through the index from the card: the cost does not grow
    with its place in the column, as an OFFSET's does (``window``). An open stage's column,
    no search."""
    rows: list[tuple] = []
    for part in range(3):
        wanted = skip + size - len(rows)
        values = [*_values(column, None), *key, wanted]
        shape = (_shape(column, None), forward, inclusive, part)
        rows += run_built(_beside, shape, values).fetchall()
        if len(rows) >= skip + size:
            break
    return rows[skip : skip + size]


def _before(shape: tuple, marks: list[int]) -> peewee.Query:
    # three ranges of the index counted apart: one condition with OR made SQLite look up every
    # row ahead in the table (4x slower: 14 ms for 30,000 cards ahead, docs/performance.md)
    score, value, pid = (marker(mark) for mark in marks[-3:])
    ahead = (
        Prospect.score > score,
        (Prospect.score == score) & (_SORT_VALUE > value),
        (Prospect.score == score) & (_SORT_VALUE == value) & (Prospect.id < pid),
    )
    counts = [_filter(shape, Prospect.select(fn.COUNT(SQL("*"))), marks[:-3]).where(part) for part in ahead]
    total = peewee.Expression(peewee.Expression(counts[0], "+", counts[1]), "+", counts[2])
    return peewee.Select(columns=[total])  # (a Select's own + is UNION ALL)


def place(column: Column, pattern: str | None, score: int, value: int | None, prospect_id: int) -> int:
    """How many cards of the column come before a card of this score, value and id."""
    values = [*_values(column, pattern), score, value or 0, prospect_id]
    return run_built(_before, (_shape(column, pattern),), values).fetchone()[0]


def _some(shape: tuple, marks: list[int]) -> peewee.Query:
    return _filter(shape, Prospect.select(Prospect.id), marks[:-1]).limit(marker(marks[-1]))


def count_up_to(column: Column, pattern: str | None, most: int) -> int:
    """How many cards the column holds, counted up to ``most`` (a search looked for row by
    row stops there: its column says "most+" rather than read every row)."""
    return len(run_built(_some, (_shape(column, pattern),), [*_values(column, pattern), most]).fetchall())


def _cards(count: int, marks: list[int]) -> peewee.Query:
    return Prospect.select(*CARD_COLUMNS).where(Prospect.id.in_([marker(mark) for mark in marks]))


def cards(ids: list[int]) -> list[tuple]:
    """The rows (``CARD_COLUMNS``) of these prospects, in this order (those that exist)."""
    rows = {row[0]: row for row in run_built(_cards, (len(ids),), ids)} if ids else {}
    return [rows[pid] for pid in ids if pid in rows]


def _next_steps(count: int, marks: list[int]) -> peewee.Query:
    follow_up = models.FollowUp
    return (
        follow_up.select(
            follow_up.prospect, follow_up.id, follow_up.kind, follow_up.due_at, follow_up.created_at
        )
        .where(follow_up.done_at.is_null(), follow_up.prospect.in_([marker(mark) for mark in marks]))
        .order_by(follow_up.prospect, follow_up.due_at, follow_up.id)
    )


def next_steps(ids: list[int]) -> dict[int, tuple]:
    """The soonest open follow-up (prospect, id, kind, due, created) of each of these prospects
    that has one, read from the index of open follow-ups (schema 4)."""
    found: dict[int, tuple] = {}
    for row in run_built(_next_steps, (len(ids),), ids) if ids else ():
        found.setdefault(row[0], row)
    return found


class Place(NamedTuple):
    """Where a prospect stands on the board: its stage, whether archived, its order's keys."""

    pipeline_id: int
    stage_id: int
    archived: bool
    owner: str
    score: int | None
    value: int | None


def _places(count: int, marks: list[int]) -> peewee.Query:
    return Prospect.select(
        Prospect.id,
        Prospect.pipeline,
        Prospect.stage,
        Prospect.archived,
        Prospect.owner,
        Prospect.score,
        Prospect.value_cents,
    ).where(Prospect.id.in_([marker(mark) for mark in marks]))


def places(ids: list[int]) -> dict[int, Place]:
    """Where each of these prospects stands (those that exist)."""
    rows = run_built(_places, (len(ids),), ids) if ids else ()
    return {
        pid: Place(pipeline, stage, bool(archived), *rest) for pid, pipeline, stage, archived, *rest in rows
    }
