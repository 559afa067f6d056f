"""The bottom line: the keys that work here, and the last thing that happened.

One widget drawing one line, rather than Textual's footer (a widget per key, rebuilt with a
layout pass whenever the keys change) and its toasts (each one mounted, laid out and later
removed, every time costing a whole-screen layout: some 50 ms per action at 10,000 cards).
Messages appear at the right end for a few seconds; when the line is too narrow for both, the
message takes the line and the keys come back after it.
"""

from __future__ import annotations

import time
from itertools import groupby
from typing import NamedTuple

from textual import events
from textual.content import Content
from textual.geometry import Region
from textual.markup import MarkupError
from textual.screen import Screen
from textual.strip import Strip
from textual.timer import Timer
from textual.visual import Visual
from textual.widgets import Static

from pipeline_tui.ui.format import printable
from pipeline_tui.ui.textual_internals import styled_plainly, use_plain_lines
from pipeline_tui.ui.widgets.quiet import update_if_changed

SEVERITY_STYLES = {"information": "bold $success", "warning": "bold $warning", "error": "bold $error"}
SECONDS_SHOWN = {"information": 4.0, "warning": 6.0, "error": 8.0}


class Message(NamedTuple):
    """What the app said last, and until when (``time.monotonic()``): the app keeps it, so that
    a view shown next (an action that ends on another screen) still says it."""

    text: Content
    severity: str
    until: float

    @classmethod
    def make(cls, message: str, severity: str, seconds: float | None, *, markup: bool) -> Message:
        message = printable(message)  # it may name a prospect: no control character may act
        text = Content(message)
        if markup:
            try:
                text = Content.from_markup(message)
            except MarkupError:
                pass  # a name with brackets in it: shown as typed
        style = SEVERITY_STYLES.get(severity, "bold")
        return cls(
            text.stylize_before(style), severity, time.monotonic() + (seconds or SECONDS_SHOWN[severity])
        )


