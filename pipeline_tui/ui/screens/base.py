"""The screen the app's views share."""

from __future__ import annotations

from pipeline_tui.ui.textual_internals import DrawAfterBatch, FocusWithoutRepaint, StylesKeptOnResume
from pipeline_tui.ui.widgets.footer import footer_of


class ViewScreen(DrawAfterBatch, StylesKeptOnResume, FocusWithoutRepaint):
    """A full-window view (board, agenda, report): drawn once its start-up batch is over,
    restyled only after a theme change, not repainted whole when focus moves (see
    :mod:`pipeline_tui.ui.textual_internals`)."""

    # Textual redraws, in one frame, the rectangle around everything that changed. A view whose
    # actions change a narrow part of it (the board: two columns) says its messages in a frame
    # of their own; else the footer line would stretch that rectangle to the whole screen.
    message_in_own_frame = False

    def on_shown_again(self) -> None:
        footer = footer_of(self)
        if footer is not None and self.app.last_message is not None:
            footer.say(self.app.last_message)  # said on the way here (if still current)
