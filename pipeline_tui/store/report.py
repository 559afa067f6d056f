"""The report's reads: each open prospect with what the rules read of it, and what closed
prospects and past moves add up to, summarised in SQL; a fixed number of queries in all.

A report over 100,000 open prospects reads each of them once, so this read takes only the
columns the figures and the advice use and makes the core's records field by field.
"""

from __future__ import annotations

import functools
import operator
from collections import defaultdict
from datetime import datetime

import peewee
from peewee import SQL, Case, fn

from pipeline_tui.core import domain, figures, insight, open_deals
from pipeline_tui.core.dates import moment_reader
from pipeline_tui.core.domain import LOST, NO_HISTORY, OPEN, new_record
from pipeline_tui.core.money import Currencies
from pipeline_tui.core.settings import Settings
from pipeline_tui.store import models, queries
from pipeline_tui.store.currency import shown_currency, summed, to_home
from pipeline_tui.store.models import FollowUp, Prospect, StageChange

# what the report reads of an open prospect, in the order of the loop below
COLUMNS = (
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
    Prospect.decision_maker,
    Prospect.probability,
    Prospect.updated_at,
    Prospect.source,
    Prospect.snoozed_until,
    Prospect.snooze_reason,
    Prospect.last_activity_at,
    Prospect.last_contact_at,
    Prospect.last_appointment_at,
    Prospect.demo_or_trial,
    Prospect.currency,  # of value_cents: the figures count it in the home currency
)


def _rows(query: peewee.Query):
    return models.database.obj.execute(query)


def _scoped(query: peewee.ModelSelect, pipeline_id: int | None, owner: str | None) -> peewee.ModelSelect:
    if pipeline_id is not None:
        query = query.where(Prospect.pipeline == pipeline_id)
    if owner is not None:
        query = query.where(Prospect.owner == owner)
    return query


def load_report_snapshot(
    now: datetime,
    settings: Settings,
    pipeline_id: int | None = None,
    owner: str | None = None,
    *,
    with_open: bool = True,
) -> domain.Snapshot:
    """Everything the report needs: open prospects one by one (none without ``with_open``:
    the caller reads their sums and advice apart), the rest summarised; one salesperson's
    (``owner``) or everyone's, of one pipeline or all."""
    quota = queries.load_quota(owner)
    stages = queries.load_stages(settings)
    open_ids = [stage.id for stage in stages if stage.kind == OPEN]
    found = _open_prospects(open_ids, pipeline_id, owner, settings.currency) if with_open else ()
    return domain.Snapshot(
        now=now,
        pipelines=queries.load_pipelines(),
        stages=stages,
        prospects=found,
        quota=quota,
        pipeline_id=pipeline_id,
        closed_totals=queries.load_closed_totals(pipeline_id, stages, owner, settings.currency),
        reach=queries.load_reach(pipeline_id, stages, owner),
        closed_tallies=queries.load_tallies(now, settings, quota, pipeline_id, owner),
        **report_history(now, settings, stages, pipeline_id, owner),
    )


def _open_follow_ups(ids: list[int] | None = None) -> dict[int, list[domain.FollowUp]]:
    """Every open follow-up by prospect (of these prospects only, if given), soonest first
    (read from the index that holds them)."""
    query = (
        FollowUp.select(FollowUp.id, FollowUp.prospect, FollowUp.kind, FollowUp.due_at, FollowUp.created_at)
        .where(FollowUp.done_at.is_null())
        .order_by(FollowUp.prospect, FollowUp.due_at, FollowUp.id)
    )
    if ids is not None:
        query = query.where(FollowUp.prospect.in_(ids))
    grouped: dict[int, list[domain.FollowUp]] = defaultdict(list)
    moment = moment_reader()
    kinds: dict[str, str] = {}
    for fid, pid, kind, due, created in _rows(query):
        record = (fid, pid, kinds.setdefault(kind, kind), moment(due), moment(created), "")
        grouped[pid].append(new_record(domain.FollowUp, record))
    return grouped


