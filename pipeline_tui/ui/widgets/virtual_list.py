"""A list that draws only the rows on screen (Textual's Line API).

The board may hold 10,000 cards: a widget per card costs seconds to mount and a hundred
milliseconds per key, so each column is one of these instead, where a key press costs the
same whatever the number of rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Generic, TypeVar

from rich.cells import cell_len, get_character_cell_size, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from pipeline_tui.errors import ServerLost
from pipeline_tui.ui.contrast import readable
from pipeline_tui.ui.format import printable
from pipeline_tui.ui.textual_internals import ScrollRangeWithoutLayout, styled_plainly, use_plain_lines

Item = TypeVar("Item")

Part = tuple[str, Style | None]
# Blank space that leads a part is given this style: it draws as nothing more, but is no other
# part's style, so the space stays a run of its own. Joined to the words after it in one run,
# it is drawn a cell or more askew by SVG renderers (the screenshots), though not by terminals.
APART = Style(underline=False)


def shorten(text: str, room: int) -> str:
    """Fit ``text`` in ``room`` cells, ending with …; at a word boundary when one is near."""
    text = printable(text)  # measured as drawn (see shorten_middle)
    if room <= 1:
        return "…"[:room]
    cut = set_cell_size(text, room - 1).rstrip()
    space = cut.rfind(" ")
    if space >= (room * 3) // 5:
        cut = cut[:space].rstrip(" ,·-–:")
    return cut + "…"


def shorten_middle(text: str, room: int) -> str:
    """Fit ``text`` in ``room`` cells by cutting out its middle: ``Quarry…ng pilot``. Two deals
    of one company share their start (the company) and differ at the end, which stays; the
    start is cut at a word boundary when one is near."""
    text = printable(text)  # measured as drawn: an ESC measures no cell, the � shown for it one
    if cell_len(text) <= room:
        return text
    if room <= 2:
        return shorten(text, room)
    keep = room - 1  # cells besides the …
    first_word = text.split(" ", 1)[0]
    if 0 < cell_len(first_word) <= keep // 2:  # the company's first word whole, where it fits
        head = first_word
    else:
        head = set_cell_size(text, max(1, keep * 2 // 5)).rstrip()
        space = head.rfind(" ")
        if space >= len(head) // 2:
            head = head[:space].rstrip(" ,·-–:")
    tail_room = keep - cell_len(head)
    tail = text[len(text) - _chars_within(text[::-1], tail_room) :].lstrip()
    return f"{head}…{tail}"


def make_strip(parts: Sequence[Part], width: int, base: Style) -> Strip:
    """Lay text parts out on one line of ``width`` cells, cutting with … when too long."""
    segments: list[Segment] = []
    used = 0
    for text, style in parts:
        if used >= width:
            break
        text = printable(text)
        size = cell_len(text)
        if used + size > width:
            text = shorten(text, width - used)
            size = cell_len(text)
        if text[:1] == " ":  # leading blanks: a run of their own (see APART)
            words = text.lstrip(" ")
            segments.append(Segment(text[: len(text) - len(words)], base + APART))
            if words:
                segments.append(Segment(words, base + style if style else base))
        else:
            segments.append(Segment(text, base + style if style else base))
        used += size
    if used < width:
        segments.append(Segment(" " * (width - used), base))
    return Strip(segments, width)


Styled = TypeVar("Styled")
# A no-break space (U+00A0) glues what it joins, a phone number or "t trial/demo", into one word:
# it is drawn as a plain space.
GLUE = "\xa0"
_TOKENS = re.compile(r"[^\S\xa0]+|[\S\xa0]+")
_LAST_WORD = re.compile(r"[\S\xa0]+\Z")


def _blank(character: str) -> bool:
    """Whether a line may break at this character (a glue space may not)."""
    return character.isspace() and character != GLUE


def _chars_within(text: str, cells: int) -> int:
    """How many of ``text``'s characters fit in ``cells`` cells."""
    used = 0
    for index, character in enumerate(text):
        used += get_character_cell_size(character)
        if used > cells:
            return index
    return len(text)


