"""Small factories for the pure core's plain records: stages, prospects, follow-ups, snapshots.

Named ``core_factories`` (not ``factories``) so that it cannot clash with a helper module of the
same name in another test directory (pytest puts each rootless test directory on ``sys.path``).
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

from pipeline_tui.core.domain import (
    DEFAULT_STAGES,
    NO_HISTORY,
    FollowUp,
    History,
    Pipeline,
    Prospect,
    Quota,
    Snapshot,
    Stage,
)

# A Thursday, the same moment as tests/conftest.py's NOW.
NOW = datetime(2026, 11, 26, 9, 30)

SALES = Pipeline(1, "Sales", 0)
RENEWALS = Pipeline(2, "Renewals", 1)


def default_stages(pipeline_id: int = 1, first_id: int = 1) -> tuple[Stage, ...]:
    """The default pipeline's stages, positions 0..6 (Lead .. Lost), with their roles."""
    return tuple(
        Stage(first_id + i, pipeline_id, name, i, probability, kind, role)
        for i, (name, probability, kind, role) in enumerate(DEFAULT_STAGES)
    )


STAGES = default_stages()
STAGE = {stage.name: stage for stage in STAGES}
POSITION = {stage.name: stage.position for stage in STAGES}

# A second pipeline with stages of its own (ids 101..104).
RENEWAL_STAGES = (
    Stage(101, 2, "Due", 0, 0.5, "open", "lead"),
    Stage(102, 2, "Negotiating", 1, 0.8, "open", "proposal"),
    Stage(103, 2, "Renewed", 2, 1.0, "won", "won"),
    Stage(104, 2, "Churned", 3, 0.0, "lost", "lost"),
)

_ids = itertools.count(1000)


def next_id() -> int:
    return next(_ids)


def prospect(
    id: int | None = None,
    stage: str | Stage = "Lead",
    *,
    now: datetime = NOW,
    created: datetime | None = None,
    stage_entered: datetime | None = None,
    follow_ups: tuple[FollowUp, ...] | list[FollowUp] = (),
    history: History = NO_HISTORY,
    **fields,
) -> Prospect:
    """A prospect in a default stage (by name) or a given Stage; created and entered a day ago."""
    if isinstance(stage, str):
        stage = STAGE[stage]
    pid = next_id() if id is None else id
    created = created or now - timedelta(days=1)
    fields.setdefault("name", f"Prospect {pid}")
    return Prospect(
        id=pid,
        pipeline_id=stage.pipeline_id,
        stage_id=stage.id,
        created=created,
        stage_entered=stage_entered or created,
        open_follow_ups=tuple(FollowUp(f.id, pid, f.kind, f.due, f.created, f.notes) for f in follow_ups),
        history=history,
        **fields,
    )


def follow_up(
    kind: str, due: datetime, *, created: datetime | None = None, notes: str = "", id: int | None = None
) -> FollowUp:
    """An open follow-up; its prospect id is filled in by :func:`prospect`."""
    return FollowUp(next_id() if id is None else id, 0, kind, due, created or due - timedelta(days=1), notes)


def won(value: int | None, closed_at: datetime, *, id: int | None = None, **fields) -> Prospect:
    return prospect(id, "Won", value=value, closed_at=closed_at, **fields)


def lost(value: int | None, closed_at: datetime, *, id: int | None = None, **fields) -> Prospect:
    return prospect(id, "Lost", value=value, closed_at=closed_at, **fields)


def snapshot(
    prospects=(),
    *,
    now: datetime = NOW,
    quota: Quota | None = None,
    stages: tuple[Stage, ...] = STAGES,
    pipelines: tuple[Pipeline, ...] = (SALES,),
    pipeline_id: int | None = None,
) -> Snapshot:
    return Snapshot(
        now=now,
        pipelines=pipelines,
        stages=stages,
        prospects=tuple(prospects),
        quota=quota,
        pipeline_id=pipeline_id,
    )


def day(text: str) -> date:
    return date.fromisoformat(text)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)