def _open_prospects(
    open_ids: list[int],
    pipeline_id: int | None,
    owner: str | None,
    currencies: Currencies,
    wanted: set[int] | None = None,
) -> tuple:
    """Each live open prospect (of those ``wanted``, if given) as the core's record, its value
    in the home currency, with its open follow-ups."""
    query = Prospect.select(*COLUMNS).where(Prospect.archived == False, Prospect.stage.in_(open_ids))  # noqa: E712
    make = _record_maker(currencies, _open_follow_ups())
    rows = _rows(_scoped(query, pipeline_id, owner))
    if wanted is not None:  # a record is made of the rows wanted only: most of the time is there
        return tuple([make(row) for row in rows if row[0] in wanted])
    return tuple([make(row) for row in rows])


FEW = 10_000  # prospects read by their ids (quicker up to ~15,000 of 100,000); more: picked from all
CHUNK = 500  # ids a query (an older SQLite takes at most 999 parameters)


def open_prospects_among(ids: list[int], open_ids: list[int], currencies: Currencies) -> tuple:
    """These live open prospects (ids of live open ones), as :func:`_open_prospects` makes them."""
    if len(ids) > FEW:
        return _open_prospects(open_ids, None, None, currencies, set(ids))
    found: list[domain.Prospect] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        query = Prospect.select(*COLUMNS).where(Prospect.id.in_(chunk))
        make = _record_maker(currencies, _open_follow_ups(chunk))
        found += [make(row) for row in _rows(query)]
    return tuple(found)


def open_deal_groups(
    open_ids: list[int], currencies: Currencies, at: open_deals.Marks
) -> tuple[list[tuple], list[tuple], list[datetime]]:
    """Every live open prospect in the groups the open sums add up
    (``core.open_deals.VALUE_GROUP`` and ``AGE_GROUP``, compared with the moments ``at``),
    grouped by the database, and the due times of their open appointments."""
    live = (Prospect.archived == False) & Prospect.stage.in_(open_ids)  # noqa: E712
    known, moment = _moment_reader()
    scanned = live
    if isinstance(models.database.obj, peewee.SqliteDatabase):
        # "+archived": SQLite then reads the table through rather than each row by the board's
        # index, which for most of a big pipeline's rows took twice the time
        unindexed = peewee.NodeList((SQL("+"), Prospect.archived), glue="")
        scanned = (unindexed == False) & Prospect.stage.in_(open_ids)  # noqa: E712
    appointments = (
        FollowUp.select(FollowUp.due_at)
        .join(Prospect, on=(FollowUp.prospect == Prospect.id))
        .where(FollowUp.done_at.is_null(), FollowUp.kind == "appointment", live)
    )
    dues = [known(due) or moment(due) for (due,) in _rows(appointments)]
    return _value_groups(scanned, currencies), _age_groups(scanned, at), dues


def _value_groups(live: peewee.Expression, currencies: Currencies) -> list[tuple]:
    """``VALUE_GROUP``s: a value in another currency is converted deal by deal (rounded to
    the cent), so such deals are grouped by their value too."""
    foreign = Case(None, [(Prospect.currency != "", Prospect.value_cents)], None)
    query = Prospect.select(
        Prospect.stage, Prospect.expected_close, Prospect.probability, Prospect.currency, foreign,
        fn.COUNT(SQL("*")), fn.COUNT(Prospect.value_cents), fn.SUM(Prospect.value_cents),
    ).where(live)  # fmt: skip
    # by position: PostgreSQL cannot tell the CASE's parameters in GROUP BY are the SELECT's
    query = query.group_by(SQL("1"), SQL("2"), SQL("3"), SQL("4"), SQL("5"))
    day = _day_reader()
    groups = []
    for stage, close, probability, code, amount, deals, valued, total in _rows(query):
        if code:
            worth = to_home(amount, code, currencies)
            valued, total = (0, 0) if worth is None else (valued, worth * valued)
        close = None if close is None else day(close)
        groups.append((stage, close, probability, deals, valued, int(total or 0)))
    return groups