def _add(line: list[tuple[str, Styled]], text: str, style: Styled) -> None:
    """Add text to a line, joined to the last part when it has the same style."""
    if line and line[-1][1] == style:
        line[-1] = (line[-1][0] + text, style)
    else:
        line.append((text, style))


def wrap_parts(parts: Sequence[tuple[str, Styled]], width: int) -> list[list[tuple[str, Styled]]]:
    """Word-wrap styled text to lines of at most ``width`` cells. A newline ends a line (spaces
    after it are kept: they indent); a line wrapped in the middle starts at its next word; a word
    made of parts in different styles stays whole; a word longer than a line is cut."""
    wrapping: _Wrapping[Styled] = _Wrapping(width)
    for text, style in parts:
        # line breaks of any kind end a line; other control characters are shown as they are
        # drawn (make_strip), so that the width measured here is the width drawn
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
        for number, piece in enumerate(text.split("\n")):
            if number:
                wrapping.end_line()
            wrapping.add(printable(piece), style)
    wrapping.end_word()
    return [[(text.replace(GLUE, " "), style) for text, style in line] for line in wrapping.lines]


class _Wrapping(Generic[Styled]):
    """One :func:`wrap_parts` under way: the lines so far, the cells used on the last one, the
    word being gathered (its parts may differ in style), and whether the last line began where
    a line was too long (it then drops the blanks it would start with)."""

    def __init__(self, width: int) -> None:
        self.width = max(1, width)
        self.lines: list[list[tuple[str, Styled]]] = [[]]
        self.used = 0
        self.word: list[tuple[str, Styled]] = []
        self.wrapped = False

    def new_line(self, *, wrapping: bool) -> None:
        self.lines.append([])
        self.used, self.wrapped = 0, wrapping

    def end_line(self) -> None:
        """A newline in the text."""
        self.end_word()
        self.new_line(wrapping=False)

    def add(self, piece: str, style: Styled) -> None:
        """A piece of text without line breaks, in one style."""
        size = cell_len(piece)
        if (
            not self.word
            and self.used + size <= self.width
            and (self.used or not self.wrapped or not _blank(piece[:1]))
        ):
            # fits whole (most lines do): only its last word may still run on into the next part
            last = _LAST_WORD.search(piece)
            head = piece[: last.start()] if last else piece
            if head:
                _add(self.lines[-1], head, style)
                self.used += cell_len(head) if last else size
            if last:
                self.word = [(last.group(), style)]
            return
        for token in _TOKENS.findall(piece):
            self._add_token(token, style)

    def _add_token(self, token: str, style: Styled) -> None:
        """A word's part (gathered) or the blanks between words (where a line may end)."""
        if not _blank(token[0]):
            self.word.append((token, style))
            return
        self.end_word()
        if self.used + cell_len(token) <= self.width:
            if self.used or not self.wrapped:
                _add(self.lines[-1], token, style)
                self.used += cell_len(token)
        elif self.used:  # blanks past the end: the line ends there (the next word must not join)
            self.new_line(wrapping=True)

    def end_word(self) -> None:
        """Place the word gathered: on this line if it fits, else on the next, cut if longer."""
        word, self.word = self.word, []
        if not word:
            return
        if self.used and self.used + sum(cell_len(text) for text, _ in word) > self.width:
            self.new_line(wrapping=True)
        for text, style in word:
            while self.used + cell_len(text) > self.width:
                fits = _chars_within(text, self.width - self.used) or (0 if self.used else 1)
                if fits:
                    _add(self.lines[-1], text[:fits], style)
                self.new_line(wrapping=True)
                text = text[fits:]
            if text:
                _add(self.lines[-1], text, style)
                self.used += cell_len(text)


