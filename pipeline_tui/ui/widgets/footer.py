"""The bottom line: the keys that work here, and the last thing that happened.

One widget drawing one line, rather than Textual's footer (a widget per key, rebuilt with a
layout pass whenever the keys change) and its toasts (each one mounted, laid out and later
removed, every time costing a whole-screen layout: some 50 ms per action at 10,000 cards).
Messages appear at the right end for a few seconds; when the line is too narrow for both, the
message takes the line and the keys come back after it.
"""

from __future__ import annotations

from itertools import groupby

from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

SEVERITY_STYLES = {"information": "bold $success", "warning": "bold $warning", "error": "bold $error"}
SECONDS_SHOWN = {"information": 4.0, "warning": 6.0, "error": 8.0}


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
        self._keys: tuple[tuple[str, str, str], ...] = ()  # (key to press, as shown, description)
        self._spans: list[tuple[int, int, str]] = []  # where each key is drawn, for clicks
        self._message: Content | None = None
        self._message_timer: Timer | None = None

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
        (``HL Move``) as Textual's compact footer shows them."""
        seen: dict[str, object] = {}
        for _, binding, enabled, _ in screen.active_bindings.values():
            if binding.show and enabled and binding.action not in seen:
                seen[binding.action] = binding
        for group, members in groupby(seen.values(), key=lambda binding: binding.group):
            members = list(members)
            if group is not None and len(members) > 1:
                shown = "".join(self.app.get_key_display(binding) for binding in members)
                yield members[0].key.split(",")[0], shown, group.description
            else:
                for binding in members:
                    yield binding.key.split(",")[0], self.app.get_key_display(binding), binding.description

    def say(self, message: str, severity: str = "information") -> None:
        """Show ``message`` at the right end of the line for a few seconds."""
        self._message = Content.styled(message, SEVERITY_STYLES.get(severity, "bold"))
        if self._message_timer is not None:
            self._message_timer.stop()
        self._message_timer = self.set_timer(SECONDS_SHOWN.get(severity, 4.0), self._forget_message)
        # In the frame after the action's own: Textual redraws the box around everything changed
        # in a frame, and this line with two columns would make that box the whole screen.
        self.call_after_refresh(self._draw)

    @property
    def message(self) -> str:
        """The message shown now ("" when none): what a test or a screen reader would read."""
        return self._message.plain if self._message is not None else ""

    def _forget_message(self) -> None:
        self._message, self._message_timer = None, None
        self._draw()

    def _draw(self) -> None:
        parts: list = []
        self._spans = []
        x = 0
        for key, shown, description in self._keys:
            part, label = f" {shown} ", f"{description} "
            self._spans.append((x, x + len(part) + len(label), key))
            parts += [(part, "bold $footer-key-foreground"), (label, "$footer-description-foreground")]
            x += len(part) + len(label)
        keys = Content.assemble(*parts)
        width = self.size.width
        if self._message is None:
            content = keys
        elif keys.cell_length + 2 + self._message.cell_length + 1 <= width:
            gap = width - keys.cell_length - self._message.cell_length - 1
            content = Content.assemble(keys, " " * gap, self._message, " ")
        else:  # no room for both: the message, until it goes
            self._spans = []
            content = Content.assemble(" ", self._message)
        if not (isinstance(self.content, Content) and self.content.is_same(content)):
            self.update(content, layout=False)

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
