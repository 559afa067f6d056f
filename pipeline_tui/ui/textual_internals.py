"""Every use of Textual's private names, in one place (Textual 8.2.8, pinned in pyproject.toml).

Each one spares a key or the start-up work Textual would do for nothing here; each is a mixin
or a function the screens and widgets use, and ``tests/ui/test_textual_internals.py`` checks
each one against Textual: run that file first after upgrading Textual. A name gone or changed
fails there by name, rather than somewhere in a screen.
"""

from __future__ import annotations

import asyncio
import contextlib
from functools import lru_cache

from rich.console import Console
from rich.control import Control
from textual import events
from textual._compositor import ChopsUpdate, Compositor
from textual._styles_cache import StylesCache
from textual.app import App
from textual.geometry import Region, Size
from textual.reactive import Reactive
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget


class DrawAfterBatch:
    """A screen that draws no frame Textual would throw away. Inside a batch of updates (the
    app starting, screens closing) Textual lays the screen out, draws it and then drops the
    drawing: at start-up, the whole board drawn once for nothing. The screen is drawn whole
    once the batch is over instead."""

    def _compositor_refresh(self) -> None:
        if getattr(self.app, "_batch_count", 0):
            self._repaint_required = True  # the first idle moment after the batch draws it
            return
        super()._compositor_refresh()


class ChangedWidgetsCompositor(Compositor):
    """Textual's compositor, drawing in a frame only the widgets that show in a changed region.
    Textual draws every widget whose container reaches into the rectangle around all the
    changes: a moved card and the footer's message about it, or the detail pane and its key
    hints, made that rectangle the whole screen and every column was drawn again, for nothing
    written. What reaches the terminal is the same: only the changed regions are written."""

    _changed: set[Region] | None = None  # the regions of the frame being drawn

    def render_partial_update(self) -> ChopsUpdate | None:
        changed = self._dirty_regions.copy()
        self._dirty_regions.clear()
        if not changed:
            return None
        spans = list(self._regions_to_spans(changed))
        self._changed = changed
        try:
            chops = self._render_chops(self.size.region, {y for y, _, _ in spans}.__contains__)
        finally:
            self._changed = None
        return ChopsWritten(chops, spans, [cut_set[1:] for cut_set in self.cuts])

    def _get_renders(self, crop: Region | None = None):
        changed = self._changed
        if changed is None:
            yield from super()._get_renders(crop)
            return
        in_front: list[Region] = []  # widgets are drawn front first: the first to fill a place wins
        for widget, (region, clip) in self.visible_widgets.items():
            shown = region.intersection(clip)
            if not shown.area:
                continue
            parts = [shown.intersection(part) for part in changed if shown.overlaps(part)]
            # a widget wholly behind others where it changed (a container, the screen) adds nothing
            if parts and not all(_covered(part, in_front) for part in parts):
                x, y, width, height = shown
                yield region, clip, widget.render_lines(Region(x - region.x, y - region.y, width, height))
            in_front.append(shown)


def _covered(area: Region, covers: list[Region]) -> bool:
    """Whether ``covers`` together cover all of ``area``."""
    left = [area]
    for cover in covers:
        left = [piece for part in left for piece in _outside(part, cover)]
        if not left:
            return True
    return False


def _outside(area: Region, cover: Region) -> list[Region]:
    """The parts of ``area`` outside ``cover``, as up to four regions."""
    inside = area.intersection(cover)
    if not inside.area:
        return [area]
    parts = [
        Region(area.x, area.y, area.width, inside.y - area.y),  # above
        Region(area.x, inside.bottom, area.width, area.bottom - inside.bottom),  # below
        Region(area.x, inside.y, inside.x - area.x, inside.height),  # left
        Region(inside.right, inside.y, area.right - inside.right, inside.height),  # right
    ]
    return [part for part in parts if part.area]


@lru_cache(maxsize=8192)
def _move_to(x: int, y: int) -> str:
    return Control.move_to(x, y).segment.text


class ChopsWritten(ChopsUpdate):
    """Textual's update of changed lines, written as Textual writes it, with each cursor move
    made once per place: Textual makes a Rich ``Control`` for every piece of every line (some
    120 of them when a card moves), each parsed into its escape sequence anew. A piece that
    starts where its line's change ends writes nothing, not even its cursor move."""

    def render_segments(self, console: Console) -> str:
        sequences: list[str] = []
        append = sequences.append
        chops, chop_ends = self.chops, self.chop_ends
        last_y = self.spans[-1][0]
        for y, x1, x2 in self.spans:
            for end, (x, strip) in zip(chop_ends[y], chops[y].items(), strict=False):
                if strip is None or x >= x2 or end <= x1:
                    continue  # (Textual writes a cursor move and nothing after it for x == x2)
                if not (x2 > x >= x1 and end <= x2):
                    strip = strip.crop(0, min(end, x2) - x)
                append(_move_to(x, y))
                append(strip.render(console))
            if y != last_y:
                append("\n")
        return "".join(sequences)