class KeysFooter(Static):
    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self) -> None:
        super().__init__(markup=False)
        # each entry: the keys to press with how they are shown, and what they do
        self._keys: tuple[tuple[tuple[tuple[str, str], ...], str], ...] = ()
        self._spans: list[tuple[int, int, str]] = []  # where each key is drawn, for clicks
        self._message: Message | None = None
        self._message_timer: Timer | None = None
        # what the line shows: (keys, the gap after them, the message), see render_line
        self._parts: tuple[Content, int, Content | None] | None = None
        self._drawn_keys: dict[tuple, Strip] = {}  # the keys part drawn, by keys, width and look
        self._keys_made: tuple | None = None  # (keys, their text, where each is): _keys_line
        # its line is drawn styled (render_line): Textual's styling pass would add nothing to it
        # but its cost, on every message said (~0.15 ms)
        self._plain_lines = use_plain_lines(self)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_resize(self) -> None:
        self._draw()

    # -- what it shows ------------------------------------------------------------------------

    def _bindings_changed(self, screen: Screen) -> None:
        keys = tuple(self._shown_keys(screen))
        if keys != self._keys:
            self._keys = keys
            self._draw()

    def _shown_keys(self, screen: Screen):
        """The screen's shown bindings, one per action; a group's keys run together
        (``HL Move``) as Textual's compact footer shows them, each still its own key."""
        seen: dict[str, object] = {}
        for _, binding, enabled, _ in screen.active_bindings.values():
            if binding.show and enabled and binding.action not in seen:
                seen[binding.action] = binding
        for group, members in groupby(seen.values(), key=lambda binding: binding.group):
            members = list(members)
            if group is not None and len(members) > 1:
                yield tuple(self._key_of(binding) for binding in members), group.description
            else:
                for binding in members:
                    yield (self._key_of(binding),), binding.description

    def _key_of(self, binding) -> tuple[str, str]:
        return binding.key.split(",")[0], self.app.get_key_display(binding)

    def say(self, message: Message) -> None:
        """Show ``message`` at the right end of the line until its time is up."""
        left = message.until - time.monotonic()
        if left <= 0:
            return
        self._message = message
        if self._message_timer is not None:
            self._message_timer.stop()
        self._message_timer = self.set_timer(left, self._forget_message)
        self._draw()  # in the action's own frame: the columns it moved are all that is drawn with it

    @property
    def message(self) -> str:
        """The message shown now ("" when none): what a test or a screen reader would read."""
        return self._message.text.plain if self._message is not None else ""

    def _forget_message(self) -> None:
        self._message, self._message_timer = None, None
        self._draw()

    def _keys_line(self) -> tuple[Content, list[tuple[int, int, str]]]:
        """The keys as text, and where each key is drawn: made again only when the keys
        change (a message, said on every action, leaves them as they were)."""
        if self._keys_made is not None and self._keys_made[0] is self._keys:
            return self._keys_made[1], self._keys_made[2]
        parts: list = []
        spans: list[tuple[int, int, str]] = []
        x = 0
        for members, description in self._keys:
            x += 1  # the space before the keys
            for key, shown in members:
                spans.append((x, x + len(shown), key))
                x += len(shown)
            label = f"{description} "
            if len(members) == 1:  # a lone key's description presses it too
                spans[-1] = (spans[-1][0] - 1, x + 1 + len(label), members[0][0])
            keys = "".join(shown for _, shown in members)
            parts += [(f" {keys} ", "bold $footer-key-foreground"), (label, "$footer-description-foreground")]
            x += 1 + len(label)
        self._keys_made = (self._keys, Content.assemble(*parts), spans)
        return self._keys_made[1], spans

    def _draw(self) -> None:
        keys, spans = self._keys_line()
        self._spans = list(spans)
        width = self.size.width
        message = self._message.text if self._message is not None else None
        self._parts = None
        if message is None:
            content = keys
            self._parts = (keys, 0, None)
        elif keys.cell_length + 2 + message.cell_length + 1 <= width:
            gap = width - keys.cell_length - message.cell_length - 1
            content = Content.assemble(keys, " " * gap, message, " ")
            self._parts = (keys, gap, message)
        else:  # no room for both: the message, until it goes
            self._spans = []
            content = Content.assemble(" ", message)
        update_if_changed(self, content)

    def render_lines(self, crop: Region) -> list[Strip]:
        self._plain_lines.plain = styled_plainly(self)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        """The line as its parts drawn apart: the keys, drawn once for each set of them (they
        change with the screen's bindings), and the message (with each action), so that a
        message does not draw all the keys again."""
        if y or self._parts is None or not self.size.width:
            return super().render_line(y)
        keys, gap, message = self._parts
        style = self.visual_style
        width = self.size.width if message is None else keys.cell_length
        key = (self._keys, width, style, self.app.theme)
        drawn = self._drawn_keys.get(key)
        if drawn is None:
            if len(self._drawn_keys) > 8:
                self._drawn_keys.clear()
            drawn = self._drawn_keys[key] = self._draw_part(keys, width)
        if message is None:
            return drawn
        # each character says where it is in the text (by characters, as Textual counts to
        # select text)
        after = self._draw_part(message, message.cell_length)
        parts = [Strip.blank(gap, style.rich_style), after, Strip.blank(1, style.rich_style)]
        x = len(keys.plain)
        for at, part in enumerate(parts):
            parts[at], x = part.apply_offsets(x, 0), x + len(part.text)
        return Strip.join([drawn, *parts])

    def _draw_part(self, part: Content, width: int) -> Strip:
        strips = Visual.to_strips(self, part, width, 1, self.visual_style)
        return strips[0] if strips else Strip.blank(width, self.visual_style.rich_style)

    # -- mouse --------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return


def footer_of(screen: Screen) -> KeysFooter | None:
    """The footer of ``screen``, if it has one (dialogs do not)."""
    for widget in screen.children:
        if isinstance(widget, KeysFooter):
            return widget
    return None
