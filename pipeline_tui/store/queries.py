"""The read queries behind the report, the detail pane and the export, in a fixed number of
queries whatever the number of prospects (the board reads its own: ``store.board``).

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
from peewee import fn

from pipeline_tui.core import domain, figures
from pipeline_tui.core.dates import moment_reader
from pipeline_tui.core.domain import OPEN, new_record
from pipeline_tui.core.money import NO_CURRENCIES, Currencies
from pipeline_tui.core.settings import Settings
from pipeline_tui.store import activity, models
from pipeline_tui.store.built import marker, models_built, run_built
from pipeline_tui.store.currency import home_value, shown_currency, summed, to_home
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


def _prospect_by_id(marks: list[int]) -> peewee.Query:
    return Prospect.select().where(Prospect.id == marks[0])


def prospect_by_id(prospect_id: int) -> Prospect | None:
    """One prospect, every field (the detail pane, and each action on a card)."""
    found = models_built(Prospect, _prospect_by_id, (), [prospect_id])
    return found[0] if found else None


def _stages_of(marks: list[int]) -> peewee.Query:
    return Stage.select().where(Stage.pipeline == marks[0]).order_by(Stage.position)


def stages_of(pipeline_id: int) -> list[Stage]:
    """A pipeline's stages, in order (each move of a card reads them)."""
    return models_built(Stage, _stages_of, (), [pipeline_id])


def _follow_ups_of(marks: list[int]) -> peewee.Query:
    return FollowUp.select().where(FollowUp.prospect == marks[0]).order_by(FollowUp.id)


def follow_ups_of(prospect_id: int) -> list[FollowUp]:
    """Every follow-up of a prospect, done or not, oldest first."""
    return models_built(FollowUp, _follow_ups_of, (), [prospect_id])


def _stage_changes_of(marks: list[int]) -> peewee.Query:
    return StageChange.select().where(StageChange.prospect == marks[0]).order_by(StageChange.id)


def stage_changes_of(prospect_id: int) -> list[StageChange]:
    """Every stage change of a prospect, oldest first."""
    return models_built(StageChange, _stage_changes_of, (), [prospect_id])


def _pipelines(_marks: list[int]) -> peewee.Query:
    return Pipeline.select(Pipeline.id, Pipeline.name, Pipeline.position).order_by(
        Pipeline.position, Pipeline.id
    )


def load_pipelines() -> tuple[domain.Pipeline, ...]:
    return tuple(domain.Pipeline(*row) for row in run_built(_pipelines, ()))


def _stages(_marks: list[int]) -> peewee.Query:
    return Stage.select(
        Stage.id, Stage.pipeline, Stage.name, Stage.position, Stage.probability, Stage.kind, Stage.role
    ).order_by(Stage.pipeline, Stage.position)


def load_stages(settings: Settings | None = None) -> tuple[domain.Stage, ...]:
    """Every stage; a probability in the config file (by stage name) wins over the stored one."""
    overrides = {k.lower(): v for k, v in (settings.probabilities if settings else {}).items()}
    stages = []
    for sid, pid, name, position, probability, kind, role in run_built(_stages, ()):
        probability = overrides.get(name.lower(), probability)
        stages.append(domain.Stage(sid, pid, name, position, probability, kind, role))
    return tuple(stages)


def _quota(owner: str, _marks: list[int]) -> peewee.Query:
    return (
        Quota.select(Quota.period, Quota.target_cents)
        .where(Quota.owner == owner)
        .order_by(Quota.set_at.desc(), Quota.id.desc())
        .limit(1)
    )


def load_quota(owner: str | None = "") -> domain.Quota | None:
    """The latest quota of one salesperson, or the team's (owner ``""``, also for ``None``)."""
    owner = owner or ""
    row = next(iter(run_built(_quota, (owner,)).fetchall()), None)
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
    pipeline_id: int | None = None,
    stages: Iterable[domain.Stage] | None = None,
    owner: str | None = None,
    currencies: Currencies = NO_CURRENCIES,
) -> dict[int, tuple[int, int]]:
    """Count and value (in the home currency) of every live prospect in each closed stage, all
    time."""
    closed = [s.id for s in (stages if stages is not None else load_stages()) if s.kind != OPEN]
    query = (
        Prospect.select(
            Prospect.stage,
            Prospect.currency,
            fn.COUNT(Prospect.id),
            fn.COALESCE(fn.SUM(Prospect.value_cents), 0),
        )
        .where(Prospect.archived == False, Prospect.stage.in_(closed))  # noqa: E712
        .group_by(Prospect.stage, Prospect.currency)
    )
    if pipeline_id is not None:
        query = query.where(Prospect.pipeline == pipeline_id)
    if owner is not None:
        query = query.where(Prospect.owner == owner)
    counts: dict[int, int] = defaultdict(int)
    sums: dict[int, list] = defaultdict(list)
    for stage, code, count, value in _rows(query):
        counts[stage] += count
        sums[stage].append((code, value))
    return {stage: (count, summed(sums[stage], currencies)) for stage, count in counts.items()}