class DrawChangedWidgets(Screen):
    """A screen whose frames draw only the widgets in a changed region
    (:class:`ChangedWidgetsCompositor`)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._compositor = ChangedWidgetsCompositor()


class FocusWithoutRepaint(Screen):
    """A screen not repainted whole when focus moves: Textual restyles (and redraws) the
    widgets that gain and lose focus itself; the whole-screen repaint on top made every
    column change and card move cost ~50 ms at 10,000 cards."""

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    _keys_said_for_focus = False  # the keys were just said for a focus move, not yet again

    def _watch_focused(self) -> None:
        """The keys for the new focus are said at once (in the move's frame); Textual says
        them again after that frame, for the same focus: a footer working out every key's
        state twice per focus move."""
        Screen.refresh_bindings(self)
        self._keys_said_for_focus = True

    def refresh_bindings(self) -> None:
        """Said once per focus move: the next call (Textual's own, after the move's frame) is
        skipped. Any other change of the keys says them again itself, so a call skipped
        here is at worst said again a frame later (Textual's call is still to come)."""
        if self._keys_said_for_focus:
            self._keys_said_for_focus = False
            return
        super().refresh_bindings()


class StylesKeptOnResume:
    """A screen not restyled each time it is shown again (keys 1 2 3): Textual restyles every
    widget on it in case the CSS changed meanwhile (~7 ms at 120×40); here only a theme does
    that, so it restyles only after one. :meth:`on_shown_again` runs each time instead."""

    _styled_for: tuple | None = None  # the theme its widgets were last styled for

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        styled_for = (self.app.theme, self.app.ansi_color)
        # shown for the first time, its widgets were styled as they mounted, just now
        if self._styled_for in (None, styled_for):
            event.refresh_styles = False
        self._styled_for = styled_for
        # no super() call: Textual calls the handler of every class in the MRO, Screen's next
        self.on_shown_again()

    def on_shown_again(self) -> None:
        """The screen is shown (again)."""


class NewModeNotRestyled:
    """An app that does not restyle itself whole when it first shows a mode's screen (the board,
    at start-up): Textual then parses every stylesheet again and restyles every widget, since a
    new screen has seen no CSS update. While none has happened (no theme set since the start),
    the stylesheet is as it was made, and the screen's widgets are styled with it as they mount."""

    def _load_screen_css(self, screen: Screen) -> None:
        super()._load_screen_css(screen)
        if not self._css_update_count and not screen.CSS and not screen.CSS_PATH:
            screen._css_update_count = self._css_update_count


class KeysBeforeBindings:
    """An app that sees each key before Textual looks up its bindings (:meth:`before_bindings`)."""

    def _on_key(self, event: events.Key) -> None:
        self.before_bindings(event)

    def before_bindings(self, event: events.Key) -> None:
        """A key, before the bindings; ``event.prevent_default()`` keeps them from it."""


# what moves the focus out of a field: bound on the screen, so Textual runs it last of all too
FOCUS_KEYS = frozenset({"tab", "shift+tab"})


class KeysInOrder:
    """An app whose keys act in the order typed while a text field has the focus. Textual
    sends a key read from the terminal on to the field and goes on to the next one; a key the
    field does not take as text (backspace, an arrow, tab) comes back up to the app, one
    message queue at a time, before its binding acts: keys read together (fast typing, a slow
    link) were reordered, "backspace x" left the text as it was and "Name tab Org" all went into
    Name. Such a key's binding acts here, once the field has taken the keys sent before it, and
    before the next key is sent on."""

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded and self._binding_acts_now(event):
            await _caught_up(self.focused)
            if await self._check_bindings(event.key, priority=True) or await self._check_bindings(event.key):
                return
        await super().on_event(event)

    def _binding_acts_now(self, event: events.Key) -> bool:
        from textual.widgets import Input

        field = self.focused
        if not isinstance(field, Input) or event.is_printable:
            return False
        return event.key in FOCUS_KEYS or event.key in field._bindings.key_to_bindings


async def _caught_up(widget: Widget, patience: float = 0.5) -> None:
    """Wait until ``widget`` has handled the messages sent to it so far (a widget being removed
    never answers: then not longer than ``patience`` seconds)."""
    done = asyncio.Event()
    if widget.call_later(done.set):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), patience)


