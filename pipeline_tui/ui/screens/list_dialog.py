"""A titled list in a box with its key line under it: the frame the people list and the stage
editor share, so that they look and move alike."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static

from pipeline_tui.ui.format import printable
from pipeline_tui.ui.key_hints import key_line


class ListDialog(ModalScreen[bool]):
    """Dismissed with whether anything changed; subclasses give BINDINGS, HINTS and the title."""

    DEFAULT_CSS = """
    ListDialog { align: center middle; }
    ListDialog > Vertical {
        width: 80; max-width: 100%; height: auto; max-height: 100%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    ListDialog .title { text-style: bold; color: $accent; }
    ListDialog OptionList { height: auto; max-height: 16; border: none; }
    ListDialog .keys { color: $text-muted; }
    """

    HINTS: list = []
    LIST_ID = "items"

    def __init__(self) -> None:
        super().__init__()
        self.changed = False

    def title_text(self) -> str:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(printable(self.title_text()), classes="title", markup=False)
            yield OptionList(id=self.LIST_ID)
            yield Static(key_line(self.HINTS, self.app.settings.keys), classes="keys", markup=False)

    def action_cursor(self, step: int) -> None:
        listing = self.query_one(OptionList)
        listing.action_cursor_down() if step > 0 else listing.action_cursor_up()

    def action_close(self) -> None:
        self.dismiss(self.changed)