class LineView(ScrollRangeWithoutLayout):
    """A scrolling widget that draws its own lines (Textual's Line API), with the styles of its
    component classes looked up once per theme and its drawn lines kept until they change."""

    DEFAULT_CSS = """
    LineView {
        overflow-x: hidden;
        /* always there, so that content growing past the screen does not lay the screen out again */
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        background: $surface;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._plain_lines = use_plain_lines(self)
        self._styles: dict[tuple[str, bool], Style] = {}
        self._base: Style | None = None  # the widget's own style, under every line
        self._lines: LRUCache = LRUCache(1024)  # drawn lines, by what they show
        self._geometry: tuple[int, int] | None = None  # geometry(), while lines are drawn

    def style_of(self, component: str, *, full: bool = False) -> Style:
        """A component class's style, looked up once per theme (lines ask on every draw): only
        what it sets, or (``full``) with its background laid over the widget's."""
        style = self._styles.get((component, full))
        if style is None:
            style = self.get_component_rich_style(component, partial=not full)
            self._styles[component, full] = style
        return style

    def notify_style_update(self) -> None:
        """Forget drawn lines only if a style they use changed (a view shown again restyles
        its widgets, mostly changing nothing). Textual works out component styles after this
        call: compare them once it has."""
        before, self._styles = self._styles, {}
        self._base = None
        super().notify_style_update()
        if before:
            self.call_later(self._forget_lines_if_restyled, before)

    def _forget_lines_if_restyled(self, before: dict[tuple[str, bool], Style]) -> None:
        self._styles, self._base = {}, None  # anything looked up meanwhile may predate them
        if any(self.style_of(name, full=full) != style for (name, full), style in before.items()):
            self._lines.clear()
            self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        """Lines through Textual's cache of them, told whether it may hand them over as drawn."""
        self._plain_lines.plain = self._styled_plainly()
        # where the lines are, worked out once rather than by each line (~25 µs a line)
        self._geometry = (self.scrollable_content_region.width, int(self.scroll_offset.y))
        try:
            return super().render_lines(crop)
        finally:
            self._geometry = None

    def geometry(self) -> tuple[int, int]:
        """The width of a line, and how far the view is scrolled down."""
        return self._geometry or (self.scrollable_content_region.width, int(self.scroll_offset.y))

    def _styled_plainly(self) -> bool:
        return styled_plainly(self)

    @property
    def list_style(self) -> Style:
        """The widget's own style, under every line (Textual works it out afresh on each call)."""
        if self._base is None:
            self._base = self.rich_style
        return self._base

    @property
    def allow_vertical_scroll(self) -> bool:
        """The mouse wheel scrolls long content, with or without a scrollbar showing."""
        return self.can_scroll()


