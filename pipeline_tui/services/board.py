"""The board as it is shown: each column's header, and its cards a window at a time.

:class:`BoardReader` owns the board's reading. A screen asks it to :meth:`~BoardReader.read`
the board (after any change: an action, another program's write, a search typed), and gets
each column's header and its :class:`Cards`, a list that reads its cards from the database a
window at a time, in the order shown, as the screen draws them. So the first screenful and
every key cost the same at 100 open prospects as at 100,000.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from pipeline_tui.core import aging, domain, figures
from pipeline_tui.core.aging import days_since
from pipeline_tui.core.domain import new_record
from pipeline_tui.core.search import fold
from pipeline_tui.core.settings import Settings
from pipeline_tui.errors import UserError
from pipeline_tui.services import scores
from pipeline_tui.services.agenda import follow_up_status
from pipeline_tui.store import board as store
from pipeline_tui.store import freshness, queries, search, totals
from pipeline_tui.store.currency import shown_currency, to_home
from pipeline_tui.store.db import read_snapshot, thread_connection

WINDOW = 16  # cards read at a time: a screen 40 lines tall shows 9 a column
KEPT_WINDOWS = 16  # per column: scrolling back and forth reads nothing again
NEAR_FROM = 4 * WINDOW  # a window further down is read from a card beside it, not by OFFSET
SEARCH_COUNTS_UP_TO = 100  # a search looked for row by row counts a column's matches so far


class Card(NamedTuple):
    """A prospect as a board column shows it."""

    id: int
    name: str
    organization: str
    contact: str
    value: int | None
    weighted_value: float
    score: int | None  # open prospects only
    decision_maker: str
    stage_id: int
    next_follow_up: domain.FollowUp | None
    follow_up_status: str  # overdue, today, upcoming or none
    closed: str  # how a won, lost or archived prospect (a search finds them) ended; "" if open
    days_in_stage: int | None = None  # whole days since it entered its stage (open deals only)
    slipped: bool = False  # an open deal whose expected close date has passed
    idle_days: int | None = None  # whole days since anything happened to it (open deals only)
    rotting: bool = False  # idle past its stage's rotting limit with no next step (core.aging)
    # ``value`` is in the home currency; the deal's own currency (when not the home one: ""
    # then) and its amount in it, which the card shows
    currency: str = ""
    amount: int | None = None


class ColumnHead(NamedTuple):
    """A column's header: its stage (None: the archived prospects a search found), how many
    cards it holds (``more``: counted up to that many, there are more) and their value."""

    stage: domain.Stage | None
    count: int
    more: bool
    value: int | None  # None while searching by pieces of text: not all of them are counted
    weighted_value: float | None

    @property
    def title(self) -> str:
        return self.stage.name if self.stage is not None else "Archived"


class Strip(NamedTuple):
    """The line above the columns: the pipeline, and the quota period's won and lost."""

    pipeline: domain.Pipeline
    pipelines: tuple[domain.Pipeline, ...]
    won: tuple[int, int]  # count, value
    lost: tuple[int, int]
    period: figures.Period
    quota_target: int | None


class Board(NamedTuple):
    """The board as read at one moment: its strip, and each column's header and cards."""

    strip: Strip
    columns: list[tuple[ColumnHead, Cards]]
    search: str  # as typed
    holds_until: datetime  # when the clock changes a card's score (or the day its ladder)


