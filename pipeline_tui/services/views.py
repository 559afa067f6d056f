"""What the screens and commands show: the board, the agenda, the report and a prospect's
detail, each built from a bounded number of queries and the pure core."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import wraps
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple, ParamSpec, TypeVar

from peewee import fn

from pipeline_tui.core import aging, domain, figures
from pipeline_tui.core.domain import new_record
from pipeline_tui.core.score import (
    Score,
    ScoreContext,
    open_stages_by_pipeline,
    rank_among,
    score_all,
    score_prospect,
    score_total,
)
from pipeline_tui.core.settings import Settings
from pipeline_tui.errors import UserError
from pipeline_tui.services import cadences
from pipeline_tui.services.agenda import (  # noqa: F401  (the agenda's names, as before)
    AGENDA_GROUPS,
    AgendaItem,
    agenda,
    agenda_group,
    follow_up_status,
)
from pipeline_tui.services.base import find_pipeline
from pipeline_tui.store import queries
from pipeline_tui.store.db import read_snapshot
from pipeline_tui.store.models import Prospect, Stage

if TYPE_CHECKING:  # the report's and the advice rules' code loads when first asked for
    from pipeline_tui.core import advice as advice_rules
    from pipeline_tui.core.report import Report

P = ParamSpec("P")
T = TypeVar("T")


def _one_read(function: Callable[P, T]) -> Callable[P, T]:
    """Run a view's queries in one read transaction: another program's write lands before or
    after them, never between (a prospect listed must also be found in the snapshot)."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with read_snapshot():
            return function(*args, **kwargs)

    return wrapper


# -- board ------------------------------------------------------------------------------------


class Card(NamedTuple):
    """An open prospect as a board column shows it."""

    id: int
    name: str
    organization: str
    contact: str
    value: int | None
    weighted_value: float
    score: int
    decision_maker: str
    stage_id: int
    next_follow_up: domain.FollowUp | None
    follow_up_status: str  # overdue, today, upcoming or none
    notes: str  # searched, not shown
    days_in_stage: int = 0  # whole days since it entered its stage
    slipped: bool = False  # its expected close date has passed

    @property
    def search_text(self) -> str:
        """Lower-case name, organization, contact and notes: what the board's search looks in.
        Made when searched (~6 ms for 10,000 cards a keystroke): kept on every card, it cost
        ~1 MB and the time to make it at start-up, in both processes that read the board."""
        return f"{self.name} {self.organization} {self.contact} {self.notes}".lower()


class Column(NamedTuple):
    """An open stage's cards, best first, and their value plain and weighted."""

    stage: domain.Stage
    cards: list[Card]
    value: int
    weighted_value: float


@dataclass(frozen=True)
class Board:
    """The board of one pipeline: its columns and the quota period's won and lost."""

    pipeline: domain.Pipeline
    pipelines: tuple[domain.Pipeline, ...]
    columns: list[Column]
    won: tuple[int, int]  # count, value in the quota period
    lost: tuple[int, int]
    period: figures.Period
    quota_target: int | None = None  # cents, when a quota is set
    # every card on the board by prospect id: finding one among 10,000 without a scan
    cards_by_id: dict[int, Card] = field(default_factory=dict, compare=False, repr=False)
    # sorted values of every open prospect (all pipelines): what a card's budget ranks against
    open_values: list[int] = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.cards_by_id:
            self.cards_by_id.update((card.id, card) for column in self.columns for card in column.cards)


def card_index(cards: list[Card], card: Card) -> int | None:
    """Where ``card`` is in ``cards`` (sorted by card_order, as every column is), by bisection:
    at 10,000 cards a scan per key is a visible cost."""
    place = bisect_left(cards, card_order(card), key=card_order)
    return place if place < len(cards) and cards[place].id == card.id else None


def card_order(card: Card) -> tuple:
    """Best score first; then the bigger deal; then the older prospect."""
    return (-card.score, -(card.value or 0), card.id)


def _cards(
    snapshot: domain.Snapshot, settings: Settings, now: datetime, notes: dict[int, str], context: ScoreContext
) -> list[Card]:
    """A card for each open prospect of the snapshot, scored against every open prospect."""
    stage_by_id = snapshot.stage_by_id
    weights, thresholds = settings.score, settings.thresholds
    cards = []
    for prospect in snapshot.open_prospects:
        score = score_total(prospect, stage_by_id[prospect.stage_id], context, weights, thresholds)
        upcoming = prospect.open_follow_ups[0] if prospect.open_follow_ups else None
        cards.append(
            new_record(  # a Card, field by field in its order: no keyword matching (10,000 cards)
                Card,
                (
                    prospect.id,
                    prospect.name,
                    prospect.organization,
                    prospect.contact,
                    prospect.value,
                    snapshot.weighted_value(prospect),  # weighted_value
                    score,
                    prospect.decision_maker,
                    prospect.stage_id,
                    upcoming,  # next_follow_up
                    follow_up_status(upcoming.due, now) if upcoming else "none",
                    notes.get(prospect.id, ""),
                    aging.days_in_stage(prospect, now),
                    aging.is_slipped(prospect, now),
                ),
            )
        )
    return cards


