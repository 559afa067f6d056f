"""One board column: the stage's totals on top (R6, R7) and its cards below, best score first.

Its cards are a :class:`pipeline_tui.services.board.Cards`: read from the database a window at a
time as the column draws them, so a column of 30,000 cards draws as fast as one of 30.
"""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip

from pipeline_tui.core.domain import Stage
from pipeline_tui.core.lateness import days_late
from pipeline_tui.core.money import format_amount
from pipeline_tui.services.board import Card, Cards, ColumnHead
from pipeline_tui.ui.format import DECISION_MARKS, KIND_LABELS, due_label, money
from pipeline_tui.ui.widgets.virtual_list import VirtualList, make_strip, shorten, shorten_middle

BOLD, ITALIC, DIM = Style(bold=True), Style(italic=True), Style(dim=True)
DECISION_COLOURS = {"yes": "card--good", "no": "card--bad", "unknown": "card--warn"}
STATUS_STYLES = {  # a card's next step: overdue, today, later
    "overdue": ("card--bad", BOLD),
    "today": ("card--warn", None),
    "upcoming": ("card--good", None),
}


class StageColumn(VirtualList[Card]):
    """A stage's header (name, count, value and weighted value) and its cards: name; value,
    score, decision maker, days in the stage and ⚑ for a close date gone by; the next step, or
    "rotting" for a deal idle past its stage's limit with none (core.aging).

    One widget draws both, header included: each widget on screen costs Textual a layer to
    draw under every line it covers, and a column of a header, a list and a container holding
    them redrew each line three times when a card moved (and at start-up, for every column).
    """

    # Colours by meaning, few of them: Textual works out every component class of every column
    # as it mounts, ~1 ms a column for the fifteen this once had. Bold, italic and dim are
    # plain Rich styles added on top.
    COMPONENT_CLASSES = {
        "stage-edge",
        "stage-header",
        "stage-header--focused",
        "card--accent",
        "card--muted",
        "card--cursor",
        "card--good",
        "card--warn",
        "card--bad",
    }

    DEFAULT_CSS = """
    StageColumn {
        width: 1fr;
        min-width: 12;
        height: 1fr;
        overflow-y: hidden;
    }
    StageColumn > .stage-edge { color: $panel-lighten-1; }
    StageColumn > .stage-header { background: $panel; color: $text; }
    StageColumn > .stage-header--focused { background: $accent 40%; color: $text; }
    StageColumn > .card--accent { color: $accent; }
    StageColumn > .card--muted { color: $text-muted; }
    StageColumn > .card--cursor { background: $block-cursor-blurred-background; }
    StageColumn > .card--good { color: $success; }
    StageColumn > .card--warn { color: $warning; }
    StageColumn > .card--bad { color: $error; }
    """

    row_height = 4
    header_height = 2
    edge = ("▕", "stage-edge")  # the line between columns

    def __init__(self, stage: Stage | None) -> None:
        super().__init__(id=f"stage-{stage.id}" if stage else "stage-archived")
        self.stage = stage  # None: the archived prospects a search found
        self.now = datetime.now()
        self.head = ColumnHead(stage, 0, False, 0, 0.0)

    @property
    def title(self) -> str:
        return self.head.title

    def show(self, head: ColumnHead, cards: Cards, now: datetime, *, cursor: int | None = None) -> None:
        """Fill the column: its header (count, value, weighted value) and its cards."""
        header = head != self.head
        self.head = head
        self.now = now
        self.set_items(cards, cursor=cursor, header=header)

    def show_focus(self, focused: bool) -> None:
        """Look focused (header and cursor row) or not."""
        if focused != self.looks_focused:
            self._refresh_header()
        super().show_focus(focused)

    def watch_cursor(self, old: int, new: int) -> None:
        super().watch_cursor(old, new)
        self._refresh_header()  # the position, in the same frame as the rows

    def _refresh_header(self) -> None:
        self.refresh(Region(0, 0, self.size.width, self.header_height))

    # -- drawing ------------------------------------------------------------------------------

    def header_lines(self, width: int) -> tuple[list, list]:
        """Name and count (``37/2339`` once the cursor is past the first card, where there is
        room: the column has no scrollbar to say where it is; ``100+`` when a search counted
        no further), then value and weighted value. The name gives way to the count in a
        narrow column."""
        head = self.head
        count = f"{head.count}+" if head.more else str(head.count)
        counted = f"{self.cursor + 1}/{count}"
        title = head.title
        if self.cursor == 0 or width - len(counted) - 1 < min(6, len(title)):
            counted = count  # no room for the position beside a readable name
        room = width - len(counted) - 1
        name = title if room <= 0 or cell_len(title) <= room else shorten(title, room)
        first = [(name, BOLD), (f" {counted}", self.style_of("card--accent") + BOLD)]
        if head.value is None:
            return first, [("found by search", DIM)]
        totals = f"{money(head.value, short=True)} · w {money(head.weighted_value, short=True)}"
        return first, [(totals, DIM)]

    def render_header(self, line: int, width: int) -> Strip:
        base = self.style_of("stage-header--focused" if self.looks_focused else "stage-header", full=True)
        parts = self.header_lines(max(0, width - 2))[line]  # a cell of padding each side
        inner = make_strip([(" ", None), *parts], max(0, width - 1), base)
        return Strip([*inner, Segment(" ", base)], width) if width else inner

    def header_text(self) -> str:
        """The header as a user reads it, two lines."""
        width = self.scrollable_content_region.width
        return "\n".join(self.render_header(line, width).text for line in range(self.header_height))

    def render_context(self) -> object:
        return self.now

    def _status_style(self, status: str) -> Style:
        colour, extra = STATUS_STYLES[status]
        return self.style_of(colour) + extra if extra else self.style_of(colour)

    def render_row(self, card: Card, line: int, width: int, is_cursor: bool, base: Style) -> Strip:
        if is_cursor and self.looks_focused:
            base = base + self.style_of("card--cursor")
        if line == 3:
            return Strip.blank(width, self.list_style)
        gutter = ("▌", self.style_of("card--accent")) if is_cursor and self.looks_focused else (" ", None)
        if line == 0:  # cut from the middle: the end tells apart two deals of one company
            return make_strip([gutter, (shorten_middle(card.name, width - 1), BOLD)], width, base)
        if line == 1:
            return make_strip([gutter, *self._figures(card, width - 1)], width, base)
        if card.closed:  # a won, lost or archived deal a search found
            return make_strip([gutter, (card.closed, self.style_of("card--muted") + ITALIC)], width, base)
        follow_up = card.next_follow_up
        if follow_up is None and card.rotting:
            return make_strip(
                [gutter, (rotting_label(card, width - 1), self.style_of("card--bad") + BOLD)], width, base
            )
        if follow_up is None:
            return make_strip([gutter, ("no next step", self.style_of("card--bad") + ITALIC)], width, base)
        label = next_step_label(follow_up.kind, follow_up.due, self.now, width=width - 1)
        return make_strip([gutter, (label, self._status_style(card.follow_up_status))], width, base)

    def _figures(self, card: Card, width: int) -> list[tuple[str, Style | None]]:
        """Value, score, decision maker, days in stage and ⚑ (a close date gone by). Where they
        do not fit, the score goes first (the column's order already says it), then the
        value's padding, so that the days in stage stay readable."""
        dm = DECISION_MARKS.get(card.decision_maker, "DM?")
        if card.currency:  # the deal's own amount; the column's totals are at home
            value = format_amount(card.amount, card.currency, "", short=True)
        else:
            value = money(card.value, short=True) if card.value is not None else "—"
        padded = f"{value:<5}" if len(value) < 5 else f"{value} "  # "¥1.5M" keeps a gap before its score
        score = f"●{card.score:<3}" if card.score is not None else ""
        tail = [
            (f" {dm}", self.style_of(DECISION_COLOURS.get(card.decision_maker, "card--warn"))),
            (days_in_stage(card), self.style_of("card--muted")),
            ("⚑" if card.slipped else "", self.style_of("card--bad") + BOLD),  # close date passed
        ]
        for shown in (
            [(padded, None), (score, self.style_of("card--muted")), *tail],
            [(f"{value:<4}", None), *tail],
            [(value, None), *tail],
        ):
            if sum(cell_len(text) for text, _ in shown) <= width:
                break
        return shown


