"""The queries of ``pipeline-tui due``, the line for a shell prompt: plain SQL that both engines
read alike, so that a current SQLite file is read without peewee (see
:mod:`pipeline_tui.store.quick`)."""

from __future__ import annotations

from datetime import datetime

from pipeline_tui.store.quick import Read

_OPEN = (
    "FROM follow_up AS f INNER JOIN prospect AS p ON f.prospect_id = p.id "
    "WHERE f.done_at IS NULL AND p.archived = ?"
)


def _open(owner: str | None, pipeline_id: int | None) -> tuple[str, list[object]]:
    """Open follow-ups of live prospects, one salesperson's or everyone's, one pipeline or all."""
    sql, params = _OPEN, [False]
    if owner is not None:
        sql, params = f"{sql} AND p.owner = ?", [*params, owner]
    if pipeline_id is not None:
        sql, params = f"{sql} AND p.pipeline_id = ?", [*params, pipeline_id]
    return sql, params


def _moment(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def due_counts(read: Read, now: datetime, day_end: datetime, owner=None, pipeline_id=None) -> tuple[int, int]:
    """How many open follow-ups are overdue (before ``now``), and how many are due from now to
    ``day_end``."""
    where, params = _open(owner, pipeline_id)
    sql = (
        "SELECT SUM(CASE WHEN f.due_at < ? THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN f.due_at >= ? THEN 1 ELSE 0 END) {where} AND f.due_at <= ?"
    )
    overdue, today = read(sql, [now, now, *params, day_end])[0]
    return int(overdue or 0), int(today or 0)


def next_due(read: Read, now: datetime, owner=None, pipeline_id=None) -> tuple | None:
    """The open follow-up due soonest from ``now`` on: id, prospect id, name, organization,
    kind, due."""
    where, params = _open(owner, pipeline_id)
    sql = (
        f"SELECT f.id, f.prospect_id, p.name, p.organization, f.kind, f.due_at {where} "
        "AND f.due_at >= ? ORDER BY f.due_at, f.id LIMIT 1"
    )
    rows = read(sql, [*params, now])
    return (*rows[0][:5], _moment(rows[0][5])) if rows else None
