"""Which prospects' stored score, advice and search text must be worked out again (schema 9,
and 11 for the advice).

The board reads a column in score order straight from the database, so each prospect's score
and the folded text it is searched by are kept on its row (``services.scores`` works them
out with the pure core). ``fresh_until`` says until when they hold: the score changes with the
clock (a follow-up falls overdue, a close date nears), at a moment the core names. A write to
anything they are made from empties it, by triggers, so that no write path (a service, an
undo, an import, a hand edit) leaves a row looking fresh; a new row starts empty.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache

import peewee

from pipeline_tui.core.domain import StageTime
from pipeline_tui.store import models, search
from pipeline_tui.store.built import marker, run_built
from pipeline_tui.store.models import Prospect, Setting

NEVER = datetime(9999, 12, 31)  # a closed or archived prospect's score: no time changes it
MANY = 10_000  # rows rewritten at once: their indexes are made afresh after, not row by row

# what the score and the search text are made from (schema 9), and what the advice reads too
# (schema 11): a change to any empties fresh_until
_SCORE_READS_FROM_PROSPECT = (
    "name, organization, contact, notes, pipeline_id, stage_id, created_at, stage_entered_at,"
    " value_cents, expected_close, urgency, decision_maker, archived, last_activity_at, demo_or_trial"
)
_ADVICE_READS_FROM_PROSPECT = (
    ", probability, last_contact_at, last_appointment_at, snoozed_until, snooze_reason, currency, updated_at"
)
_SCORE_READS_FROM_FOLLOW_UP = "prospect_id, kind, due_at, done_at, notes, outcome"
_ADVICE_READS_FROM_FOLLOW_UP = ", created_at"


# (WATCHED and FOLLOW_UP_WATCHED: the columns :func:`install` names)
_SQLITE_TRIGGERS = (
    "DROP TRIGGER IF EXISTS prospect_fresh",  # (schema 11 watches more columns than schema 9 did)
    "DROP TRIGGER IF EXISTS follow_up_fresh_update",
    """CREATE TRIGGER IF NOT EXISTS prospect_fresh AFTER UPDATE OF WATCHED ON prospect
    BEGIN UPDATE prospect SET fresh_until = NULL WHERE id = NEW.id; END""",
    """CREATE TRIGGER IF NOT EXISTS follow_up_fresh_insert AFTER INSERT ON follow_up
    BEGIN UPDATE prospect SET fresh_until = NULL WHERE id = NEW.prospect_id; END""",
    """CREATE TRIGGER IF NOT EXISTS follow_up_fresh_update
    AFTER UPDATE OF FOLLOW_UP_WATCHED ON follow_up
    BEGIN UPDATE prospect SET fresh_until = NULL WHERE id IN (OLD.prospect_id, NEW.prospect_id); END""",
    """CREATE TRIGGER IF NOT EXISTS follow_up_fresh_delete AFTER DELETE ON follow_up
    BEGIN UPDATE prospect SET fresh_until = NULL WHERE id = OLD.prospect_id; END""",
)

_POSTGRES_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION prospect_fresh() RETURNS TRIGGER AS $$
    BEGIN NEW.fresh_until := NULL; RETURN NEW; END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS prospect_fresh ON prospect",
    """CREATE TRIGGER prospect_fresh BEFORE UPDATE OF WATCHED ON prospect
    FOR EACH ROW EXECUTE PROCEDURE prospect_fresh()""",
    """CREATE OR REPLACE FUNCTION follow_up_fresh() RETURNS TRIGGER AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN UPDATE prospect SET fresh_until = NULL WHERE id = OLD.prospect_id; END IF;
        IF TG_OP <> 'DELETE' THEN UPDATE prospect SET fresh_until = NULL WHERE id = NEW.prospect_id; END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS follow_up_fresh ON follow_up",
    """CREATE TRIGGER follow_up_fresh AFTER INSERT OR DELETE OR UPDATE OF FOLLOW_UP_WATCHED
    ON follow_up FOR EACH ROW EXECUTE PROCEDURE follow_up_fresh()""",
)


