"""The screen the app's views share."""

from __future__ import annotations

from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget


class ViewScreen(Screen):
    """A full-window view (board, agenda, report).

    Textual repaints the whole screen whenever focus moves, although it restyles the widgets
    that gain and lose focus (and their ``:focus-within`` ancestors) itself. On a board with
    10,000 cards that whole-screen repaint made every column change and card move cost ~50 ms;
    without it only the restyled widgets are redrawn.
    """

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
