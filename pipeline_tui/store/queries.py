"""The read queries behind the report, the board and the agenda, in a fixed number of queries.

Hot paths execute peewee-built queries and convert the raw rows themselves: peewee's per-value
converters cost more than the query at 100,000 rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from operator import itemgetter
from typing import NamedTuple

import peewee
from peewee import Case, fn

from pipeline_tui.core import domain, figures
from pipeline_tui.core.dates import moment_reader
from pipeline_tui.core.domain import OPEN, new_record
from pipeline_tui.core.settings import Settings
from pipeline_tui.store import activity, models
from pipeline_tui.store.built import run_built
from pipeline_tui.store.models import FollowUp, Pipeline, Prospect, Quota, Stage, StageChange


def _as_datetime(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def _text_keeper() -> Callable[[str], str]:
    """One string object for each distinct short text (an urgency, a kind, an owner): the
    driver makes a new one for every row."""
    kept: dict[str, str] = {}
    return lambda text: kept.setdefault(text, text)


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _rows(query) -> Iterable[tuple]:
    return models.database.obj.execute(query)


def _rows_of_shape(shape: tuple, build: Callable[[list[int]], peewee.Query], ids: list[int] = ()):
    """The raw rows of ``build(ids)``, its SQL built once per shape and number of ids
    (``store.built``)."""
    return run_built(shape, build, ids)[1]


class Selection(NamedTuple):
    """A query of prospect ids whose SQL is built once per shape (``store.built``): ``build``
    makes it from markers, and ``values`` go where the markers went. A board read in parts
    reads a dozen of them, alike but for their stages and slice (peewee took ~1 ms to build
    each part's SQL, more than SQLite took to run it on a small part)."""

    shape: tuple
    build: Callable[[list[int]], peewee.Query]
    values: list


def _rows_of_selection(name: str, selection: Selection, build: Callable[[peewee.Query], peewee.Query]):
    """The raw rows of ``build`` applied to the prospects ``selection`` picks, its SQL built
    once per shape of both."""
    return _rows_of_shape((name, selection.shape), lambda m: build(selection.build(m)), selection.values)


def _models_of_shape(shape: tuple, build: Callable[[list[int]], peewee.ModelSelect], ids: list[int]) -> list:
    """Model instances from ``build(ids)`` (SQL built once, as ``_rows_of_shape``), each value
    converted by its field as peewee would: the query built once wraps any cursor of its shape."""
    query, cursor = run_built(shape, build, ids)
    return list(query._get_cursor_wrapper(cursor))


def prospect_by_id(prospect_id: int) -> Prospect | None:
    """One prospect, every field (the detail pane, and each action on a card)."""
    found = _models_of_shape(
        ("prospect",), lambda ids: Prospect.select().where(Prospect.id == ids[0]), [prospect_id]
    )
    return found[0] if found else None


def stages_of(pipeline_id: int) -> list[Stage]:
    """A pipeline's stages, in order (each move of a card reads them)."""

    def build(ids):
        return Stage.select().where(Stage.pipeline == ids[0]).order_by(Stage.position)

    return _models_of_shape(("stages of",), build, [pipeline_id])


def follow_ups_of(prospect_id: int) -> list[FollowUp]:
    """Every follow-up of a prospect, done or not, oldest first."""

    def build(ids):
        return FollowUp.select().where(FollowUp.prospect == ids[0]).order_by(FollowUp.id)

    return _models_of_shape(("follow-ups of",), build, [prospect_id])


def stage_changes_of(prospect_id: int) -> list[StageChange]:
    """Every stage change of a prospect, oldest first."""

    def build(ids):
        return StageChange.select().where(StageChange.prospect == ids[0]).order_by(StageChange.id)

    return _models_of_shape(("stage changes of",), build, [prospect_id])


def load_pipelines() -> tuple[domain.Pipeline, ...]:
    def build(_):
        return Pipeline.select(Pipeline.id, Pipeline.name, Pipeline.position).order_by(
            Pipeline.position, Pipeline.id
        )

    return tuple(domain.Pipeline(*row) for row in _rows_of_shape(("pipelines",), build))


def load_stages(settings: Settings | None = None) -> tuple[domain.Stage, ...]:
    """Every stage; a probability in the config file (by stage name) wins over the stored one."""
    overrides = {k.lower(): v for k, v in (settings.probabilities if settings else {}).items()}

    def build(_):
        return Stage.select(
            Stage.id, Stage.pipeline, Stage.name, Stage.position, Stage.probability, Stage.kind, Stage.role
        ).order_by(Stage.pipeline, Stage.position)

    stages = []
    for sid, pid, name, position, probability, kind, role in _rows_of_shape(("stages",), build):
        probability = overrides.get(name.lower(), probability)
        stages.append(domain.Stage(sid, pid, name, position, probability, kind, role))
    return tuple(stages)


def load_quota(owner: str | None = "") -> domain.Quota | None:
    """The latest quota of one salesperson, or the team's (owner ``""``, also for ``None``)."""
    owner = owner or ""

    def build(_):
        return (
            Quota.select(Quota.period, Quota.target_cents)
            .where(Quota.owner == owner)
            .order_by(Quota.set_at.desc(), Quota.id.desc())
            .limit(1)
        )

    row = next(iter(_rows_of_shape(("quota", owner), build)), None)
    return domain.Quota(row[0], row[1], owner) if row else None


def _open_stage_ids() -> list[int]:
    return [sid for (sid,) in _rows(Stage.select(Stage.id).where(Stage.kind == OPEN))]


def load_reach(
    pipeline_id: int | None = None, stages: Iterable[domain.Stage] | None = None, owner: str | None = None
) -> tuple[domain.ReachCount, ...]:
    """The reach histogram of every live prospect: one GROUP BY on the prospect table."""
    positions = {s.id: s.position for s in (stages if stages is not None else load_stages())}
    query = Prospect.select(
        Prospect.pipeline, Prospect.stage, Prospect.reached_stage, Prospect.ever_won, fn.COUNT(Prospect.id)
    ).where(Prospect.archived == False)  # noqa: E712
    if pipeline_id is not None:
        query = query.where(Prospect.pipeline == pipeline_id)
    if owner is not None:
        query = query.where(Prospect.owner == owner)
    query = query.group_by(Prospect.stage, Prospect.pipeline, Prospect.reached_stage, Prospect.ever_won)
    counts: dict[tuple, int] = defaultdict(int)
    for pipeline, stage, reached, won, count in _rows(query):
        counts[(pipeline, stage, positions.get(reached), bool(won))] += count
    return tuple(domain.ReachCount(*key, count) for key, count in sorted(counts.items(), key=str))


def load_closed_totals(
    pipeline_id: int | None = None, stages: Iterable[domain.Stage] | None = None, owner: str | None = None
) -> dict[int, tuple[int, int]]:
    """Count and value of every live prospect in each closed stage, all time."""
    closed = [s.id for s in (stages if stages is not None else load_stages()) if s.kind != OPEN]
    query = (
        Prospect.select(Prospect.stage, fn.COUNT(Prospect.id), fn.COALESCE(fn.SUM(Prospect.value_cents), 0))
        .where(Prospect.archived == False, Prospect.stage.in_(closed))  # noqa: E712
        .group_by(Prospect.stage)
    )
    if pipeline_id is not None:
        query = query.where(Prospect.pipeline == pipeline_id)
    if owner is not None:
        query = query.where(Prospect.owner == owner)
    return {stage: (count, int(value)) for stage, count, value in _rows(query)}


def load_open_follow_ups(
    ids: Iterable[int] | peewee.Query | Selection | None = None,
) -> dict[int, list[domain.FollowUp]]:
    """Open follow-ups by prospect, soonest first: of these prospects (ids, or a query of
    them), or of all. In prospect order: the order of the index that holds them all."""

    def build(ids):
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
            .order_by(FollowUp.prospect, FollowUp.due_at, FollowUp.id)
        )
        return query if ids is None else query.where(FollowUp.prospect.in_(ids))

    if isinstance(ids, Selection):
        rows = _rows_of_selection("open follow-ups", ids, build)
    elif ids is None or isinstance(ids, peewee.Query):
        rows = _rows(build(ids))
    else:
        rows = _rows_of_shape(("open follow-ups",), build, list(ids))
    grouped: dict[int, list[domain.FollowUp]] = defaultdict(list)
    moment, text = moment_reader(), _text_keeper()
    for fid, pid, kind, due, created, notes in rows:
        grouped[pid].append(
            new_record(domain.FollowUp, (fid, pid, text(kind), moment(due), moment(created), notes))
        )
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
    Prospect.reached_stage,
    Prospect.ever_won,
    Prospect.owner,
    *(getattr(Prospect, column) for column in activity.COLUMNS),  # kept by triggers
    Prospect.updated_at,
    Prospect.source,
    Prospect.lost_reason,
    Prospect.snoozed_until,
    Prospect.snooze_reason,
)