def _period_totals(now: datetime, quota: domain.Quota | None, pipeline_id: int, owner: str | None):
    period = figures.quota_period(quota.period if quota else "quarter", now)
    totals = queries.closed_totals(
        datetime.combine(period.start, datetime.min.time()),
        datetime.combine(period.end, datetime.max.time()).replace(microsecond=0),
        pipeline_id,
        owner,
    )
    return period, totals[domain.WON], totals[domain.LOST]


BoardPart = tuple[Collection[int] | None, tuple[int, int] | None]  # stages, a slice of their ids


def board_stages(settings: Settings, pipeline_name: str | None = None) -> list[domain.Stage]:
    """The open stages of a pipeline, in order: the board's columns, before their cards."""
    pipeline_id = find_pipeline(pipeline_name).id
    return [
        s for s in queries.load_stages(settings) if s.pipeline_id == pipeline_id and s.kind == domain.OPEN
    ]


@_one_read
def board(
    now: datetime,
    settings: Settings,
    pipeline_name: str | None = None,
    owner: str | None = None,
    parts: Iterable[BoardPart] | None = None,
    each_part: Callable[[list[Column]], object] | None = None,
) -> Board:
    """Open prospects of one pipeline by stage, best score first, with the period's won and lost;
    one salesperson's (``owner``) or everyone's; a column for every open stage, or for each of
    ``parts`` only (a part of the board, read beside the rest: see :func:`board_parts`). With
    ``each_part``, each part's columns are handed to it as soon as they are read, and kept
    out of the board (which then indexes no card: the read-ahead sends them on as they come)."""
    pipeline = find_pipeline(pipeline_name)
    quota = queries.load_quota(owner)
    # the totals first: a reader sharing the parts with another takes them after (prefetch)
    period, won, lost = _period_totals(now, quota, pipeline.id, owner)
    columns, context = _read_parts(
        now, settings, pipeline.id, owner, [(None, None)] if parts is None else parts, each_part
    )
    return Board(
        domain.Pipeline(pipeline.id, pipeline.name, pipeline.position),
        queries.load_pipelines(),
        columns,
        won,
        lost,
        period,
        quota.target if quota else None,
        open_values=list(context.open_values) if context else queries.open_values(),
    )


@_one_read
def board_parts(
    now: datetime,
    settings: Settings,
    pipeline_name: str | None,
    owner: str | None,
    parts: Iterable[BoardPart],
) -> list[Column]:
    """The columns of each part of a board, in one read. A part is some open stages (all of
    them: None), and of their cards those whose id leaves remainder r divided by n (all of
    them: no slice). ``parts`` may be handed out as the read goes: ``services.prefetch`` has
    two processes share them. :func:`join_columns` makes a stage's parts one column again."""
    return _read_parts(now, settings, find_pipeline(pipeline_name).id, owner, parts)[0]


def _read_parts(
    now: datetime,
    settings: Settings,
    pipeline_id: int,
    owner: str | None,
    parts: Iterable[BoardPart],
    each_part: Callable[[list[Column]], object] | None = None,
) -> tuple[list[Column], ScoreContext | None]:
    columns: list[Column] = []
    context = None  # what a score needs beyond the prospect: the same for every part
    for stage_ids, id_slice in parts:
        _, found, context = _columns(now, settings, pipeline_id, owner, stage_ids, id_slice, context)
        if each_part is None:
            columns += found
        else:
            each_part(found)
    return columns, context


def join_columns(parts: Iterable[Column]) -> list[Column]:
    """One column per stage from the columns of its parts, in the pipeline's order."""
    by_stage: dict[int, list[Column]] = {}
    for part in parts:
        by_stage.setdefault(part.stage.id, []).append(part)
    columns = []
    for pieces in sorted(
        by_stage.values(), key=lambda pieces: (pieces[0].stage.position, pieces[0].stage.id)
    ):
        if len(pieces) == 1:
            columns.append(pieces[0])
            continue
        cards = sorted((card for piece in pieces for card in piece.cards), key=card_order)
        columns.append(_column(pieces[0].stage, cards))
    return columns


