"""Reading the board in a thread while the terminal interface starts.

Opening the TUI spends ~0.2 s importing Textual and setting it up, and at 10,000 open
prospects ~0.4 s reading and scoring the board. SQLite runs its queries without holding
Python's lock, so on a machine with two cores a board read begun first overlaps the start-up.
The board screen takes the result if it asks for the same board (same time, pipeline, owner
and settings); otherwise, or if the read failed, it reads as usual and sees the error itself.
"""

from __future__ import annotations

import threading
from datetime import datetime

from pipeline_tui.core.settings import Settings


class BoardPrefetch:
    def __init__(self, now: datetime, settings: Settings, pipeline: str | None, owner: str | None) -> None:
        self.key = (now, settings, pipeline, owner)
        self._board = None
        self.revision: int | None = None  # the write counter before the read: what it shows
        self._thread = threading.Thread(target=self._read, name="board-prefetch", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        from pipeline_tui.services.views import board
        from pipeline_tui.store.db import revision, thread_connection

        with thread_connection():
            try:
                self.revision = revision()  # a write after this one is noticed by the app's poll
                self._board = board(*self.key)
            except Exception:  # noqa: BLE001 - the screen's own read reports it
                self._board = None

    def take(self, now: datetime, settings: Settings, pipeline: str | None, owner: str | None):
        """The board read ahead, once, if it is the one asked for (waiting for it to finish:
        it started first); else None. ``revision`` then says what it shows."""
        if (now, settings, pipeline, owner) != self.key:
            return None
        self._thread.join()
        board, self._board, self.key = self._board, None, None
        return board