def _open_follow_ups(count: int | None, marks: list[int]) -> peewee.Query:
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
    return query if count is None else query.where(FollowUp.prospect.in_(marks))


def load_open_follow_ups(ids: Iterable[int] | None = None) -> dict[int, list[domain.FollowUp]]:
    """Open follow-ups by prospect, soonest first: of these prospects, or of all. In prospect
    order: the order of the index that holds them all (schema 4)."""
    wanted = None if ids is None else list(ids)
    rows = run_built(_open_follow_ups, (None if wanted is None else len(wanted),), wanted or ())
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
    Prospect.currency,  # of value_cents: the core's records carry it in the home currency
)


class Scope(NamedTuple):
    """Which live prospects to read: the open ones only (in these stages), of one pipeline, of
    these ids (how many: their values go in as markers), of one owner; None for any."""

    open_stage_ids: tuple[int, ...] | None = None
    pipeline_id: int | None = None
    id_count: int | None = None
    owner: str | None = None


def _prospects(scope: Scope, marks: list[int]) -> peewee.Query:
    query = Prospect.select(*PROSPECT_COLUMNS).where(Prospect.archived == False)  # noqa: E712
    if scope.open_stage_ids is not None:
        query = query.where(Prospect.stage.in_(list(scope.open_stage_ids)))
    if scope.pipeline_id is not None:
        query = query.where(Prospect.pipeline == scope.pipeline_id)
    if scope.id_count is not None:
        query = query.where(Prospect.id.in_(marks))
    if scope.owner is not None:
        query = query.where(Prospect.owner == scope.owner)
    return query


def load_prospects(scope: Scope, ids: Iterable[int] = ()) -> list[tuple]:
    """Prospect rows (``PROSPECT_COLUMNS``) of the live prospects ``scope`` picks, by id."""
    # sorted here, not by ORDER BY id: that made SQLite scan the whole table in id order rather
    # than find a few stages' rows by the index (40 -> 15 ms for 4,000 of 100,000 prospects)
    return sorted(run_built(_prospects, (scope,), list(ids)), key=itemgetter(0))


def _prospect_records(
    rows: list[tuple], follow_ups: dict, positions: dict[int, int], currencies: Currencies
) -> list[domain.Prospect]:
    """The core's record of each row, with its open follow-ups and condensed history; its
    value in the home currency, its own currency and amount beside it."""
    prospects = []
    moment, text = moment_reader(), _text_keeper()
    for index, row in enumerate(rows):
        rows[index] = None  # each row let go once read: the whole table never lives twice
        (pid, name, pipeline, stage, created, entered, organization, contact, value, close) = row[:10]
        (urgency, decision_maker, probability, closed, reached, ever_won, owner) = row[10:17]
        (last_activity, last_contact, last_appointment, demo_or_trial) = row[17:21]
        (updated, source, lost_reason, snoozed_until, snooze_reason, code) = row[21:]
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
                (pid, name, pipeline, stage, moment(created), moment(entered), organization, contact)
                + (to_home(value, code, currencies), _as_date(close), text(urgency), text(decision_maker))
                + (probability, moment(closed), text(owner), tuple(follow_ups.get(pid, ())), history)
                + (moment(updated), text(source), lost_reason, moment(snoozed_until), snooze_reason)
                + (shown_currency(code, currencies), value),
            )
        )
    return prospects


def records_of(
    rows: list[tuple], open_follow_ups: dict, stages: Iterable[domain.Stage], currencies: Currencies
) -> list[domain.Prospect]:
    """The core's record of rows in ``PROSPECT_COLUMNS`` order, as read (an import's rows in
    hand, their times as the ISO text stored); ``rows`` is emptied as it goes."""
    positions = {stage.id: stage.position for stage in stages}
    return _prospect_records(rows, open_follow_ups, positions, currencies)