def _column(stage: domain.Stage, cards: list[Card]) -> Column:
    """A column of these cards (sorted), summed in their order: a board read in parts adds up
    to the same floating-point total as one read whole."""
    return Column(stage, cards, sum(c.value or 0 for c in cards), sum(c.weighted_value for c in cards))


def _columns(
    now: datetime,
    settings: Settings,
    pipeline_id: int,
    owner: str | None,
    stage_ids: Collection[int] | None,
    id_slice: tuple[int, int] | None = None,
    context: ScoreContext | None = None,
) -> tuple[domain.Snapshot, list[Column], ScoreContext]:
    snapshot = queries.load_snapshot(
        now,
        settings,
        pipeline_id=pipeline_id,
        open_only=True,
        owner=owner,
        stage_ids=stage_ids,
        with_notes=True,
        id_slice=id_slice,
    )
    by_stage: dict[int, list[Card]] = {}
    context = context or _score_context(snapshot, now)
    for card in _cards(snapshot, settings, now, snapshot.notes, context):
        by_stage.setdefault(card.stage_id, []).append(card)
    columns = []
    for stage in snapshot.stages_by_pipeline.get(pipeline_id, []):
        if stage.kind != domain.OPEN or (stage_ids is not None and stage.id not in stage_ids):
            continue
        columns.append(_column(stage, sorted(by_stage.get(stage.id, []), key=card_order)))
    return snapshot, columns, context


@_one_read
def board_changes(
    shown: Board, ids: list[int], now: datetime, settings: Settings, owner: str | None = None
) -> Board:
    """The board after an action on a few prospects, without reading the others again.

    Each changed prospect's card is taken out and, if it still belongs (open, this pipeline,
    this owner), put back where its new score sorts it; the won and lost totals are re-read when
    a card left or joined the board (a deal closed or reopened).
    """
    snapshot = queries.load_snapshot(now, settings, ids=ids, with_notes=True)
    belongs = {
        p.id for p in snapshot.prospects if p.pipeline_id == shown.pipeline.id and owner in (None, p.owner)
    }
    leaving = [shown.cards_by_id[i] for i in dict.fromkeys(ids) if i in shown.cards_by_id]
    values = _open_values_after(shown, leaving, snapshot, ids)
    context = _score_context(snapshot, now, few=True) if values is None else _ranked(snapshot, now, values)
    fresh = [card for card in _cards(snapshot, settings, now, snapshot.notes, context) if card.id in belongs]
    touched = {card.stage_id for card in leaving} | {card.stage_id for card in fresh}
    columns = []
    for column in shown.columns:
        if column.stage.id not in touched:
            columns.append(column)  # the same object: the board knows not to draw it again
            continue
        cards, value, weighted = list(column.cards), column.value, column.weighted_value
        for card in leaving:
            if card.stage_id == column.stage.id and (place := card_index(cards, card)) is not None:
                del cards[place]
                value, weighted = value - (card.value or 0), weighted - card.weighted_value
        for card in fresh:
            if card.stage_id == column.stage.id:
                insort(cards, card, key=card_order)
                value, weighted = value + (card.value or 0), weighted + card.weighted_value
        columns.append(Column(column.stage, cards, value, weighted))
    cards_by_id = dict(shown.cards_by_id)
    staying = {card.id for card in fresh}
    for card in leaving:
        if card.id not in staying:  # a key taken out and put back makes every later copy slow
            del cards_by_id[card.id]
    cards_by_id.update((card.id, card) for card in fresh)
    changed = set(ids)
    kept = {"columns": columns, "cards_by_id": cards_by_id, "open_values": values or []}
    if {card.id for card in leaving} == {card.id for card in fresh} == changed:  # all open before and after
        return replace(shown, **kept)
    period, won, lost = _period_totals(now, snapshot.quota, shown.pipeline.id, owner)
    return replace(shown, won=won, lost=lost, period=period, **kept)


def _open_values_after(
    shown: Board, leaving: list[Card], snapshot: domain.Snapshot, ids: list[int]
) -> list[int] | None:
    """The board's sorted open values, changed as the action changed them (a value edited, a
    deal closed or reopened), so that a card's budget ranks without counting 10,000 in SQL.
    None when the board does not know a changed prospect's old value (it was not on it)."""
    if not shown.open_values or len(leaving) != len(set(ids)):
        return None
    values = list(shown.open_values)
    for card in leaving:
        if card.value is not None:
            place = bisect_left(values, card.value)
            if place == len(values) or values[place] != card.value:
                return None  # not the values this board was scored with
            del values[place]
    for prospect in snapshot.open_prospects:
        if prospect.value is not None:
            insort(values, prospect.value)
    return values