class VirtualList(LineView, Generic[Item], can_focus=True):
    """Rows of a fixed height, a cursor, and messages when it moves or a row is chosen."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="list.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="list.down"),
        Binding("pageup", "page(-1)", "A page up", show=False, id="list.page_up"),
        Binding("pagedown", "page(1)", "A page down", show=False, id="list.page_down"),
        Binding("home,g", "jump(0)", "First", show=False, id="list.first"),
        Binding("end,G", "jump(-1)", "Last", show=False, id="list.last"),
    ]

    # no repaint of the whole list when it moves: watch_cursor draws the two rows concerned
    cursor: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)

    class Highlighted(Message):
        def __init__(self, sender: VirtualList, index: int) -> None:
            super().__init__()
            self.list = sender
            self.index = index

        @property
        def control(self) -> VirtualList:
            return self.list

    class Chosen(Highlighted):
        """Enter (or a click) on a row."""

    row_height = 1
    header_height = 0  # lines above the rows, drawn by render_header, that stay put when they scroll
    edge: tuple[str, str] | None = None  # a character down the right edge, and its component class

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.items: Sequence[Item] = []
        self.looks_focused = False  # whether the cursor row is drawn as focused
        self._drawn_in: object = None  # render_context() when the rows were last filled

    # -- data ---------------------------------------------------------------------------------

    def set_items(self, items: Sequence[Item], *, cursor: int | None = None, header: bool = True) -> None:
        """Replace the rows, keeping the cursor where it was unless told otherwise. Only the
        window from the first row in sight that changed is drawn again (and the header, unless
        it shows what it showed): after a card moves, the rows above it stay as they were; a
        list whose rows in sight, length and cursor are as they were is not touched at all."""
        before, old_cursor = self.items, self.cursor
        context = self.render_context()
        if items is before and not header and cursor in (None, old_cursor) and context == self._drawn_in:
            return  # the very rows it shows (a column an action left alone): nothing to look at
        self.items = items
        # rows drawn in another context (the time: "late" or not) are all drawn again
        first = self._first_change_in_sight(before, items) if context == self._drawn_in else 0
        self._drawn_in = context
        target = self._clamp(self.cursor if cursor is None else cursor)
        if (
            len(before) == len(items)
            and target == old_cursor
            and not header
            and first > self._last_in_sight()
        ):
            return  # nothing in sight changed: no layout, no drawing, no scrolling
        self.set_scroll_range(Size(self.size.width, self._content_height()))
        self.set_reactive(VirtualList.cursor, target)
        if self.cursor != old_cursor:  # both rows drawn again: one loses the cursor, one gains it
            first = min(first, old_cursor, self.cursor)
        top = self.header_height + first * self.row_height - int(self.scroll_offset.y)
        if top <= self.header_height or not self.size:
            self.refresh()
        else:
            if header or self.cursor != old_cursor:
                self.refresh(Region(0, 0, self.size.width, self.header_height))
            if top < self.size.height:
                self.refresh(Region(0, top, self.size.width, self.size.height - top))
        self.call_after_refresh(self._show_cursor)

    def _last_in_sight(self) -> int:
        first = int(self.scroll_offset.y) // self.row_height
        return first + self.size.height // self.row_height + 1

    def _first_change_in_sight(self, before: Sequence[Item], after: Sequence[Item]) -> int:
        """The first row in sight that is not the same object as before (rows are immutable:
        a changed one is a new object); past the window if none, blank rows in both included."""
        first = int(self.scroll_offset.y) // self.row_height
        last = self._last_in_sight()
        for index in range(first, last + 1):
            if index >= len(before) and index >= len(after):
                break  # both end here: the rows below are blank in both
            if index >= len(before) or index >= len(after) or before[index] is not after[index]:
                return index
        return last + 1

    @property
    def current(self) -> Item | None:
        if 0 <= self.cursor < len(self.items) and self.selectable(self.items[self.cursor]):
            return self.items[self.cursor]
        return None

    def selectable(self, item: Item) -> bool:
        return True

    def _clamp(self, index: int) -> int:
        if not self.items:
            return 0
        index = max(0, min(index, len(self.items) - 1))
        if self.selectable(self.items[index]):
            return index
        for step in (1, -1):
            probe = index
            while 0 <= probe < len(self.items):
                if self.selectable(self.items[probe]):
                    return probe
                probe += step
        return index

    # -- moving -------------------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        index = self.cursor + step
        while 0 <= index < len(self.items) and not self.selectable(self.items[index]):
            index += step
        if 0 <= index < len(self.items):
            self.cursor = index

    def _content_height(self) -> int:
        return self.header_height + len(self.items) * self.row_height

    def action_page(self, step: int) -> None:
        rows = max(1, (self.scrollable_content_region.height - self.header_height) // self.row_height - 1)
        self.cursor = self._clamp(self.cursor + step * rows)

    def action_jump(self, index: int) -> None:
        self.cursor = self._clamp(index if index >= 0 else len(self.items) - 1)

    def action_choose(self) -> None:
        if self.current is not None:
            self.post_message(self.Chosen(self, self.cursor))

    def watch_cursor(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self._show_cursor()
        self.post_message(self.Highlighted(self, new))

    def _refresh_row(self, index: int) -> None:
        top = self.header_height + index * self.row_height - int(self.scroll_offset.y)
        self.refresh(Region(0, top, self.size.width, self.row_height))

    def _show_cursor(self) -> None:
        if self.items:
            # the header covers the top of the window: a row must fit in the rest of it
            height = self.row_height + self.header_height
            region = Region(0, self.cursor * self.row_height, max(1, self.size.width), height)
            self.scroll_to_region(region, animate=False, immediate=True, x_axis=False)

    def on_resize(self, event: events.Resize) -> None:
        self.set_scroll_range(Size(event.size.width, self._content_height()))
        self.call_after_refresh(self._show_cursor)  # a smaller window must still show the cursor

    def watch_has_focus(self, has_focus: bool) -> None:
        """Draw the cursor row again, and nothing else: a list's look with focus is drawn by
        its rows (no ``:focus`` rule styles it), so Textual's restyle of the list and its
        scrollbars on every focus change would only cost time."""
        self.show_focus(has_focus)

    def show_focus(self, focused: bool) -> None:
        """Draw the cursor row as focused or not. A screen that moves focus itself calls this
        at once, so the move and the new look share one frame; the focus events arriving after
        it then find nothing left to draw."""
        if focused != self.looks_focused:
            self.looks_focused = focused
            self._refresh_row(self.cursor)

    async def on_click(self, event: events.Click) -> None:
        if event.y < self.header_height:
            return
        index = (event.y - self.header_height + int(self.scroll_offset.y)) // self.row_height
        if 0 <= index < len(self.items) and self.selectable(self.items[index]):
            if index == self.cursor:
                self.action_choose()
            self.cursor = index

    # -- drawing ------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width, scrolled = self.geometry()
        inner = width if self.edge is None else max(0, width - 1)
        if y < self.header_height:
            return self._edged(self.render_header(y, inner), width)
        absolute = y - self.header_height + scrolled
        index, line = divmod(absolute, self.row_height)
        base = self.list_style
        if index >= len(self.items):
            item, key = None, ("blank", width, base)
        else:
            try:
                item = self.items[index]
            except ServerLost:  # rows read as they are drawn (the board's cards): none this time
                self._say_server_lost()
                return self._edged(Strip.blank(inner, base), width)
            is_cursor = index == self.cursor
            focused = is_cursor and self.looks_focused
            key = (id(item), line, width, is_cursor, focused, base, self.render_context())
        # Draw each line once, edge included: a repaint, or a list refilled with mostly the same
        # (immutable) rows, finds it here, the same strip as before (see LineView.render_lines).
        # A changed row is a new object, so it is drawn afresh; keyed by identity (hashing a
        # row's every field on every line costs more than drawing it).
        found = self._lines.get(key)
        if found is not None and found[0] is item:
            return found[1]
        if item is None:
            strip = self._edged(Strip.blank(inner, base), width)
        elif focused:  # coloured text on the cursor's colour: made readable in every theme
            strip = self._edged(readable(self.render_row(item, line, inner, is_cursor, base), base), width)
        else:
            strip = self._edged(self.render_row(item, line, inner, is_cursor, base), width)
        self._lines[key] = (item, strip)
        return strip

    def _say_server_lost(self) -> None:
        """The footer says the server is gone (once: every line in sight finds it so)."""
        if not getattr(self.app, "server_lost", True):
            self.app.server_lost = True
            self.app.call_later(self.app.lost_server)

    def _edged(self, inner: Strip, width: int) -> Strip:
        """The line with the edge down its right side: drawn here rather than as a CSS border,
        which Textual would add to each line again on every repaint."""
        if self.edge is None:
            return inner
        character, component = self.edge
        return Strip([*inner, Segment(character, self.list_style + self.style_of(component))], width)

    def render_context(self) -> object:
        """Anything besides the row that its drawing depends on (the time, for due dates)."""
        return None

    def render_row(self, item: Item, line: int, width: int, is_cursor: bool, base: Style) -> Strip:
        """Draw line ``line`` of one row; subclasses say how."""
        return make_strip([(str(item), None)], width, base)

    def render_header(self, line: int, width: int) -> Strip:
        """Draw line ``line`` of the header (``header_height`` lines); subclasses with one say how."""
        return Strip.blank(width, self.list_style)