class ScrollRangeWithoutLayout(ScrollView):
    """A scrolling widget whose content growing or shrinking changes its scroll range only:
    Textual would lay the whole screen out again, though the widget keeps its size."""

    def set_scroll_range(self, virtual_size: Size) -> None:
        """How far the content reaches (Textual's virtual size), set the way Textual sets it
        for a resize without layout."""
        self.set_reactive(Widget.virtual_size, virtual_size)
        if self.is_mounted and self.container_size:
            self._scroll_update(virtual_size)

    def can_scroll(self) -> bool:
        """Whether the mouse wheel may scroll it (enabled, and longer than its window)."""
        return not self._check_disabled() and self.is_scrollable


class ContentWidthWithoutLayout(Widget):
    """A widget whose content growing or shrinking lays nothing out: Textual's ``Input`` sets
    its content size (the virtual size) on every key typed, a reactive that lays the whole
    screen out again, though the field keeps its size (a search typed on the board paid a
    layout of every column per letter). Where the field's own size is ``auto``, Textual's
    ``Input`` still asks for the layout itself."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


class SizedInLayout(Widget):
    """A widget told its new size as the screen is laid out (:meth:`on_laid_out`), in that same
    frame; a Resize event comes a frame later, once the old size has been drawn."""

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        resized = super()._size_updated(size, virtual_size, container_size, layout)
        self.on_laid_out()
        return resized

    def on_laid_out(self) -> None:
        """The widget's size is set (it may be the one it had)."""


class PlainLines(StylesCache):
    """Textual's cache of a widget's styled lines, handing over a line as drawn when its
    styles would add nothing to it (``plain``: no border, padding, outline, tint, opacity or
    hatch, how every list here is styled).

    Textual's styling makes each line it styles a new strip, and Textual keeps its later work
    on a line (the colour filter, the cuts between widgets) in caches on the strip: a new strip
    starts them empty. A line drawn before is handed over as the same strip (the lists keep
    theirs), so that a repaint finds that work done. A card move repaints ~80 lines.
    """

    plain = False  # whether the widget is styled plainly, said before each render

    def render_line(
        self, styles, y, size, content_size, padding, base_background, background, render_content_line, *rest
    ):
        if not self.plain or y >= content_size.height:
            return super().render_line(
                styles,
                y,
                size,
                content_size,
                padding,
                base_background,
                background,
                render_content_line,
                *rest,
            )
        inner = self.get_inner_outer(base_background, background)[0].rich_style
        return render_content_line(y).adjust_cell_length(size.width, inner)


def use_plain_lines(widget: Widget) -> PlainLines:
    """Give a widget the cache above in place of Textual's own."""
    cache = widget._styles_cache = PlainLines()
    return cache


def styled_plainly(widget: Widget) -> bool:
    """Whether Textual's styling of the widget's lines would leave them as drawn (no padding,
    border, outline, tint, opacity, hatch or border title): ``PlainLines.plain``."""
    styles = widget.styles
    return (
        not any(styles.gutter)  # padding and border
        and not any(edge for edge, _ in styles.outline)
        and not styles.tint.a
        and widget.opacity == 1
        and styles.text_opacity == 1
        and (not styles.has_rule("hatch") or styles.hatch == "none")
        and widget._border_title is None
        and widget._border_subtitle is None
    )


def screen_lines(screen) -> list[Strip]:
    """Every line of a screen as it is drawn (for tests: what a user would read)."""
    return screen._compositor.render_strips()


def dirty_regions(widget: Widget) -> set:
    """The regions of a widget waiting to be drawn (for tests: what a key draws again)."""
    return widget._dirty_regions


def on_first_frame(app_class: type[App], then) -> None:
    """Call ``then(app)`` when an app of this class hands its first frame to the terminal
    (outside a start-up batch): the moment a user sees it (the bench measures it)."""
    display = app_class._display

    def first_frame(self, screen, renderable) -> None:
        display(self, screen, renderable)
        if renderable is not None and not self._batch_count and not getattr(self, "_painted", False):
            self._painted = True
            then(self)

    app_class._display = first_frame


__all__ = [
    "ChangedWidgetsCompositor",
    "ChopsWritten",
    "ContentWidthWithoutLayout",
    "DrawChangedWidgets",
    "DrawAfterBatch",
    "FocusWithoutRepaint",
    "KeysBeforeBindings",
    "KeysInOrder",
    "NewModeNotRestyled",
    "PlainLines",
    "ScrollRangeWithoutLayout",
    "SizedInLayout",
    "StylesKeptOnResume",
    "dirty_regions",
    "on_first_frame",
    "screen_lines",
    "styled_plainly",
    "use_plain_lines",
]