class _CountedRanks(ScoreContext):
    """For a handful of prospects, a budget's rank counted in SQL rather than by loading the
    value of every open prospect (a detail pane, a card after an action)."""

    __slots__ = ()

    def value_rank(self, value: int) -> float | None:
        below, count = queries.open_values_below(value)
        return rank_among(below, count)


def _ranked(snapshot: domain.Snapshot, now: datetime, values: list[int]) -> ScoreContext:
    return ScoreContext(now, values, open_stages_by_pipeline(snapshot))


def _score_context(snapshot: domain.Snapshot, now: datetime, *, few: bool = False) -> ScoreContext:
    """What a score needs beyond the prospect, whatever part of the pipeline the snapshot holds:
    where budgets stand among all open prospects', and each pipeline's open stages."""
    if few:  # a handful of prospects, read by id
        return _CountedRanks(now, (), open_stages_by_pipeline(snapshot))
    return ScoreContext(now, queries.open_values(), open_stages_by_pipeline(snapshot))


# -- report -----------------------------------------------------------------------------------


def report(
    now: datetime, settings: Settings, pipeline_name: str | None = None, owner: str | None = None
) -> Report:
    """Figures and advice for everyone (the team's quota) or one salesperson (their quota): see
    :mod:`pipeline_tui.services.report`."""
    from pipeline_tui.services.report import report as read_report

    return read_report(now, settings, find_pipeline(pipeline_name).id if pipeline_name else None, owner)


# -- one prospect -----------------------------------------------------------------------------


class TimelineEntry(NamedTuple):
    """One thing that happened to a prospect, or is planned."""

    when: datetime
    what: str  # a follow-up kind, "stage" or "created"
    text: str
    done: bool
    follow_up_id: int | None = None


class Detail(NamedTuple):
    """All the detail pane shows about one prospect."""

    prospect: Prospect
    stage: domain.Stage
    pipeline: str
    stages: list[domain.Stage]  # the pipeline's stages, in order
    score: Score | None
    weighted_value: float
    advice: list[advice_rules.Advice]
    timeline: list[TimelineEntry]
    open_follow_ups: list[domain.FollowUp]
    contacts: tuple = ()  # core.people.Contact: the people on the deal, in the order added
    organization: object = None  # services.organizations.OrganizationView, when it names one
    look_alikes: tuple = ()  # (id, name) of organizations whose names look like its own
    cadence: str | None = None  # the running cadence and its step, in words
    runs_itself: Mapping[int, str] = MappingProxyType({})  # open follow-up id -> "step 2 of 3", "every week"


@_one_read
def prospect_detail(
    prospect_id: int, now: datetime, settings: Settings, open_values: list[int] | None = None
) -> Detail:
    """Every field, the score explained, its advice and its timeline, for the detail pane.
    ``open_values``: the sorted open values the board ranked budgets against, when at hand
    (else they are counted in SQL)."""
    from pipeline_tui.core import advice as advice_rules  # first needed here, not at start-up

    prospect = queries.prospect_by_id(prospect_id)
    if prospect is None:
        raise UserError(f"no prospect with id {prospect_id}")
    snapshot = queries.load_snapshot(now, settings, ids=[prospect_id])
    stage = snapshot.stage_by_id[prospect.stage_id]
    facts = next((p for p in snapshot.prospects if p.id == prospect_id), None)
    score = None
    found: list[advice_rules.Advice] = []
    if facts is not None and stage.kind == domain.OPEN:
        context = (
            _ranked(snapshot, now, open_values) if open_values else _score_context(snapshot, now, few=True)
        )
        score = score_prospect(facts, stage, context, settings.score, settings.thresholds)
        found = advice_rules.sort_advice(advice_rules.prospect_advice(snapshot, settings.thresholds, [facts]))
    cadence, runs_itself = cadences.marks(prospect_id)
    return Detail(
        prospect=prospect,
        stage=stage,
        pipeline=snapshot.pipeline_by_id[prospect.pipeline_id].name,
        stages=snapshot.stages_by_pipeline[prospect.pipeline_id],
        score=score,
        weighted_value=snapshot.weighted_value(facts) if facts else 0.0,
        advice=found,
        timeline=timeline(prospect, snapshot.stage_by_id),
        open_follow_ups=list(facts.open_follow_ups) if facts else [],
        **_people_of(prospect),
        cadence=cadence,
        runs_itself=runs_itself,
    )