def load_prospects(
    *,
    open_only: bool,
    pipeline_id: int | None = None,
    ids: Iterable[int] | None = None,
    open_stage_ids: list[int] | None = None,
    owner: str | None = None,
    with_notes: bool = False,
    id_slice: tuple[int, int] | None = None,
) -> list[tuple]:
    """Prospect rows: every live one, or the open ones only (of one owner, or everyone's); with
    the notes as a last column if asked; those whose id leaves remainder ``r`` divided by ``n``
    only, for ``id_slice`` (r, n)."""
    opens = None
    if open_only:
        opens = open_stage_ids if open_stage_ids is not None else _open_stage_ids()
    wanted = None if ids is None else list(ids)
    sliced_by_marks = id_slice is not None and wanted is None  # its values go as markers

    def build(marks: list[int]) -> peewee.Query:
        columns = (*PROSPECT_COLUMNS, Prospect.notes) if with_notes else PROSPECT_COLUMNS
        query = Prospect.select(*columns).where(Prospect.archived == False)  # noqa: E712
        if opens is not None:
            query = query.where(Prospect.stage.in_(opens))
        if pipeline_id is not None:
            query = query.where(Prospect.pipeline == pipeline_id)
        if wanted is not None:
            query = query.where(Prospect.id.in_(marks))
        if owner is not None:
            query = query.where(Prospect.owner == owner)
        return _sliced(query, (marks[0], marks[1]) if sliced_by_marks else id_slice)

    shape = (
        "prospects",
        tuple(opens) if opens is not None else None,
        pipeline_id,
        owner,
        wanted is None,
        with_notes,
        "sliced" if sliced_by_marks else id_slice,
    )
    values = wanted if wanted is not None else list(id_slice) if sliced_by_marks else []
    # sorted here, not by ORDER BY id: that made SQLite scan the whole table in id order rather
    # than find a few stages' rows by the index (40 -> 15 ms for 4,000 of 100,000 prospects)
    return sorted(_rows_of_shape(shape, build, values), key=itemgetter(0))


