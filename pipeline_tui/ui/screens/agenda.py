"""The agenda (key 2): open follow-ups grouped Overdue, Today, Tomorrow, This week, Later.

Triage is a key per follow-up: d done (outcome, then the next one), s +1 day, S +1 week,
r reschedule, enter to open the prospect.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from contextlib import suppress
from datetime import timedelta
from functools import lru_cache, partial
from itertools import groupby
from operator import attrgetter
from typing import NamedTuple

from rich.cells import cell_len
from rich.style import Style
from textual.app import ComposeResult
from textual.binding import Binding
from textual.strip import Strip
from textual.widgets import Static

from pipeline_tui.core.lateness import days_late
from pipeline_tui.core.money import format_amount
from pipeline_tui.services import follow_ups
from pipeline_tui.services.agenda import AGENDA_GROUPS, AgendaItem, agenda
from pipeline_tui.ui import dialogs
from pipeline_tui.ui.format import KIND_LABELS, printable
from pipeline_tui.ui.screens.base import ViewScreen
from pipeline_tui.ui.widgets.footer import KeysFooter
from pipeline_tui.ui.widgets.quiet import update_if_changed
from pipeline_tui.ui.widgets.view_tabs import strip
from pipeline_tui.ui.widgets.virtual_list import VirtualList, make_strip, shorten


class Heading(NamedTuple):
    """A group's heading in the list, with how many follow-ups it holds."""

    group: str
    count: int


Row = AgendaItem | Heading


def _agenda_order(item: AgendaItem) -> tuple:
    return (item.due, item.id)


def _rows_with_headings(
    items: list[AgendaItem], keep: int | None
) -> tuple[list[Row], int | None, dict[str, int]]:
    """The list's rows (each group's heading with its count, then its follow-ups), the row of
    follow-up ``keep``, and the count per group. Grouped and searched with C-level helpers:
    the agenda may hold 10,000 follow-ups and this runs after every action."""
    rows: list[Row] = []
    cursor = None
    runs = [(group, list(members)) for group, members in groupby(items, key=attrgetter("group"))]
    # counted over all runs: a follow-up spliced in after an action is grouped at the time of
    # the action, so a group may (rarely) come in two runs
    counts = dict.fromkeys(AGENDA_GROUPS, 0)
    for group, members in runs:
        counts[group] += len(members)
    for group, members in runs:
        rows.append(Heading(group, counts[group]))
        if cursor is None and keep is not None:
            with suppress(ValueError):
                cursor = len(rows) + list(map(attrgetter("id"), members)).index(keep)
        rows += members
    return rows, cursor, counts


