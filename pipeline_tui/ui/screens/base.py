"""The screen the app's views share."""

from __future__ import annotations

from textual import events
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget

from pipeline_tui.ui.widgets.footer import footer_of


class ViewScreen(Screen):
    """A full-window view (board, agenda, report).

    Textual repaints the whole screen whenever focus moves, although it restyles the widgets
    that gain and lose focus (and their ``:focus-within`` ancestors) itself. On a board with
    10,000 cards that whole-screen repaint made every column change and card move cost ~50 ms;
    without it only the restyled widgets are redrawn.
    """

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    _styled_for: tuple | None = None  # the theme this screen's widgets were last styled for

    # Textual redraws, in one frame, the rectangle around everything that changed. A view whose
    # actions change a narrow part of it (the board: two columns) says its messages in a frame
    # of their own; else the footer line would stretch that rectangle to the whole screen.
    message_in_own_frame = False

    def _compositor_refresh(self) -> None:
        """Draw no frame that Textual would throw away. Inside a batch of updates (the app
        starting, screens closing) Textual lays the screen out, draws it and then drops the
        drawing: at start-up, the whole board drawn once for nothing (~10 ms at 10,000 cards).
        The screen is drawn whole once the batch is over instead (Textual 8.2.8's private
        names: a later Textual without them draws as before)."""
        if getattr(self.app, "_batch_count", 0):
            self._repaint_required = True  # the first idle moment after the batch draws it
            return
        super()._compositor_refresh()

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Coming back to a view (keys 1 2 3), Textual restyles every widget on it in case the
        CSS changed meanwhile: ~7 ms at 120×40. Only a theme change does that here (classes
        set on a hidden screen restyle their widgets at once), so restyle only after one."""
        styled_for = (self.app.theme, self.app.ansi_color)
        # Shown for the first time, its widgets were styled as they mounted, just now (with
        # this theme: the app sets it before the first screen): ~12 ms of a 0.3 s start-up.
        if self._styled_for in (None, styled_for):
            event.refresh_styles = False
        self._styled_for = styled_for
        # No super() call: Textual calls the handler of every class in the MRO, Screen's next.
        footer = footer_of(self)
        if footer is not None and self.app.last_message is not None:
            footer.say(self.app.last_message)  # said on the way here (if still current)