def _sliced(query: peewee.ModelSelect, id_slice: tuple[int, int] | None) -> peewee.ModelSelect:
    """The prospects of ``query`` whose id leaves remainder r divided by n (``id_slice``): a
    part of a stage, read beside the others' (``services.prefetch``)."""
    if id_slice is None:
        return query
    remainder, parts = id_slice
    # the remainder by integer division: peewee reads % as LIKE, and psycopg as a placeholder
    return query.where(Prospect.id - Prospect.id / parts * parts == remainder)


def load_snapshot(
    now: datetime,
    settings: Settings,
    *,
    pipeline_id: int | None = None,
    open_only: bool = False,
    ids: Iterable[int] | None = None,
    owner: str | None = None,
    stage_ids: Iterable[int] | None = None,
    with_notes: bool = False,
    id_slice: tuple[int, int] | None = None,
) -> domain.Snapshot:
    """Prospects with all the core needs of them, in a fixed number of queries whatever their
    number: every live one (the report reads its own: :mod:`pipeline_tui.store.report`), or
    ``open_only`` (the board) skips closed ones; ``ids`` loads just those;
    ``owner`` limits all of it to one salesperson's prospects and quota (else the team's);
    ``stage_ids`` (with ``open_only``) to the prospects in those open stages: a part of the
    board (the stages are all loaded still: a score reads where its stage stands among them);
    ``with_notes`` adds the prospects' notes (the board searches them), read with their rows;
    ``id_slice`` (r, n, with ``open_only``) keeps those whose id leaves remainder r divided by n.
    """
    quota = load_quota(owner)
    stages = load_stages(settings)
    positions = {stage.id: stage.position for stage in stages}
    open_stages = {stage.id for stage in stages if stage.kind == OPEN}
    if stage_ids is not None:
        open_stages &= set(stage_ids)
    rows = load_prospects(
        open_only=open_only,
        pipeline_id=pipeline_id,
        ids=ids,
        open_stage_ids=list(open_stages),
        owner=owner,
        with_notes=with_notes,
        id_slice=id_slice,
    )
    notes = None
    if with_notes:  # the last column: taken off each row (in place), kept where there is any
        notes = {}
        for index, row in enumerate(rows):
            if row[-1]:
                notes[row[0]] = row[-1]
            rows[index] = row[:-1]
    part = stage_ids is not None or id_slice is not None  # of a board read in parts
    if ids is None and part:  # the open follow-ups of the part's prospects: a sub-query
        in_stages = sorted(open_stages)

        def live_open(marks: list[int]) -> peewee.Query:
            query = Prospect.select(Prospect.id).where(
                Prospect.archived == False,  # noqa: E712
                Prospect.stage.in_(in_stages),
            )
            if pipeline_id is not None:
                query = query.where(Prospect.pipeline == pipeline_id)
            if owner is not None:
                query = query.where(Prospect.owner == owner)
            return _sliced(query, (marks[0], marks[1]) if id_slice is not None else None)

        shape = ("live open", tuple(in_stages), pipeline_id, owner, id_slice is not None)
        follow_ups = load_open_follow_ups(Selection(shape, live_open, list(id_slice or ())))
    else:
        wanted = [row[0] for row in rows if row[3] in open_stages] if ids is None else list(ids)
        # every open follow-up at once beats a long list of ids
        follow_ups = load_open_follow_ups(None if ids is None and len(wanted) > 500 else wanted)
    prospects = []
    moment, text = moment_reader(), _text_keeper()
    for index, (
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
        reached,
        ever_won,
        owner_name,
        last_activity,
        last_contact,
        last_appointment,
        demo_or_trial,
        updated,
        source,
        lost_reason,
        snoozed_until,
        snooze_reason,
    ) in enumerate(rows):
        rows[index] = None  # each row let go once read: the whole table never lives twice
        history = new_record(
            domain.History,
            (
                moment(last_activity),
                moment(last_contact),
                moment(last_appointment),
                bool(demo_or_trial),
                positions.get(reached),
                bool(ever_won),
            ),
        )
        prospects.append(
            new_record(  # a domain.Prospect, field by field in its order: no keyword matching
                domain.Prospect,
                (
                    pid,  # id
                    name,
                    pipeline,  # pipeline_id
                    stage,  # stage_id
                    moment(created),  # created
                    moment(entered),  # stage_entered
                    organization,
                    contact,
                    value,
                    _as_date(close),  # expected_close
                    text(urgency),
                    text(decision_maker),
                    probability,
                    moment(closed),  # closed_at
                    text(owner_name),  # owner
                    tuple(follow_ups.get(pid, ())),  # open_follow_ups
                    history,
                    moment(updated),
                    text(source),
                    lost_reason,
                    moment(snoozed_until),
                    snooze_reason,
                ),
            )
        )
    return domain.Snapshot(
        now=now,
        pipelines=load_pipelines(),
        stages=stages,
        prospects=tuple(prospects),
        quota=quota,
        pipeline_id=pipeline_id,
        notes=notes,
    )