class AgendaList(VirtualList[Row]):
    COMPONENT_CLASSES = {
        "agenda--heading",
        "agenda--cursor",
        "agenda--overdue",
        "agenda--today",
        "agenda--upcoming",
        "agenda--kind",
        "agenda--dim",
    }
    DEFAULT_CSS = """
    AgendaList { height: 1fr; }
    AgendaList > .agenda--heading { text-style: bold; color: $accent; }
    AgendaList > .agenda--cursor { background: $block-cursor-blurred-background; }
    AgendaList > .agenda--overdue { color: $error; text-style: bold; }
    AgendaList > .agenda--today { color: $warning; }
    AgendaList > .agenda--upcoming { color: $success; }
    AgendaList > .agenda--kind { text-style: bold; }
    AgendaList > .agenda--dim { color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__(id="agenda-list")
        self.now = None

    def selectable(self, item: Row) -> bool:
        return isinstance(item, AgendaItem)

    def render_context(self) -> object:
        return self.now

    def render_row(self, item: Row, line: int, width: int, is_cursor: bool, base: Style) -> Strip:
        if not isinstance(item, AgendaItem):
            group, count = item
            return make_strip([(f" {group} ({count})", self.style_of("agenda--heading"))], width, base)
        if is_cursor and self.looks_focused:
            base = base + self.style_of("agenda--cursor")
        layout = row_layout(width)
        who = item.prospect
        if item.organization and item.organization not in who:
            who = f"{who} · {item.organization}"
        parts = [
            ("▌" if is_cursor and self.looks_focused else " ", self.style_of("agenda--kind")),
            (f"{when_label(item, self.now):>10}  ", self.style_of(f"agenda--{item.status}")),
            (f"{KIND_LABELS.get(item.kind, item.kind):<{KIND_WIDTH}}", self.style_of("agenda--kind")),
            (fit(who, layout.name), None),
        ]
        dim = self.style_of("agenda--dim")
        for column, room in layout.columns:
            text = column_text(item, column, self.app.settings.currency.home)
            parts.append((fit(text, room, whole=column == "phone"), dim))
        if layout.notes and (item.notes or item.runs_itself):  # "after-demo 2/3", "every week"
            parts.append((" · ".join(text for text in (item.runs_itself, item.notes) if text), dim))
        return make_strip(parts, width, base)


def when_label(item: AgendaItem, now) -> str:
    """Days late (README: Days late), a time today, a weekday this week, else a date."""
    days = (item.due.date() - now.date()).days
    late = days_late(item.due, now) if item.due < now else 0
    if late:
        return f"{late}d late"
    if days == 0:
        return item.due.strftime("%H:%M")
    if days < 7:
        return item.due.strftime("%a %H:%M")
    return item.due.strftime("%d %b")


KIND_WIDTH = max(map(len, KIND_LABELS.values())) + 1
LEAD = 1 + 10 + 2 + KIND_WIDTH  # the cursor's mark, when, and what
NAME_MIN, NAME_MAX = 22, 32
# what a call needs, most needed first, with the room each takes (a space after it included):
# a column that leaves the name less than NAME_MIN cells is left out
COLUMNS = (("phone", 16), ("contact", 15), ("value", 7), ("stage", 12))
ORDER = ("contact", "phone", "value", "stage")  # how they read, left to right


class RowLayout(NamedTuple):
    """Which columns an agenda row of a given width shows, and the room of each."""

    name: int
    columns: tuple[tuple[str, int], ...]
    notes: bool  # whether there is room left for the follow-up's notes


@lru_cache(maxsize=16)
def row_layout(width: int) -> RowLayout:
    rest = width - LEAD
    shown: dict[str, int] = {}
    for column, room in COLUMNS:
        if rest - sum(shown.values()) - room >= NAME_MIN:
            shown[column] = room
    left = rest - sum(shown.values())
    name = max(1, min(NAME_MAX, left))
    return RowLayout(name, tuple((c, shown[c]) for c in ORDER if c in shown), left - name >= 10)


def column_text(item: AgendaItem, column: str, home: str = "") -> str:
    if column == "value":  # right-aligned in its room, less the space after it; the deal's own amount
        value = (
            "—"
            if item.value_cents is None
            else format_amount(item.value_cents, item.currency, home, short=True)
        )
        return f"{value:>{dict(COLUMNS)['value'] - 2}} "
    return getattr(item, column)


def fit(text: str, room: int, *, whole: bool = False) -> str:
    """``text`` in ``room`` cells (a space at the end included), cut with … where too long;
    ``whole``: never cut (a phone number), taking more room when it needs it."""
    text = printable(text)  # measured as drawn: an ESC measures no cell, the � shown for it one
    if not whole and cell_len(text) >= room:
        text = shorten(text, room - 1)
    return text + " " * max(1, room - cell_len(text))


class AgendaScreen(ViewScreen):
    AUTO_FOCUS = "#agenda-list"
    BINDINGS = [
        Binding("d", "done", "Done", id="agenda.done"),
        Binding("s", "snooze(1)", "+1 day", id="agenda.snooze_day"),
        Binding("S", "snooze(7)", "+1 week", id="agenda.snooze_week"),
        Binding("r", "reschedule", "Reschedule", id="agenda.reschedule"),
        Binding("f", "follow_up", "Follow-up", show=False, id="agenda.follow_up"),
        Binding("c", "log_call", "Log call", show=False, id="agenda.log_call"),
        Binding("o", "note", "Note", show=False, id="agenda.note"),
        Binding("C", "cadence", "Cadence start/stop", show=False, id="agenda.cadence"),
        Binding("enter", "open", "Open prospect", id="agenda.open"),
    ]

    DEFAULT_CSS = """
    AgendaScreen #agenda-summary { height: 1; background: $panel; padding: 0 1; }
    AgendaScreen #agenda-empty {
        display: none; height: 1fr; content-align: center middle; color: $text-muted;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="agenda-summary", markup=False)
        yield AgendaList()
        yield Static(
            "Nothing to follow up. Schedule one from the board with f.", id="agenda-empty", markup=False
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.app.keep_screen(self.reload)  # a server gone: the footer says so

    def on_screen_resume(self) -> None:
        if self.app.data_stamp() != self._stamp:
            self.app.keep_screen(self.reload)

    @property
    def list(self) -> AgendaList:
        return self.query_one(AgendaList)

    _stamp: tuple | None = None
    _items: list[AgendaItem] | None = None  # shown, in agenda order
    _by_prospect: dict[int, list[AgendaItem]]  # the same items, by prospect: spliced after an action

    def reload(self, *, select: int | None = None, prospect_id: int | None = None) -> None:
        """Read the agenda again: all of it, or (after an action) one prospect's follow-ups,
        spliced into what is shown."""
        self._stamp = self.app.data_stamp()
        now = self.app.now()
        if prospect_id is None or self._items is None:
            items = agenda(now, None, owner=self.app.owner)
            self._by_prospect = defaultdict(list)
            for item in items:
                self._by_prospect[item.prospect_id].append(item)
        else:  # a few items out of and into 10,000, by bisection: no scan, no full sort
            items = self._items
            for old in self._by_prospect.pop(prospect_id, ()):
                place = bisect_left(items, _agenda_order(old), key=_agenda_order)
                if place < len(items) and items[place] is old:
                    del items[place]
            fresh = agenda(now, None, owner=self.app.owner, prospect_id=prospect_id)
            for item in fresh:
                insort(items, item, key=_agenda_order)
            if fresh:
                self._by_prospect[prospect_id] = list(fresh)
        self._items = items
        keep = select if select is not None else (self.list.current.id if self.list.current else None)
        rows, cursor, counts = _rows_with_headings(items, keep)
        old_cursor = self.list.cursor
        self.list.now = now
        self.list.set_items(rows, cursor=cursor if cursor is not None else old_cursor)
        if self.list.is_mounted:
            self.set_focus(self.list, scroll_visible=False)  # now, not a turn later (see the board)
        self.query_one("#agenda-empty").display = not items
        parts: list = []
        for group in AGENDA_GROUPS:
            style = "bold $error" if group == "Overdue" and counts[group] else "dim"
            parts += [(f"{group} {counts[group]}", style), "  "]
        update_if_changed(self.query_one("#agenda-summary", Static), strip("Agenda", *parts))

    def _item_or_say(self) -> AgendaItem | None:
        item = self.list.current
        if item is None:
            self.notify("No follow-up selected.", severity="warning", markup=False)
        return item

    def _next_id(self, item: AgendaItem) -> int | None:
        """The follow-up below (else above) the cursor's, to keep the cursor in place after
        triage (headings skipped)."""
        rows, here = self.list.items, self.list.cursor
        for index in (*range(here + 1, min(here + 3, len(rows))), *range(here - 1, max(here - 3, -1), -1)):
            if isinstance(rows[index], AgendaItem):
                return rows[index].id
        return None

    def _done(self, message: str, select: int | None, prospect_id: int | None = None) -> None:
        self.app.changed()
        self.notify(message, markup=False)
        self.reload(select=select, prospect_id=prospect_id)

    def action_done(self) -> None:
        item = self._item_or_say()
        if item is None:
            return
        after = self._next_id(item)
        form = dialogs.complete_follow_up(
            self.app.now, item.id, item.kind, item.prospect_id, item.prospect, dates=self.app.date_rules
        )

        def done(result) -> None:
            if not result:
                return
            message = f"Done: {item.kind} with {item.prospect}"
            if isinstance(result, str):  # what came next (dialogs._said_after)
                message += f"; {result}"
            self._done(message, after, item.prospect_id)

        self.app.push_screen(form, done)

    def action_snooze(self, days: int) -> None:
        item = self._item_or_say()
        if item is None:
            return
        after = self._next_id(item)
        self.app.run_action_safely(
            lambda: follow_ups.snooze(item.id, timedelta(days=days), self.app.now()),
            lambda result: self._done(
                f"Snoozed to {result.due_at:%a %d %b %H:%M}: {item.prospect}", after, item.prospect_id
            ),
        )

    def action_reschedule(self) -> None:
        item = self._item_or_say()
        if item is None:
            return
        after = self._next_id(item)
        form = dialogs.reschedule(
            self.app.now, item.id, f"{item.kind} with {item.prospect}", dates=self.app.date_rules
        )
        self.app.push_screen(
            form,
            lambda result: (
                result
                and self._done(
                    f"Rescheduled to {result.due_at:%a %d %b %H:%M}: {item.prospect}", after, item.prospect_id
                )
            ),
        )

    def _prospect_form(self, make) -> None:
        """f, c, o here as on the board: for the prospect of the follow-up under the cursor."""
        item = self._item_or_say()
        if item is not None:
            form = make(self.app.now, item.prospect_id, item.prospect)
            self.app.push_screen(
                form,
                lambda result: result and self._done(f"Saved for {item.prospect}", item.id, item.prospect_id),
            )

    def action_follow_up(self) -> None:
        self._prospect_form(partial(dialogs.schedule_follow_up, dates=self.app.date_rules))

    def action_log_call(self) -> None:
        """c: log a call; on a call's row, that call is the one made (done, and the next step
        asked for, as with d)."""
        item = self._item_or_say()
        if item is None:
            return
        after = self._next_id(item)
        form = dialogs.log_call(
            self.app.now, item.prospect_id, item.prospect, answers=item.id, dates=self.app.date_rules
        )

        def logged(result) -> None:
            if not result:
                return
            message = f"Logged a call with {item.prospect}"
            if isinstance(result, str):  # what came next (dialogs._said_after)
                message += f"; {result}"
            still_open = follow_ups.open_follow_up(item.id) is not None
            self._done(message, item.id if still_open else after, item.prospect_id)

        self.app.push_screen(form, logged)

    def action_cadence(self) -> None:
        from pipeline_tui.ui.cadence_forms import cadence_key

        item = self._item_or_say()
        if item is not None:
            cadence_key(
                self.app,
                item.prospect_id,
                item.prospect,
                lambda said: self._done(said, item.id, item.prospect_id),
            )

    def action_note(self) -> None:
        self._prospect_form(dialogs.add_note)

    def action_open(self) -> None:
        item = self._item_or_say()
        if item is not None:
            self.app.open_prospect(item.prospect_id, follow_up_id=item.id)

    def on_virtual_list_chosen(self, event: VirtualList.Chosen) -> None:
        self.action_open()