def _age_groups(live: peewee.Expression, at: open_deals.Marks) -> list[tuple]:
    """``AGE_GROUP``s: the database compares each deal's moments with the marks (the last
    touch is the latest of the three moments ``aging.touched_last`` reads)."""
    untouched = (
        (Prospect.stage_entered_at <= at.cutoff)
        & (Prospect.updated_at.is_null() | (Prospect.updated_at <= at.cutoff))
        & (Prospect.last_activity_at.is_null() | (Prospect.last_activity_at <= at.cutoff))
    )
    facts = [
        (Prospect.created_at <= at.now, open_deals.BORN),
        (Prospect.created_at >= at.monday, open_deals.THIS_WEEK),
        (Prospect.created_at >= at.lookback, open_deals.IN_LOOKBACK),
        (untouched, open_deals.UNTOUCHED),
    ]
    query = Prospect.select(
        Prospect.source,
        functools.reduce(operator.add, [Case(None, [(holds, flag)], 0) for holds, flag in facts]),
        Case(None, [(Prospect.snoozed_until > at.now, Prospect.snooze_reason)], None),
        fn.COUNT(SQL("*")),
    ).where(live)
    return list(_rows(query.group_by(SQL("1"), SQL("2"), SQL("3"))))


def _record_maker(currencies: Currencies, follow_ups: dict[int, list[domain.FollowUp]]):
    """A maker of the core's record of one row of ``COLUMNS``, which reads each stored moment,
    day and repeated text once (most repeat, and a lookup is cheaper than a call)."""
    known, moment = _moment_reader()
    history = _history_maker(known, moment)
    day = _day_reader()
    text = {}.setdefault
    none: tuple = ()

    def make(row: tuple) -> domain.Prospect:
        (pid, name, pipeline, stage, created, entered, organization, contact, value, close, decision_maker,
         probability, updated, source, snoozed_until, snooze_reason, activity, last_contact, appointment,
         demo_or_trial, code) = row  # fmt: skip
        mine = follow_ups.get(pid)
        return new_record(  # a domain.Prospect, field by field in its order
            domain.Prospect,
            (
                pid,
                name,
                pipeline,
                stage,
                known(created) or moment(created),
                known(entered) or moment(entered),
                organization,
                contact,
                value if not code else to_home(value, code, currencies),
                None if close is None else day(close),
                "medium",  # urgency: the report does not read it
                text(decision_maker, decision_maker),
                probability,
                None,  # closed_at: open
                "",  # owner: chosen in SQL
                tuple(mine) if mine else none,
                history(activity, last_contact, appointment, demo_or_trial),
                updated and (known(updated) or moment(updated)),
                text(source, source),
                "",  # lost_reason: open
                snoozed_until and (known(snoozed_until) or moment(snoozed_until)),
                snooze_reason,
                shown_currency(code, currencies),
                value,  # amount: in its own currency
            ),
        )

    return make


def _moment_reader():
    """A lookup of stored moments read before (None if not yet), and a reader that keeps them."""
    parse = moment_reader()
    seen: dict = {}

    def moment(value):
        found = seen[value] = parse(value)
        return found

    return seen.get, moment


def _history_maker(known, moment):
    """A maker of a prospect's activity summary from its four columns."""

    def history(activity, contact, appointment, demo_or_trial) -> domain.History:
        if activity is None and contact is None and appointment is None and not demo_or_trial:
            return NO_HISTORY
        return new_record(
            domain.History,
            (
                activity and (known(activity) or moment(activity)),
                contact and (known(contact) or moment(contact)),
                appointment and (known(appointment) or moment(appointment)),
                bool(demo_or_trial),
                None,
                False,
            ),
        )

    return history


def _day_reader():
    """A parser of stored dates (ISO text, or a server driver's date) that parses each once."""
    from datetime import date

    parsed: dict[str, date] = {}

    def day(value):
        if value.__class__ is not str:
            return value
        found = parsed.get(value)
        if found is None:
            found = parsed[value] = date.fromisoformat(value[:10])
        return found

    return day