def install(db: peewee.Database, *, advice: bool = True) -> None:
    """Create the triggers and the index of fresh_until (in the caller's transaction); without
    ``advice``, the triggers of schema 9 (which watch no column added since)."""
    db.execute_sql("CREATE INDEX IF NOT EXISTS prospect_fresh_until ON prospect (fresh_until)")
    prospect, follow_up = _SCORE_READS_FROM_PROSPECT, _SCORE_READS_FROM_FOLLOW_UP
    if advice:
        prospect, follow_up = prospect + _ADVICE_READS_FROM_PROSPECT, follow_up + _ADVICE_READS_FROM_FOLLOW_UP
    for statement in _SQLITE_TRIGGERS if isinstance(db, peewee.SqliteDatabase) else _POSTGRES_TRIGGERS:
        db.execute_sql(statement.replace("FOLLOW_UP_WATCHED", follow_up).replace("WATCHED", prospect))


def _rows(query) -> list[tuple]:
    return list(models.database.obj.execute(query))


def _stale(locked: bool, marks: list[int]) -> peewee.Query:
    query = Prospect.select(Prospect.id, Prospect.fresh_until).where(
        Prospect.fresh_until.is_null() | (Prospect.fresh_until <= marker(marks[0]))
    )
    return query.for_update() if locked else query


def _one_stale(marks: list[int]) -> peewee.Query:
    return _stale(False, marks).limit(1)


def any_stale(now: datetime) -> bool:
    """Whether any prospect's stored score or text does not hold at ``now``."""
    return bool(run_built(_one_stale, (), [str(now)]).fetchall())


def stale(now: datetime) -> tuple[list[int], list[int]]:
    """(ids never worked out or changed since, ids whose score the clock has moved on), locked
    against other writers (PostgreSQL) until the caller's transaction ends."""
    locked = not isinstance(models.database.obj, peewee.SqliteDatabase)
    changed, expired = [], []
    for pid, until in run_built(_stale, (locked,), [str(now)]):
        (changed if until is None else expired).append(pid)
    return changed, expired


def _next_change(_marks: list[int]) -> peewee.Query:
    return Prospect.select(peewee.fn.MIN(Prospect.fresh_until))


def next_change() -> datetime | None:
    """The earliest moment a stored score stops holding (None: none ever will, or one is stale)."""
    row = run_built(_next_change, ()).fetchall()
    value = row[0][0] if row else None
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def open_with_values_between(
    bounds: Iterable[tuple[int, int]], open_stage_ids: Sequence[int], home: str = ""
) -> list[int]:
    """Live open prospects whose value is above ``low`` and at most ``high``, for each (low, high),
    and those in a currency other than ``home`` (the bounds are in the home one: theirs may
    have moved across a rung whatever they read)."""
    found: list[int] = []
    opens = (Prospect.archived == False) & Prospect.stage.in_(list(open_stage_ids))  # noqa: E712
    for low, high in bounds:
        query = Prospect.select(Prospect.id).where(
            opens, Prospect.value_cents > low, Prospect.value_cents <= high
        )
        found += [pid for (pid,) in _rows(query)]
    if bounds:
        foreign = Prospect.select(Prospect.id).where(
            opens, Prospect.currency != "", Prospect.currency != home
        )
        found += [pid for (pid,) in _rows(foreign)]
    return found


def in_stages(stage_ids: Sequence[int]) -> list[int]:
    """The live prospects in these stages."""
    if not stage_ids:
        return []
    live = Prospect.archived == False  # noqa: E712
    query = Prospect.select(Prospect.id).where(live, Prospect.stage.in_(list(stage_ids)))
    return [pid for (pid,) in _rows(query)]


def all_ids() -> list[int]:
    return [pid for (pid,) in _rows(Prospect.select(Prospect.id))]


def _fields(marks: list[int]) -> peewee.Query:
    return Prospect.select(
        Prospect.id,
        Prospect.search_text,
        Prospect.name,
        Prospect.organization,
        Prospect.contact,
        Prospect.notes,
    ).where(Prospect.id.in_([marker(mark) for mark in marks]))


def _follow_up_texts(marks: list[int]) -> peewee.Query:
    follow_up = models.FollowUp
    return (
        follow_up.select(follow_up.prospect, follow_up.notes, follow_up.outcome)
        .where(
            follow_up.prospect.in_([marker(mark) for mark in marks]),
            (follow_up.notes != "") | (follow_up.outcome != ""),
        )
        .order_by(follow_up.prospect, follow_up.id)
    )