class Cards(Sequence[Card]):
    """A column's cards, read a window at a time as they are asked for. Cards equal to ones
    read before (``known``) are handed over as the same objects: the column draws a card
    again only when it changed."""

    def __init__(
        self,
        reader: BoardReader,
        column: store.Column,
        count: int,
        known: Cards | None,
        ids: list[int] | None = None,
        known_hold: bool = False,
    ) -> None:
        """``ids``: the column's cards in order, when known (a search's few hits);
        ``known_hold``: nothing was written since ``known`` was read, at the same minute, so a
        window of cards all known is handed over with no query."""
        self._reader = reader
        self._column = column
        self._count = count
        self._windows: OrderedDict[int, list[Card]] = OrderedDict()
        self._known: dict[int, Card] = known.loaded() if known is not None else {}
        self._ids = ids
        self._known_hold = known_hold
        self._read_at = reader.reads  # which read of the board these cards are of

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        number, at = divmod(index, WINDOW)
        window = self._windows.get(number)
        if window is None:
            window = self._windows[number] = self._read(number)
            while len(self._windows) > KEPT_WINDOWS:
                self._windows.popitem(last=False)
        else:
            self._windows.move_to_end(number)
        if at >= len(window):  # the column shrank since it was counted (another program)
            raise IndexError(index)
        return window[at]

    def _read(self, number: int) -> list[Card]:
        wanted = None if self._ids is None else self._ids[number * WINDOW : (number + 1) * WINDOW]
        if wanted is not None and self._known_hold and all(pid in self._known for pid in wanted):
            return [self._known[pid] for pid in wanted]
        near = self._card_near(number) if wanted is None else None
        if near is not None:
            cards = self._reader.window_near(self._column, number * WINDOW, WINDOW, *near)
        else:
            cards = self._reader.window(self._column, number * WINDOW, WINDOW, wanted)
        return [_same(self._known.get(card.id), card) for card in cards]

    def _card_near(self, number: int) -> tuple[int, tuple[int, int, int]] | None:
        """A card of this read next to window ``number`` (the one placed there, or the last
        of the window before it, or the first of the one after), as (where, its order's keys),
        to read the window from: deep in a column, an OFFSET counts every card above it."""
        start = number * WINDOW
        if start < NEAR_FROM or self._column.stage_id is None:
            return None
        near: list[tuple[int, Card | tuple]] = []
        placed = self._reader.placed(self._column.stage_id, self._read_at)
        if placed is not None and start - 1 <= placed[0] <= start + WINDOW:
            near.append(placed)
        if number - 1 in self._windows and len(self._windows[number - 1]) == WINDOW:
            near.append((start - 1, self._windows[number - 1][-1]))
        if number + 1 in self._windows and self._windows[number + 1]:
            near.append((start + WINDOW, self._windows[number + 1][0]))
        for at, card in near:
            key = (card.score, card.amount or 0, card.id) if isinstance(card, Card) else card
            if key[0] is not None:
                return at, key
        return None

    def loaded(self) -> dict[int, Card]:
        """The cards read so far, by id."""
        return {card.id: card for window in self._windows.values() for card in window}

    def index_of(self, prospect_id: int) -> int | None:
        """Where a card already read is in the column (None if not read yet)."""
        for number, window in self._windows.items():
            for at, card in enumerate(window):
                if card.id == prospect_id:
                    return number * WINDOW + at
        return None