def _people_of(prospect: Prospect) -> dict:
    """The deal's people, its organization's other deals, and names that look like it."""
    from pipeline_tui.services import organizations
    from pipeline_tui.store.people import contacts_of

    found: dict = {"contacts": tuple(contacts_of(prospect.id))}
    if prospect.org_id is not None:
        found["organization"] = organizations.organization_view(prospect.org_id)
        found["look_alikes"] = tuple(organizations.look_alikes(prospect.org_id))
    return found


def timeline(prospect: Prospect, stage_by_id: dict[int, domain.Stage]) -> list[TimelineEntry]:
    """Follow-ups done and due, and stage changes, newest first."""
    entries = []
    for f in queries.follow_ups_of(prospect.id):
        if f.done_at is not None:
            text = " · ".join(t for t in (f.notes, f.outcome and f"→ {f.outcome}") if t)
            entries.append(TimelineEntry(f.done_at, f.kind, text, True, f.id))
        else:
            entries.append(TimelineEntry(f.due_at, f.kind, f.notes, False, f.id))
    for change in queries.stage_changes_of(prospect.id):
        name = _stage_name(change.to_name, change.to_stage_id, stage_by_id)
        if change.from_stage_id is None and change.from_name is None:
            entries.append(TimelineEntry(change.changed_at, "created", f"added in {name}", True))
        else:
            before = _stage_name(change.from_name, change.from_stage_id, stage_by_id)
            entries.append(TimelineEntry(change.changed_at, "stage", f"{before} → {name}", True))
    return sorted(entries, key=lambda e: (e.when, e.what != "created"), reverse=True)


def _stage_name(kept: str | None, stage_id: int | None, stage_by_id: dict[int, domain.Stage]) -> str:
    """A stage as history names it: the name kept when the stage was removed, else its own."""
    if kept is not None:
        return kept
    stage = stage_by_id.get(stage_id)
    return stage.name if stage else "?"


# -- export -----------------------------------------------------------------------------------


class ExportRow(NamedTuple):
    """One prospect as the CSV export writes it."""

    prospect: Prospect
    pipeline: str
    stage: str
    stage_kind: str
    score: int | None
    weighted_value: float
    next_follow_up: domain.FollowUp | None
    last_activity: datetime | None


@_one_read
def export_rows(
    now: datetime, settings: Settings, pipeline_name: str | None = None, owner: str | None = None
) -> list[ExportRow]:
    """Every prospect (archived ones too) with its stage, score (open ones), weighted value and
    next and last follow-up."""
    snapshot = queries.load_snapshot(now, settings, open_only=True)
    scores = score_all(snapshot, settings.score, settings.thresholds)
    stage_by_id = snapshot.stage_by_id
    follow_ups = queries.load_open_follow_ups(None)
    rows = []
    pipelines = snapshot.pipeline_by_id
    query = Prospect.select().order_by(Prospect.id)  # every prospect, archived ones too
    if pipeline_name:
        query = query.where(Prospect.pipeline == find_pipeline(pipeline_name).id)
    if owner is not None:
        query = query.where(Prospect.owner == owner)
    for prospect in query:
        stage = stage_by_id[prospect.stage_id]
        score = scores.get(prospect.id)
        probability = stage.probability if prospect.probability is None else prospect.probability
        upcoming = follow_ups.get(prospect.id)
        rows.append(
            ExportRow(
                prospect=prospect,
                pipeline=pipelines[prospect.pipeline_id].name,
                stage=stage.name,
                stage_kind=stage.kind,
                score=score.total if score else None,
                weighted_value=(prospect.value_cents or 0) * probability,
                next_follow_up=upcoming[0] if upcoming else None,
                last_activity=prospect.last_activity_at,  # kept on the row (store.activity)
            )
        )
    return rows


def stage_names(pipeline_id: int) -> list[str]:
    return [s.name for s in Stage.select().where(Stage.pipeline == pipeline_id).order_by(Stage.position)]


def find_prospects(text: str, limit: int = 20) -> list[tuple[int, str, str]]:
    """Live prospects whose name or organization contains ``text``: the palette's prospect search."""
    words = text.strip().lower()
    if not words:
        return []
    pattern = f"%{words}%"
    query = (
        Prospect.select(Prospect.id, Prospect.name, Prospect.organization)
        .where(
            Prospect.archived == False,  # noqa: E712
            (fn.LOWER(Prospect.name) ** pattern) | (fn.LOWER(Prospect.organization) ** pattern),
        )
        .order_by(Prospect.name)
        .limit(limit)
        .tuples()
    )
    return list(query)