def texts_of(ids: Sequence[int]) -> dict[int, list[str]]:
    """Each prospect's search text as stored, then what it is made from, unfolded: its name,
    organization, contact and notes, then its follow-ups' notes and outcomes, oldest first."""
    texts = {pid: list(fields) for pid, *fields in run_built(_fields, (), ids)}
    for pid, notes, outcome in run_built(_follow_up_texts, (), ids):
        texts[pid] += [notes, outcome]
    return texts


@contextmanager
def rewriting(count: int):
    """Around writing ``count`` rows (in the caller's transaction). From MANY on, on SQLite, the
    indexes their scores and texts are in are dropped meanwhile and made again after: made once
    from all the rows, they cost far less than updated row by row (docs/performance.md)."""
    db = models.database.obj
    if count < MANY or not isinstance(db, peewee.SqliteDatabase):
        yield
        return
    indexes = db.execute_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN (?, ?)",
        ("prospect_board", "prospect_fresh_until"),
    ).fetchall()
    for name, _ in indexes:
        db.execute_sql(f'DROP INDEX "{name}"')
    with search.unindexed(db):
        yield
    for _, sql in indexes:
        db.execute_sql(sql)
    db.execute_sql("ANALYZE prospect")  # an index made again has no statistics: the planner needs them


def write(rows: list[tuple], *, with_text: bool) -> None:
    """Store (score, fresh until, [search text,] id) rows, in the caller's transaction."""
    if not rows:
        return
    db = models.database.obj
    columns = "score = {0}, fresh_until = {0}" + (", search_text = {0}" if with_text else "")
    sql = f"UPDATE prospect SET {columns.format(db.param)} WHERE id = {db.param}"
    adapted = [(score, str(until) if until is not None else None, *rest) for score, until, *rest in rows]
    if isinstance(db, peewee.SqliteDatabase):
        db.connection().executemany(sql, adapted)
    else:
        with db.cursor() as cursor:
            cursor.executemany(sql, adapted)


BASIS_KEY = "score_basis"


def _basis(_marks: list[int]) -> peewee.Query:
    return Setting.select(Setting.value).where(Setting.key == BASIS_KEY)


def basis() -> dict | None:
    """What every stored score was worked out with: the rules' fingerprint, the day and its
    value ladder, and the latest time any was worked out at (None: never yet); and the day's
    time in stage the board's rotting limits are learned from (None: not worked out yet)."""
    row = run_built(_basis, ()).fetchall()
    parsed = _parsed_basis(row[0][0]) if row else None
    return dict(parsed) if parsed is not None else None


@lru_cache(maxsize=4)
def _parsed_basis(text: str) -> dict | None:
    """The basis stored as ``text``: read three times per key on the board, parsed once."""
    try:
        found = json.loads(text)
        return {
            "rules": str(found["rules"]),
            "day": date.fromisoformat(found["day"]),
            "ladder": tuple(int(v) for v in found["ladder"]),
            "latest": datetime.fromisoformat(found["latest"]),
            "stage_time": _stage_time(found.get("stage_time")),
        }
    except (ValueError, KeyError, TypeError):
        return None  # not ours, or torn: everything is worked out again


def _stage_time(found) -> tuple[StageTime, ...] | None:
    if found is None:
        return None
    return tuple(StageTime(int(stage), int(count), float(seconds)) for stage, count, seconds in found)


def set_basis(
    rules: str, day: date, ladder: Sequence[int], latest: datetime, stage_time: Sequence[StageTime] | None
) -> None:
    """Store the basis; ``stage_time`` None: the first read works it out (keeping every score)."""
    text = json.dumps(
        {
            "rules": rules,
            "day": str(day),
            "ladder": list(ladder),
            "latest": str(latest),
            "stage_time": None if stage_time is None else [list(time) for time in stage_time],
        }
    )
    Setting.insert(key=BASIS_KEY, value=text).on_conflict(
        conflict_target=[Setting.key], update={Setting.value: text}
    ).execute()