class BoardReader:
    """Reads the board of one pipeline, everyone's or one owner's prospects (``owner``)."""

    def __init__(
        self, settings: Settings, pipeline_name: str | None = None, owner: str | None = None
    ) -> None:
        self.settings = settings
        self.pipeline_name = pipeline_name
        self.owner = owner
        self._now = datetime.min
        # what the search shown finds: its few hits (with each column's cards in order, by
        # the column's key), else the LIKE pattern its columns are looked through with
        self._hits: list[search.Hit] | None = None
        self._found: dict[int | None, list[int]] = {}
        self._pattern: str | None = None
        self._kept: tuple[str, list[search.Hit]] | None = None  # (needle, hits) to narrow
        self._last: Board | None = None  # the board read last, whose search was kept
        self._stages: dict[int, domain.Stage] = {}
        self._limits: dict[int, aging.RottingLimit] = {}
        self.reads = 0  # how many times the board was read: a card's place holds for one read
        self._placed: dict[int, tuple[int, int, tuple[int, int, int]]] = {}  # stage: read, where, keys

    def stages(self) -> list[domain.Stage]:
        """The open stages of the pipeline, in order: the board's columns, before their cards."""
        pipeline_id = self._pipeline().id
        return [
            s
            for s in queries.load_stages(self.settings)
            if s.pipeline_id == pipeline_id and s.kind == domain.OPEN
        ]

    def stage_names_read(self) -> list[str]:
        """Every stage of the pipeline as the last read found them, in order: what the new
        prospect form offers while the server is gone (its save is then refused, kept)."""
        return [s.name for s in sorted(self._stages.values(), key=lambda stage: stage.position)]

    def read(
        self,
        now: datetime,
        search_text: str = "",
        before: Board | None = None,
        touched: Iterable[int] | None = None,
    ) -> Board:
        """The board at ``now``: its scores made current first, then the strip and each
        column's header; its cards come as they are asked for. ``before``: the board shown,
        whose cards are handed over again where unchanged; ``touched``: the prospects an
        action changed, when only they did (the other columns of ``before`` are kept whole;
        ``[]``: nothing was written since ``before``, as when only the search changed: a
        search that holds the one ``before`` shows, read last, narrows its matches in memory)."""
        self._now = now
        self.reads += 1
        scores.keep_current(now, self.settings)
        with read_snapshot():
            pipeline = self._pipeline()
            stages = [s for s in queries.load_stages(self.settings) if s.pipeline_id == pipeline.id]
            self._stages = {s.id: s for s in stages}
            self._limits = scores.rotting_limits(now, self.settings, stages)
            # nothing written since ``before`` (read last) at this minute: what it read holds
            holds = before is not None and before is self._last and touched == [] and now < before.holds_until
            self._look_for(fold(search_text.strip()), holds)
            heads = self._heads(pipeline.id, stages)
            kept, changed = self._unchanged(before, search_text, touched)
            # nothing changed (another search typed), or cards moved between open stages: no
            # deal closed or reopened
            if before is not None and (touched == [] or (changed and all(map(self._is_open, changed)))):
                strip = before.strip
            else:
                strip = self._strip(now, pipeline, stages)
        before_columns = {_key(head): (head, cards) for head, cards in before.columns} if before else {}
        columns = []
        for head in heads:
            old_head, old_cards = before_columns.get(_key(head), (None, None))
            if _key(head) in kept and old_head == head:
                columns.append((head, old_cards))  # the same object: its column draws nothing again
                continue
            column = store.Column(_key(head), pipeline.id, self.owner)
            ids = self._found.get(_key(head), []) if self._hits is not None else None
            columns.append((head, Cards(self, column, head.count, old_cards, ids, holds)))
        midnight = datetime.combine(now.date() + timedelta(days=1), time())
        self._last = Board(strip, columns, search_text, min(freshness.next_change() or midnight, midnight))
        return self._last

    def _look_for(self, needle: str, holds: bool) -> None:
        """What a search for ``needle`` finds: its hits if few, narrowed in memory from the
        last search's when this one holds it and what was read ``holds``; else its pattern."""
        kept = self._kept
        if not needle:
            hits = None
        elif holds and kept is not None and kept[0] in needle:
            hits = search.narrowed(kept[1], needle)
        else:
            hits = search.hits(needle)
        self._hits, self._kept = hits, (needle, hits) if hits is not None else None
        self._pattern = search.pattern(needle) if needle and hits is None else None

    def _unchanged(
        self, before: Board | None, search_text: str, touched: Iterable[int] | None
    ) -> tuple[set, set]:
        """(the columns of ``before`` that an action on ``touched`` left as they were, the
        columns it changed): the prospects' columns then (among the cards read) and now.
        Nothing is known to be unchanged if a touched prospect's card was not read."""
        if before is None or touched is None or before.search != search_text:
            return set(), set()
        changed: set[int | None] = set()
        for pid in touched:
            holders = [_key(head) for head, cards in before.columns if cards.index_of(pid) is not None]
            if not holders:
                return set(), set()
            changed.update(holders)
        for place in store.places(list(touched)).values():
            changed.add(None if place.archived else place.stage_id)
        return {_key(head) for head, _ in before.columns} - changed, changed

    def _is_open(self, key: int | None) -> bool:
        stage = self._stages.get(key) if key is not None else None
        return stage is not None and stage.kind == domain.OPEN

    def _pipeline(self) -> domain.Pipeline:
        """The pipeline shown: by name (as ``services.base.find_pipeline`` finds it), else the
        first (the pipeline remembered is gone)."""
        pipelines = queries.load_pipelines()
        if not pipelines:
            raise UserError("the database has no pipeline")
        if self.pipeline_name is not None:
            wanted = self.pipeline_name.strip().casefold()
            found = next((p for p in pipelines if p.name.casefold() == wanted), None)
            if found is not None:
                return found
            self.pipeline_name = None
        return pipelines[0]

    def _heads(self, pipeline_id: int, stages: list[domain.Stage]) -> list[ColumnHead]:
        """Every open stage's header; while searching, also the won, lost and archived
        prospects found (a column each, if any is)."""
        open_stages = [s for s in stages if s.kind == domain.OPEN]
        if self._hits is None and self._pattern is None:
            found = totals.stage_totals([s.id for s in open_stages], self.owner, self.settings.currency)
            return [_head(stage, found[stage.id]) for stage in open_stages]
        closed = [s for s in stages if s.kind != domain.OPEN]
        if self._hits is not None:
            self._found = self._columns_found(pipeline_id)
            heads = [
                ColumnHead(s, len(self._found.get(s.id, ())), False, None, None) for s in open_stages + closed
            ]
            heads.append(ColumnHead(None, len(self._found.get(None, ())), False, None, None))
        else:
            heads = [self._counted(pipeline_id, s) for s in open_stages + closed] + [
                self._counted(pipeline_id, None)
            ]
        return heads[: len(open_stages)] + [head for head in heads[len(open_stages) :] if head.count]

    def _columns_found(self, pipeline_id: int) -> dict[int | None, list[int]]:
        """The search's hits on this board, each column's (by its key) in the order shown."""
        found: dict[int | None, list[search.Hit]] = {}
        for hit in self._hits or ():
            if hit.pipeline_id == pipeline_id and (self.owner is None or hit.owner == self.owner):
                found.setdefault(None if hit.archived else hit.stage_id, []).append(hit)
        if None in found:  # the archived ones by the stage they were in, first (store.board)
            found[None].sort(key=lambda hit: hit.stage_id)
        return {key: [hit.id for hit in hits] for key, hits in found.items()}

    def _counted(self, pipeline_id: int, stage: domain.Stage | None) -> ColumnHead:
        column = store.Column(stage.id if stage else None, pipeline_id, self.owner)
        count = store.count_up_to(column, self._pattern, SEARCH_COUNTS_UP_TO + 1)
        return ColumnHead(stage, min(count, SEARCH_COUNTS_UP_TO), count > SEARCH_COUNTS_UP_TO, None, None)

    def _strip(self, now: datetime, pipeline: domain.Pipeline, stages: list[domain.Stage]) -> Strip:
        quota = queries.load_quota(self.owner)
        period = figures.quota_period(quota.period if quota else "quarter", now)
        closed = queries.closed_totals(
            *figures.period_window(period), pipeline.id, self.owner, stages, self.settings.currency
        )
        return Strip(
            pipeline,
            queries.load_pipelines(),
            closed[domain.WON],
            closed[domain.LOST],
            period,
            quota.target if quota else None,
        )

    def window(self, column: store.Column, start: int, size: int, ids: list[int] | None = None) -> list[Card]:
        """Cards ``start`` to ``start + size`` of a column, as read now (``ids``: those cards',
        when known)."""
        rows = store.cards(ids) if ids is not None else store.window(column, self._pattern, start, size)
        steps = store.next_steps([row[0] for row in rows])
        return [self._card(row, steps.get(row[0])) for row in rows]

    def window_near(
        self, column: store.Column, start: int, size: int, at: int, key: tuple[int, int, int]
    ) -> list[Card]:
        """Cards ``start`` to ``start + size`` of an open stage's column, read from a card of it
        at ``at`` whose order's keys are ``key`` (``store.board.beside``)."""
        with read_snapshot():
            if at < start:
                rows = store.beside(column, key, True, size, skip=start - at - 1)
            elif at >= start + size:
                rows = store.beside(column, key, False, size, skip=at - start - size)[::-1]
            else:
                ahead = store.beside(column, key, False, at - start)[::-1] if at > start else []
                rows = ahead + store.beside(column, key, True, start + size - at, inclusive=True)
            steps = store.next_steps([row[0] for row in rows])
        return [self._card(row, steps.get(row[0])) for row in rows]

    def placed(self, stage_id: int, read: int) -> tuple[int, tuple[int, int, int]] | None:
        """Where :meth:`place` found a card in this stage's column at that read of the board,
        and the card's order's keys (None if it found none then)."""
        found = self._placed.get(stage_id)
        return (found[1], found[2]) if found is not None and found[0] == read else None

    def _card(self, row: tuple, step: tuple | None) -> Card:
        pid, name, organization, contact, amount, probability, score, decision_maker = row[:8]
        stage_id, archived, closed_at, lost_reason = row[8:12]
        code, currencies = row[18], self.settings.currency
        value = to_home(amount, code, currencies)
        stage = self._stages.get(stage_id)
        odds = probability if probability is not None else (stage.probability if stage else 0.0)
        upcoming = None
        if step is not None:
            _, fid, kind, due, created = step
            upcoming = domain.FollowUp(fid, pid, kind, _moment(due), _moment(created), "")
        status = follow_up_status(upcoming.due, self._now) if upcoming else "none"
        closed = _closed(stage, bool(archived), _moment(closed_at), lost_reason)
        fields = (
            pid,
            name,
            organization,
            contact,
            value,
            (value or 0) * odds,
            score,
            decision_maker,
            stage_id,
        )
        aged = self._aging(closed, stage_id, row[12:18], upcoming is not None)
        return new_record(
            Card, (*fields, upcoming, status, closed, *aged, shown_currency(code, currencies), amount)
        )

    def _aging(self, closed: str, stage_id: int, row: tuple, scheduled: bool) -> tuple:
        """Days in its stage, a slipped close date, days idle and whether it rots, as the report
        reads them (core.aging): said of open deals only."""
        if closed:
            return None, False, None, False
        entered, close, updated, activity, snoozed_until, snooze_reason = row
        now, entered = self._now, _moment(entered)
        last = aging.touched_last(entered, _moment(updated), _moment(activity))
        snoozed = aging.snooze_stands(_moment(snoozed_until), snooze_reason or "", now)
        rots = aging.rots(last, scheduled, snoozed, now, self._limits.get(stage_id))
        return days_since(entered, now), aging.close_slipped(_day(close), now), days_since(last, now), rots

    def place(self, prospect_id: int) -> tuple[int, int] | None:
        """The column (its stage's id) that holds an open prospect of this board, and how many
        cards come before it there; None if it is on none (or a search is shown: its cards
        are few, the screen finds it among those read)."""
        searching = self._hits is not None or self._pattern is not None
        found = None if searching else store.places([prospect_id]).get(prospect_id)
        stage = self._stages.get(found.stage_id) if found is not None else None
        if stage is None or stage.kind != domain.OPEN or found.archived or found.score is None:
            return None
        if self.owner is not None and found.owner != self.owner:
            return None
        column = store.Column(stage.id, found.pipeline_id, self.owner)
        at = store.place(column, None, found.score, found.value, prospect_id)
        self._placed[stage.id] = (self.reads, at, (found.score, found.value or 0, prospect_id))
        return stage.id, at


