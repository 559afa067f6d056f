"""The read queries behind the report, the board and the agenda, in a fixed number of queries.

Hot paths execute peewee-built queries and convert the raw rows themselves: peewee's per-value
converters cost more than the query at 100,000 rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from peewee import JOIN, Case, fn

from pipeline_tui.core import domain
from pipeline_tui.core.domain import CONTACT_KINDS, OPEN
from pipeline_tui.core.settings import Settings
from pipeline_tui.store import models
from pipeline_tui.store.models import FollowUp, Pipeline, Prospect, Quota, Stage, StageChange


def _as_datetime(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _rows(query) -> Iterable[tuple]:
    return models.database.obj.execute(query)


def load_pipelines() -> tuple[domain.Pipeline, ...]:
    query = Pipeline.select(Pipeline.id, Pipeline.name, Pipeline.position).order_by(
        Pipeline.position, Pipeline.id
    )
    return tuple(domain.Pipeline(*row) for row in _rows(query))


def load_stages(settings: Settings | None = None) -> tuple[domain.Stage, ...]:
    """Every stage; a probability in the config file (by stage name) wins over the stored one."""
    overrides = {k.lower(): v for k, v in (settings.probabilities if settings else {}).items()}
    query = Stage.select(
        Stage.id, Stage.pipeline, Stage.name, Stage.position, Stage.probability, Stage.kind, Stage.role
    ).order_by(Stage.pipeline, Stage.position)
    stages = []
    for sid, pid, name, position, probability, kind, role in _rows(query):
        probability = overrides.get(name.lower(), probability)
        stages.append(domain.Stage(sid, pid, name, position, probability, kind, role))
    return tuple(stages)


def load_quota(owner: str | None = None) -> domain.Quota | None:
    row = (
        Quota.select(Quota.period, Quota.target_cents)
        .order_by(Quota.set_at.desc(), Quota.id.desc())
        .tuples()
        .first()
    )
    return domain.Quota(row[0], row[1]) if row else None


def _open_stage_ids() -> list[int]:
    return [sid for (sid,) in _rows(Stage.select(Stage.id).where(Stage.kind == OPEN))]


def load_history(open_only: bool = True, ids: Iterable[int] | None = None) -> dict[int, domain.History]:
    """Each prospect's past, condensed in SQL: last activity, last contact, demo or trial,
    furthest stage reached, ever won."""
    done = FollowUp.done_at
    activity = FollowUp.select(
        FollowUp.prospect,
        fn.MAX(done),
        fn.MAX(Case(None, [(FollowUp.kind.in_(sorted(CONTACT_KINDS)), done)], None)),
        fn.MAX(Case(None, [(FollowUp.kind == "appointment", done)], None)),
        fn.MAX(Case(None, [(FollowUp.kind.in_(["demo", "trial"]), 1)], 0)),
    ).group_by(FollowUp.prospect)
    reach = (
        StageChange.select(
            StageChange.prospect,
            fn.MAX(Case(None, [(Stage.kind == OPEN, Stage.position)], None)),
            fn.MAX(Case(None, [(Stage.kind == domain.WON, 1)], 0)),
        )
        .join(Stage, on=(StageChange.to_stage == Stage.id))
        .group_by(StageChange.prospect)
    )
    if ids is not None:
        activity = activity.where(FollowUp.prospect.in_(list(ids)))
        reach = reach.where(StageChange.prospect.in_(list(ids)))
    elif open_only:
        open_ids = Prospect.select(Prospect.id).where(
            Prospect.stage.in_(_open_stage_ids()),
            Prospect.archived == False,  # noqa: E712
        )
        activity = activity.where(FollowUp.prospect.in_(open_ids))
        reach = reach.where(StageChange.prospect.in_(open_ids))
    parts: dict[int, list] = defaultdict(lambda: [None, None, None, False, None, False])
    for pid, last, contact, appointment, demo in _rows(activity):
        entry = parts[pid]
        entry[0] = _as_datetime(last)
        entry[1] = _as_datetime(contact)
        entry[2] = _as_datetime(appointment)
        entry[3] = bool(demo)
    for pid, furthest, won in _rows(reach):
        entry = parts[pid]
        entry[4] = furthest
        entry[5] = bool(won)
    return {pid: domain.History(*entry) for pid, entry in parts.items()}


def load_open_follow_ups(ids: Iterable[int] | None = None) -> dict[int, list[domain.FollowUp]]:
    """Open follow-ups by prospect, soonest first."""
    query = (
        FollowUp.select(
            FollowUp.id,
            FollowUp.prospect,
            FollowUp.kind,
            FollowUp.due_at,
            FollowUp.created_at,
            FollowUp.notes,
        )
        .where(FollowUp.done_at.is_null())
        .order_by(FollowUp.due_at, FollowUp.id)
    )
    if ids is not None:
        query = query.where(FollowUp.prospect.in_(list(ids)))
    grouped: dict[int, list[domain.FollowUp]] = defaultdict(list)
    for fid, pid, kind, due, created, notes in _rows(query):
        grouped[pid].append(domain.FollowUp(fid, pid, kind, _as_datetime(due), _as_datetime(created), notes))
    return grouped


PROSPECT_COLUMNS = (
    Prospect.id,
    Prospect.name,
    Prospect.pipeline,
    Prospect.stage,
    Prospect.created_at,
    Prospect.stage_entered_at,
    Prospect.organization,
    Prospect.contact,
    Prospect.value_cents,
    Prospect.expected_close,
    Prospect.urgency,
    Prospect.decision_maker,
    Prospect.probability,
    Prospect.closed_at,
)


def load_prospects(
    *, open_only: bool, pipeline_id: int | None = None, ids: Iterable[int] | None = None
) -> list[tuple]:
    query = Prospect.select(*PROSPECT_COLUMNS).where(Prospect.archived == False)  # noqa: E712
    if open_only:
        query = query.where(Prospect.stage.in_(_open_stage_ids()))
    if pipeline_id is not None:
        query = query.where(Prospect.pipeline == pipeline_id)
    if ids is not None:
        query = query.where(Prospect.id.in_(list(ids)))
    return list(_rows(query.order_by(Prospect.id)))


def load_snapshot(
    now: datetime,
    settings: Settings,
    *,
    pipeline_id: int | None = None,
    open_only: bool = False,
    ids: Iterable[int] | None = None,
) -> domain.Snapshot:
    """All the core needs, in seven queries whatever the number of prospects."""
    rows = load_prospects(open_only=open_only, pipeline_id=pipeline_id, ids=ids)
    history = load_history(open_only=open_only, ids=ids)
    follow_ups = load_open_follow_ups(ids)
    empty = domain.NO_HISTORY
    prospects = []
    for (
        pid,
        name,
        pipeline,
        stage,
        created,
        entered,
        organization,
        contact,
        value,
        close,
        urgency,
        decision_maker,
        probability,
        closed,
    ) in rows:
        prospects.append(
            domain.Prospect(
                id=pid,
                name=name,
                pipeline_id=pipeline,
                stage_id=stage,
                created=_as_datetime(created),
                stage_entered=_as_datetime(entered),
                organization=organization,
                contact=contact,
                value=value,
                expected_close=_as_date(close),
                urgency=urgency,
                decision_maker=decision_maker,
                probability=probability,
                closed_at=_as_datetime(closed),
                open_follow_ups=tuple(follow_ups.get(pid, ())),
                history=history.get(pid, empty),
            )
        )
    return domain.Snapshot(
        now=now,
        pipelines=load_pipelines(),
        stages=load_stages(settings),
        prospects=tuple(prospects),
        quota=load_quota(),
        pipeline_id=pipeline_id,
    )


def closed_totals(
    start: datetime, end: datetime, pipeline_id: int | None = None
) -> dict[str, tuple[int, int]]:
    """Count and value of prospects won and lost between two times: the board's strip."""
    query = (
        Prospect.select(Stage.kind, fn.COUNT(Prospect.id), fn.COALESCE(fn.SUM(Prospect.value_cents), 0))
        .join(Stage, on=(Prospect.stage == Stage.id))
        .where(
            Prospect.archived == False,  # noqa: E712
            Prospect.closed_at.between(start, end),
            Stage.kind.in_([domain.WON, domain.LOST]),
        )
        .group_by(Stage.kind)
    )
    if pipeline_id is not None:
        query = query.where(Prospect.pipeline == pipeline_id)
    totals = {domain.WON: (0, 0), domain.LOST: (0, 0)}
    for kind, count, value in _rows(query):
        totals[kind] = (count, int(value))
    return totals