def load_tallies(
    now: datetime,
    settings: Settings,
    quota: domain.Quota | None,
    pipeline_id: int | None,
    owner: str | None = None,
) -> dict[tuple[datetime, datetime], domain.ClosedTally]:
    """Won and lost in the windows the figures read: the look-back window, the current month
    and the quota period."""
    windows = [figures.lookback_window(now, settings.thresholds), figures.month_window(now)]
    if quota is not None:
        windows.append(figures.period_window(figures.quota_period(quota.period, now)))
    tallies = {}
    for window in windows:
        totals = closed_totals(*window, pipeline_id, owner)
        (won, value), (lost, _) = totals[domain.WON], totals[domain.LOST]
        tallies[window] = domain.ClosedTally(won, lost, value)
    return tallies


def closed_totals(
    start: datetime, end: datetime, pipeline_id: int | None = None, owner: str | None = None
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
    if owner is not None:
        query = query.where(Prospect.owner == owner)
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


def open_values_below(value: int) -> tuple[int, int]:
    """How many open prospects have a value below this one, and how many have a value."""
    query = Prospect.select(
        fn.COUNT(Prospect.id), fn.SUM(Case(None, [(Prospect.value_cents < value, 1)], 0))
    ).where(
        Prospect.archived == False,  # noqa: E712
        Prospect.stage.in_(_open_stage_ids()),
        Prospect.value_cents.is_null(False),
    )
    count, below = next(iter(_rows(query)))
    return int(below or 0), int(count or 0)


def open_counts(pipeline_id: int, owner: str | None = None) -> dict[int, int]:
    """How many live prospects each open stage of a pipeline holds, empty stages included, in
    the pipeline's order (counted from the index alone)."""
    stages = Stage.select(Stage.id).where(Stage.pipeline == pipeline_id, Stage.kind == OPEN)
    counts = {sid: 0 for (sid,) in _rows(stages.order_by(Stage.position, Stage.id))}
    query = (
        Prospect.select(Prospect.stage, fn.COUNT(Prospect.id))
        .where(
            Prospect.archived == False,  # noqa: E712
            Prospect.stage.in_(list(counts)),
            Prospect.pipeline == pipeline_id,
        )
        .group_by(Prospect.stage)
    )
    if owner is not None:
        query = query.where(Prospect.owner == owner)
    counts.update(_rows(query))
    return counts


def load_history(ids: Iterable[int]) -> dict[int, domain.History]:
    """The History of each of these prospects, as :func:`load_snapshot` builds it."""
    positions = {sid: position for sid, position in _rows(Stage.select(Stage.id, Stage.position))}
    columns = [getattr(Prospect, column) for column in activity.COLUMNS]
    query = Prospect.select(Prospect.id, *columns, Prospect.reached_stage, Prospect.ever_won)
    query = query.where(Prospect.id.in_(list(ids)))
    return {
        pid: domain.History(
            _as_datetime(last),
            _as_datetime(contact),
            _as_datetime(appointment),
            bool(demo),
            positions.get(reached),
            bool(won),
        )
        for pid, last, contact, appointment, demo, reached, won in _rows(query)
    }
