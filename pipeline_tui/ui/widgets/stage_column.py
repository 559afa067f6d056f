"""One board column: the stage's totals on top (R6, R7) and its cards below, best score first."""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from rich.style import Style
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.strip import Strip
from textual.widgets import Static

from pipeline_tui.core.domain import Stage
from pipeline_tui.services.views import Card
from pipeline_tui.ui.format import DECISION_MARKS, KIND_LABELS, due_label, money
from pipeline_tui.ui.widgets.quiet import update_if_changed
from pipeline_tui.ui.widgets.virtual_list import VirtualList, make_strip, shorten


class CardList(VirtualList[Card]):
    """The cards of one stage: name; value, score and decision maker; the next step."""

    COMPONENT_CLASSES = {
        "card--name",
        "card--meta",
        "card--gutter",
        "card--cursor",
        "card--overdue",
        "card--today",
        "card--upcoming",
        "card--none",
        "card--dm-yes",
        "card--dm-no",
        "card--dm-unknown",
    }

    DEFAULT_CSS = """
    CardList { height: 1fr; overflow-y: hidden; }
    CardList > .card--name { text-style: bold; }
    CardList > .card--meta { color: $text-muted; }
    CardList > .card--gutter { color: $accent; }
    CardList > .card--cursor { background: $block-cursor-blurred-background; }
    CardList > .card--overdue { color: $error; text-style: bold; }
    CardList > .card--today { color: $warning; }
    CardList > .card--upcoming { color: $success; }
    CardList > .card--none { color: $error; text-style: italic; }
    CardList > .card--dm-yes { color: $success; }
    CardList > .card--dm-no { color: $error; }
    CardList > .card--dm-unknown { color: $warning; }
    """

    row_height = 4

    def __init__(self, stage: Stage, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.stage = stage
        self.now = datetime.now()

    def render_context(self) -> object:
        return self.now

    def render_row(self, card: Card, line: int, width: int, is_cursor: bool, base: Style) -> Strip:
        if is_cursor and self.looks_focused:
            base = base + self.style_of("card--cursor")
        if line == 3:
            return Strip.blank(width, self.list_style)
        gutter = ("▌", self.style_of("card--gutter")) if is_cursor and self.looks_focused else (" ", None)
        if line == 0:
            return make_strip([gutter, (card.name, self.style_of("card--name"))], width, base)
        if line == 1:
            dm = DECISION_MARKS.get(card.decision_maker, "DM?")
            value = money(card.value, short=True) if card.value is not None else "—"
            return make_strip(
                [
                    gutter,
                    (f"{value:<5}", None),
                    (f"●{card.score:<3}", self.style_of("card--meta")),
                    (f" {dm}", self.style_of(f"card--dm-{card.decision_maker}")),
                ],
                width,
                base,
            )
        follow_up = card.next_follow_up
        if follow_up is None:
            return make_strip([gutter, ("no next step", self.style_of("card--none"))], width, base)
        label = next_step_label(follow_up.kind, follow_up.due, self.now, width=width - 1)
        return make_strip([gutter, (label, self.style_of(f"card--{card.follow_up_status}"))], width, base)


SHORT_KINDS = {"appointment": "mtg", "info-request": "info", "reminder": "rmd"}


def next_step_label(kind: str, due: datetime, now: datetime, *, width: int = 40) -> str:
    """``meeting tomorrow 10:00`` in a wide column, ``mtg tmrw 10:00`` or ``mtg tmrw`` in
    narrower ones: the colour already says overdue, today or later."""
    wide = f"{KIND_LABELS.get(kind, kind)} {due_label(due, now)}"
    if len(wide) <= width:
        return wide
    days = (due.date() - now.date()).days
    clock = due.strftime(" %H:%M")
    short = SHORT_KINDS.get(kind, kind)
    if due < now:
        whens = [f"{-days}d late" if days < 0 else "late"]
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


class StageColumn(Vertical):
    """A stage header and its card list."""

    DEFAULT_CSS = """
    StageColumn {
        width: 1fr;
        min-width: 12;
        border-right: vkey $panel-lighten-1;
    }
    StageColumn > .stage-header {
        height: 2;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        background: $panel;
        color: $text;
    }
    StageColumn > .stage-header--focused {
        background: $accent 40%;
    }
    """

    # The focused column's header colour, set on the header directly: a class would restyle the
    # header (matching every rule) twice per card move, ~0.7 ms.
    COMPONENT_CLASSES = {"stage-header--focused"}

    def __init__(self, stage: Stage) -> None:
        super().__init__(id=f"stage-{stage.id}")
        self.stage = stage
        self._totals: tuple[int, int, float] = (0, 0, 0.0)  # cards, value, weighted value
        self.header = Static(stage.name, classes="stage-header", markup=False)
        self.cards = CardList(stage, id=f"cards-{stage.id}")

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.cards

    # A class on the header rather than a ``:focus-within`` rule: with that rule Textual restyles
    # the whole column (and draws it again) each time focus enters or leaves it. The events come
    # after the frame of the key that moved focus; the board marks the columns in that frame.
    def on_descendant_focus(self) -> None:
        self.mark_focused(True)

    def on_descendant_blur(self) -> None:
        self.mark_focused(False)

    looks_focused = False

    def mark_focused(self, focused: bool) -> None:
        """Look focused (header and cursor row) or not."""
        if focused != self.looks_focused:
            self.looks_focused = focused
            self._colour_header()
        self.cards.show_focus(focused)

    def _colour_header(self) -> None:
        focused = self.get_component_styles("stage-header--focused").background
        self.header.styles.background = focused if self.looks_focused else None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self.looks_focused:  # another theme: its colour, once Textual has worked it out
            self.call_later(self._colour_header)

    def show(
        self, cards: list[Card], now: datetime, *, cursor: int | None = None, totals: tuple | None = None
    ) -> None:
        """Fill the column and sum it up in the header: count, value, weighted value (``totals``
        when the caller has them already)."""
        if totals is None:
            totals = (sum(c.value or 0 for c in cards), sum(c.weighted_value for c in cards))
        self._totals = (len(cards), *totals)
        self.cards.now = now
        self.cards.set_items(cards, cursor=cursor)
        self._draw_header()

    def on_mount(self) -> None:
        # in the frame the cursor moves in, not one later (a Highlighted message arrives after
        # that frame is drawn, and its own frame costs ~1 ms more)
        self.watch(self.cards, "cursor", self._draw_header, init=False)

    def on_resize(self) -> None:
        self._draw_header()

    def _draw_header(self) -> None:
        """Name and count (``37/2339`` once the cursor is past the first card, where there is
        room: the column has no scrollbar to say where it is), then value and weighted value.
        The name gives way to the count in a narrow column."""
        from textual.content import Content

        count, value, weighted = self._totals
        width = self.header.content_size.width
        counted = f"{self.cards.cursor + 1}/{count}"
        if self.cards.cursor == 0 or width - len(counted) - 1 < min(6, len(self.stage.name)):
            counted = str(count)  # no room for the position beside a readable name
        room = width - len(counted) - 1
        name = (
            self.stage.name
            if room <= 0 or cell_len(self.stage.name) <= room
            else shorten(self.stage.name, room)
        )
        header = Content.assemble(
            (name, "bold"),
            (f" {counted}", "bold $accent"),
            "\n",
            (f"{money(value, short=True)} · w {money(weighted, short=True)}", "dim"),
        )
        update_if_changed(self.header, header)  # two lines, always
