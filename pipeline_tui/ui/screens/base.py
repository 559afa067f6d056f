"""The screen the app's views share."""

from __future__ import annotations

from pipeline_tui.ui.textual_internals import (
    DrawAfterBatch,
    DrawChangedWidgets,
    FocusWithoutRepaint,
    StylesKeptOnResume,
)
from pipeline_tui.ui.widgets.footer import footer_of


class ViewScreen(DrawAfterBatch, StylesKeptOnResume, FocusWithoutRepaint, DrawChangedWidgets):
    """A full-window view (board, agenda, report): drawn once its start-up batch is over,
    restyled only after a theme change, not repainted whole when focus moves, and each frame
    drawing only the widgets that changed (see :mod:`pipeline_tui.ui.textual_internals`)."""

    def on_shown_again(self) -> None:
        footer = footer_of(self)
        if footer is not None and self.app.last_message is not None:
            footer.say(self.app.last_message)  # said on the way here (if still current)
