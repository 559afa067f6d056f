"""Keys help (``?``): every key by screen, read from the bindings themselves so it never lags."""

from __future__ import annotations

from typing import NamedTuple

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from pipeline_tui.keymap import shown as key_as_typed

# what every date field takes, in short (README "Dates" has it all): three lines that fit the
# wide help's right column, so that the help still shows every key at once at 120×40
DATE_HELP = "\n".join(
    [
        "Dates  tomorrow 10:00 · fri afternoon · next tue",
        "  next week · end of month · 2026-12-01 · 25/04/2026",
        "  +3d: at 09:00 unless a time follows · +2h: exact",
    ]
)


KEY_NAMES = {"left": "←", "right": "→", "up": "↑", "down": "↓", "pageup": "PgUp", "pagedown": "PgDn"}
KEY_NAMES |= {"escape": "esc", "delete": "del", "question_mark": "?"}


class Line(NamedTuple):
    """A line of the help that is no one binding (keys of several, or Textual's own)."""

    key: str
    description: str
    key_display: str | None = None


def _key_text(binding: Binding | Line) -> str:
    if binding.key_display:
        return binding.key_display
    return " ".join(_key_name(key) for key in binding.key.split(","))


def _key_name(key: str) -> str:
    modifier, _, name = key.rpartition("+")
    shown = {"shift": "⇧", "ctrl": "^"}.get(modifier, f"{modifier}+" if modifier else "")
    return shown + KEY_NAMES.get(name, key_as_typed(name))


def keys_content(sections: list[tuple[str, list[Binding | Line]]], *, dates: bool = True) -> Content:
    parts: list = []
    for number, (title, bindings) in enumerate(sections, 1):
        parts.append((f"{title}\n", "bold $accent"))
        shown = [binding for binding in bindings if binding.description]
        width = max((len(_key_text(binding)) for binding in shown), default=0) + 2
        for binding in shown:
            parts += [(f"  {_key_text(binding):<{width}}", "bold"), f"{binding.description}\n"]
        if number < len(sections) or dates:  # no blank line closing a column: 120x40 has none spare
            parts.append("\n")
    if dates:
        parts.append((DATE_HELP, "dim"))
    return Content.assemble(*parts)


class HelpScreen(ModalScreen[None]):
    """Every key, by screen: in two columns where the terminal is wide enough to show them all
    at once, else in one that scrolls (j and k)."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss_help", "Close", show=False, id="help.close"),
        Binding("j", "scroll_help(1)", "Down", show=False, id="help.down"),  # as in every list here
        Binding("k", "scroll_help(-1)", "Up", show=False, id="help.up"),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (116, "-wide")]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 2;
    }
    HelpScreen.-wide > VerticalScroll { width: 116; }
    HelpScreen #help-columns { height: auto; layout: vertical; }
    HelpScreen.-wide #help-columns { layout: horizontal; }
    HelpScreen #help-columns > Static { width: 1fr; height: auto; }
    HelpScreen.-wide #help-columns > Static { width: 56; }
    HelpScreen #help-title { text-style: bold; margin-bottom: 1; }
    """

    def __init__(self, sections: list[tuple[str, list[Binding | Line]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        half = 2  # everywhere and the board; then the other views, the pane and the palette
        with VerticalScroll():
            yield Static("Keys  (esc closes)", id="help-title", markup=False)
            with Horizontal(id="help-columns"):
                yield Static(keys_content(self.sections[:half], dates=False), markup=False)
                yield Static(keys_content(self.sections[half:]), markup=False)

    def text(self) -> str:
        """Every key and what it does, as shown (both columns)."""
        return "\n".join(static.content.plain for static in self.query("#help-columns > Static"))

    def action_scroll_help(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