def rotting_label(card: Card, width: int) -> str:
    """A rotting card's last line (it has no next step either), as much as fits."""
    idle = card.idle_days
    for label in (f"rotting: {idle}d idle, no next step", f"rotting: {idle}d idle", f"rotting {idle}d"):
        if cell_len(label) <= width:
            return label
    return "rotting"


def days_in_stage(card: Card) -> str:
    """`` 12d``: days an open deal has sat in its stage (a closed one a search found: none)."""
    return f" {card.days_in_stage}d" if card.days_in_stage is not None else ""


SHORT_KINDS = {"appointment": "appt", "info-request": "info", "reminder": "rmd"}


def next_step_label(kind: str, due: datetime, now: datetime, *, width: int = 40) -> str:
    """``appointment tomorrow 10:00`` in a wide column, ``appt tmrw 10:00`` or ``appt tmrw`` in
    narrower ones: the colour already says overdue, today or later."""
    wide = f"{KIND_LABELS.get(kind, kind)} {due_label(due, now)}"
    if len(wide) <= width:
        return wide
    days = (due.date() - now.date()).days
    clock = due.strftime(" %H:%M")
    short = SHORT_KINDS.get(kind, kind)
    if due < now:
        late = days_late(due, now)
        whens = [f"{late}d late" if late else "late"]
    elif days == 0:
        whens = [clock.strip()]
    elif days == 1:
        whens = ["tmrw" + clock, "tmrw"]
    elif days < 7:
        whens = [due.strftime("%a") + clock, due.strftime("%a")]
    else:
        whens = [due.strftime("%d %b")]
    for when in whens:
        if len(short) + 1 + len(when) <= width:
            return f"{short} {when}"
    return f"{short} {whens[-1]}"
