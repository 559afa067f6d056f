"""The agenda's query: plain SQL that both engines read alike, so that ``pipeline-tui agenda``
reads a current SQLite file without peewee, as ``due`` does (see :mod:`pipeline_tui.store.quick`):
it runs from shell prompts and cron."""

from __future__ import annotations

from datetime import datetime

from pipeline_tui.store.quick import Read

_AGENDA = (
    "SELECT f.id, f.prospect_id, p.name, p.organization, f.kind, f.due_at, f.notes, f.created_at,"
    " p.contact, p.phone, p.value_cents, p.stage_id, p.email,"
    ' c.name, c.steps, f.cadence_step, f."repeat", p.currency'
    " FROM follow_up AS f INNER JOIN prospect AS p ON f.prospect_id = p.id"
    " LEFT OUTER JOIN cadence_run AS c ON f.cadence_run_id = c.id"
    " WHERE f.done_at IS NULL AND f.due_at <= ? AND p.archived = ?"
)


def _as_datetime(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def agenda_rows(
    read: Read,
    until: datetime,
    pipeline_id: int | None = None,
    owner: str | None = None,
    prospect_id: int | None = None,
) -> list[tuple]:
    """Open follow-ups due before ``until`` on live prospects: the agenda, oldest first. Each
    row: follow-up id, prospect id, name, organization, kind, due, notes, created, then the
    prospect's contact, phone, value in cents, stage id and email, then the follow-up's
    cadence name, its steps (JSON), its step, its repeat rule, and the value's currency."""
    sql, params = _AGENDA, [until, False]
    for column, value in (("p.pipeline_id", pipeline_id), ("p.owner", owner), ("f.prospect_id", prospect_id)):
        if value is not None:
            sql, params = f"{sql} AND {column} = ?", [*params, value]
    return [
        (fid, pid, name, org, kind, _as_datetime(due), notes, _as_datetime(created), *rest)
        for fid, pid, name, org, kind, due, notes, created, *rest in read(
            f"{sql} ORDER BY f.due_at, f.id", params
        )
    ]


def stage_names(read: Read) -> dict[int, str]:
    """Every stage's name by id (a few rows): the agenda names each row's stage."""
    return dict(read("SELECT id, name FROM stage", []))