def lost_reasons(limit: int = 20) -> list[str]:
    """Reasons given before, most used first, for the lost dialog."""
    query = (
        Prospect.select(Prospect.lost_reason, fn.COUNT(Prospect.id).alias("n"))
        .where(Prospect.lost_reason != "")
        .group_by(Prospect.lost_reason)
        .order_by(fn.COUNT(Prospect.id).desc(), Prospect.lost_reason)
        .limit(limit)
    )
    return [reason for reason, _ in _rows(query)]


def agenda_rows(until: datetime, owner: str | None = None) -> list[tuple]:
    """Open follow-ups due before ``until`` on live prospects: the agenda, oldest first."""
    query = (
        FollowUp.select(
            FollowUp.id,
            FollowUp.prospect,
            Prospect.name,
            Prospect.organization,
            FollowUp.kind,
            FollowUp.due_at,
            FollowUp.notes,
            FollowUp.created_at,
        )
        .join(Prospect, JOIN.INNER, on=(FollowUp.prospect == Prospect.id))
        .where(
            FollowUp.done_at.is_null(),
            FollowUp.due_at <= until,
            Prospect.archived == False,  # noqa: E712
        )
        .order_by(FollowUp.due_at, FollowUp.id)
    )
    return [
        (fid, pid, name, org, kind, _as_datetime(due), notes, _as_datetime(created))
        for fid, pid, name, org, kind, due, notes, created in _rows(query)
    ]


def open_values() -> list[int]:
    """Sorted values of all open prospects: what a budget's size is ranked against."""
    query = (
        Prospect.select(Prospect.value_cents)
        .where(
            Prospect.archived == False,  # noqa: E712
            Prospect.stage.in_(_open_stage_ids()),
            Prospect.value_cents.is_null(False),
        )
        .order_by(Prospect.value_cents)
    )
    return [value for (value,) in _rows(query)]


def notes_of_open(pipeline_id: int) -> dict[int, str]:
    """Notes of the open prospects of a pipeline, for searching the board."""
    query = Prospect.select(Prospect.id, Prospect.notes).where(
        Prospect.archived == False,  # noqa: E712
        Prospect.pipeline == pipeline_id,
        Prospect.stage.in_(_open_stage_ids()),
        Prospect.notes != "",
    )
    return dict(_rows(query))


def last_activity_by_prospect() -> dict[int, datetime]:
    query = (
        FollowUp.select(FollowUp.prospect, fn.MAX(FollowUp.done_at))
        .where(FollowUp.done_at.is_null(False))
        .group_by(FollowUp.prospect)
    )
    return {pid: _as_datetime(last) for pid, last in _rows(query)}