def report_history(
    now: datetime,
    settings: Settings,
    stages,
    pipeline_id: int | None,
    owner: str | None,
) -> dict:
    """The history closed prospects and past moves make, summarised in SQL (the snapshot's
    fields of these names): the cohort of the lead-to-win rate, lost reasons, time in stage,
    and this week's activity."""
    start, end = figures.lookback_window(now, settings.thresholds)
    monday = insight.week_start(now)
    kind_of = {stage.id: stage.kind for stage in stages}
    fresh = Case(None, [(Prospect.created_at >= start, 1)], 0)
    currencies = settings.currency
    # prospects closed in the look-back window: one pass over the closed_at index
    query = Prospect.select(
        Prospect.source,
        Prospect.stage,
        Prospect.lost_reason,
        fresh,
        Prospect.currency,
        fn.SUM(Case(None, [(Prospect.created_at >= monday, 1)], 0)),
        fn.COUNT(Prospect.id),
        fn.COALESCE(fn.SUM(Prospect.value_cents), 0),
    ).where(
        Prospect.archived == False,  # noqa: E712
        Prospect.stage.in_([sid for sid, kind in kind_of.items() if kind != OPEN]),
        Prospect.closed_at.between(start, end),
        Prospect.created_at <= end,
    )
    # by position: PostgreSQL cannot tell the CASE's parameters in GROUP BY are the SELECT's
    query = _scoped(query, pipeline_id, owner).group_by(SQL("1"), SQL("2"), SQL("3"), SQL("4"), SQL("5"))
    cohort: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    reasons: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    closed_new = 0
    for source, stage, reason, in_cohort, code, new, count, value in _rows(query):
        closed_new += int(new or 0)
        value = summed([(code, value)], currencies)
        for wanted, table, key in (
            (in_cohort, cohort, (source, stage)),
            (kind_of.get(stage) == LOST, reasons, reason),
        ):
            if wanted:
                table[key][0] += count
                table[key][1] += value
    return {
        "cohort": tuple(domain.CohortCount(source, stage, *row) for (source, stage), row in cohort.items()),
        "lost_reasons": tuple(domain.ReasonCount(reason, *row) for reason, row in reasons.items()),
        "stage_time": load_stage_time(start, end, pipeline_id, owner),
        "done_this_week": done_between(monday, now, pipeline_id, owner),
        "closed_new_this_week": closed_new,
    }


def load_stage_time(
    start: datetime, end: datetime, pipeline_id: int | None = None, owner: str | None = None
) -> tuple[domain.StageTime, ...]:
    """For each stage, how many prospects left it between two times and how long they had been
    in it, all told (from the stage changes' index alone, unless one owner's or pipeline's)."""
    query = StageChange.select(
        StageChange.from_stage, fn.COUNT(SQL("*")), fn.SUM(StageChange.seconds_in_stage)
    ).where(
        StageChange.changed_at.between(start, end),
        StageChange.from_stage.is_null(False),
        StageChange.seconds_in_stage.is_null(False),
    )
    if pipeline_id is not None or owner is not None:
        query = _scoped(query.join(Prospect, on=(StageChange.prospect == Prospect.id)), pipeline_id, owner)
    query = query.group_by(StageChange.from_stage)
    return tuple(
        domain.StageTime(stage, count, float(seconds or 0)) for stage, count, seconds in _rows(query)
    )


def done_between(
    start: datetime, end: datetime, pipeline_id: int | None, owner: str | None
) -> dict[str, int]:
    """Follow-ups done between two times, by kind, of live prospects. Everyone's are counted
    from the index of done follow-ups, less those of archived prospects (a short list looked
    up in memory): joining each follow-up to its prospect's row cost ten times as much."""
    done = FollowUp.select(FollowUp.kind, fn.COUNT(SQL("*"))).where(FollowUp.done_at.between(start, end))
    if pipeline_id is None and owner is None:
        counts = dict(_rows(done.group_by(FollowUp.kind)))
        archived = Prospect.select(Prospect.id).where(Prospect.archived == True)  # noqa: E712
        for kind, count in _rows(done.where(FollowUp.prospect.in_(archived)).group_by(FollowUp.kind)):
            counts[kind] -= count
        return {kind: count for kind, count in counts.items() if count}
    query = done.join(Prospect, on=(FollowUp.prospect == Prospect.id)).where(Prospect.archived == False)  # noqa: E712
    return dict(_rows(_scoped(query, pipeline_id, owner).group_by(FollowUp.kind)))