def _key(head: ColumnHead) -> int | None:
    """A column's key: its stage's id (None: the archived prospects)."""
    return head.stage.id if head.stage is not None else None


def _same(before: Card | None, card: Card) -> Card:
    return before if before == card else card


def _head(stage: domain.Stage, counted: tuple[int, int, int, float]) -> ColumnHead:
    count, value, at_stage_odds, weighted_own = counted
    return ColumnHead(stage, count, False, value, at_stage_odds * stage.probability + weighted_own)


def _closed(stage: domain.Stage | None, archived: bool, closed_at: datetime | None, reason: str) -> str:
    """How a card that is not an open deal ended, in a few words."""
    name = stage.name if stage else "?"
    if archived:
        return f"archived from {name}"
    if stage is None or stage.kind == domain.OPEN:
        return ""
    when = f" {closed_at:%d %b %y}" if closed_at else ""
    if stage.kind == domain.LOST and reason:
        return f"{name.lower()}{when}: {reason}"
    return f"{name.lower()}{when}"


def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _moment(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


def search_index_out_of_date() -> bool:
    """Whether an import left the index of texts to be made again (see ``store.search``)."""
    return search.is_out_of_date()


def make_search_index() -> bool:
    """Make the index of texts again, in a worker thread (its own connection): whether it did."""
    with thread_connection():
        return search.catch_up()
