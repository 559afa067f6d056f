"""Keys help (``?``): every key by screen, read from the bindings themselves so it never lags."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

DATE_HELP = "Dates: tomorrow 10:00 · +3d · in 2 weeks · next tue · fri 14:00 · 2026-12-01 09:30"


def _key_text(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    return " ".join(
        k.replace("shift+", "⇧").replace("left", "←").replace("right", "→") for k in binding.key.split(",")
    )


def keys_content(sections: list[tuple[str, list[Binding]]]) -> Content:
    parts: list = []
    for title, bindings in sections:
        parts.append((f"{title}\n", "bold $accent"))
        for binding in bindings:
            if not binding.description:
                continue
            parts += [(f"  {_key_text(binding):<16}", "bold"), f"{binding.description}\n"]
        parts.append("\n")
    parts.append((DATE_HELP + "\n", "dim"))
    return Content.assemble(*parts)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss_help", "Close", show=False),
        Binding("j", "scroll_help(1)", "Down", show=False),  # as in every list here
        Binding("k", "scroll_help(-1)", "Up", show=False),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 2;
    }
    HelpScreen #help-title { text-style: bold; margin-bottom: 1; }
    """

    def __init__(self, sections: list[tuple[str, list[Binding]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("Keys  (esc closes)", id="help-title", markup=False)
            yield Static(keys_content(self.sections), markup=False)

    def action_scroll_help(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)