def prospects_by_id(
    ids: list[int],
    stages: Iterable[domain.Stage],
    currencies: Currencies,
    pipeline_id: int | None = None,
    owner: str | None = None,
) -> list[domain.Prospect]:
    """The core's record of each of these prospects that is live (not archived)."""
    rows = load_prospects(Scope(None, pipeline_id, len(ids), owner), ids)
    positions = {stage.id: stage.position for stage in stages}
    return _prospect_records(rows, load_open_follow_ups(ids), positions, currencies)


def load_snapshot(
    now: datetime,
    settings: Settings,
    *,
    pipeline_id: int | None = None,
    owner: str | None = None,
    ids: Iterable[int] | None = None,
    open_only: bool = False,
) -> domain.Snapshot:
    """Prospects with all the core needs of them, in a fixed number of queries whatever their
    number: every live one (the report reads its own: :mod:`pipeline_tui.store.report`), or
    ``open_only`` (the export) skips closed ones; ``ids`` loads just those; ``owner`` limits
    all of it to one salesperson's prospects and quota (else the team's).
    """
    quota = load_quota(owner)
    stages = load_stages(settings)
    wanted = None if ids is None else list(ids)
    if wanted is None:
        open_ids = tuple(s.id for s in stages if s.kind == OPEN) if open_only else None
        rows = load_prospects(Scope(open_ids, pipeline_id, None, owner))
        positions = {stage.id: stage.position for stage in stages}
        prospects = _prospect_records(rows, load_open_follow_ups(None), positions, settings.currency)
    else:
        prospects = prospects_by_id(wanted, stages, settings.currency, pipeline_id, owner)
    return domain.Snapshot(
        now=now,
        pipelines=load_pipelines(),
        stages=stages,
        prospects=tuple(prospects),
        quota=quota,
        pipeline_id=pipeline_id,
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
        totals = closed_totals(*window, pipeline_id, owner, currencies=settings.currency)
        (won, value), (lost, _) = totals[domain.WON], totals[domain.LOST]
        tallies[window] = domain.ClosedTally(won, lost, value)
    return tallies


def _closed_totals(closed: int, by_pipeline: bool, owned: bool, marks: list[int]) -> peewee.Query:
    query = (
        Prospect.select(
            Prospect.stage,
            Prospect.currency,
            fn.COUNT(Prospect.id),
            fn.COALESCE(fn.SUM(Prospect.value_cents), 0),
        )
        .where(
            Prospect.closed_at.between(marker(marks[0]), marker(marks[1])),
            Prospect.stage.in_([marker(mark) for mark in marks[2 : 2 + closed]]),
            Prospect.archived == False,  # noqa: E712
        )
        .group_by(Prospect.stage, Prospect.currency)
    )
    if by_pipeline:
        query = query.where(Prospect.pipeline == marker(marks[2 + closed]))
    if owned:
        query = query.where(Prospect.owner == marker(marks[-1]))
    return query


def closed_totals(
    start: datetime,
    end: datetime,
    pipeline_id: int | None = None,
    owner: str | None = None,
    stages: Iterable[domain.Stage] | None = None,
    currencies: Currencies = NO_CURRENCIES,
) -> dict[str, tuple[int, int]]:
    """Count and value (in the home currency) of prospects won and lost between two times: the
    board's strip. Read from the index of closed prospects alone (schema 9, its currency
    since schema 10): no row, no stage joined."""
    every = stages if stages is not None else load_stages()
    kinds = {s.id: s.kind for s in every if s.kind in (domain.WON, domain.LOST)}
    values = [str(start), str(end), *kinds, *([] if pipeline_id is None else [pipeline_id])]
    values += [] if owner is None else [owner]
    shape = (len(kinds), pipeline_id is not None, owner is not None)
    totals = {domain.WON: (0, 0), domain.LOST: (0, 0)}
    for stage, code, count, value in run_built(_closed_totals, shape, values):
        before = totals[kinds[stage]]
        totals[kinds[stage]] = (before[0] + count, before[1] + summed([(code, value)], currencies))
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


def open_values(currencies: Currencies) -> list[int]:
    """Sorted values (in the home currency) of all open prospects: what a budget's size is
    ranked against."""
    opens = (Prospect.archived == False) & Prospect.stage.in_(_open_stage_ids())  # noqa: E712
    if not currencies.rates:  # by the value's index, as before currencies: home ones only count
        query = Prospect.select(Prospect.value_cents).where(
            opens, Prospect.value_cents.is_null(False), Prospect.currency.in_(sorted({"", currencies.home}))
        )
        return [value for (value,) in _rows(query.order_by(Prospect.value_cents))]
    value = home_value(currencies)
    query = Prospect.select(value).where(opens, value.is_null(False)).order_by(value)
    return [int(found) for (found,) in _rows(query)]


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
