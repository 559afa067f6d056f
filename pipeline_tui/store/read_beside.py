"""A read run beside the caller's: on a SQLite file, in a second thread on its own connection,
so that the database works on it on the second core while the caller reads something else
(Python's sqlite3 lets other threads run while SQLite steps).

The caller must be in a read transaction (``store.db.read_snapshot``). The second connection
reads in its own, and its result is taken only if both saw the same write counter
(``store.db.revision``; every write the app counts bumps it): otherwise the read runs again
on the caller's connection, so that what it returns is always of the caller's state. Writes
the app does not count (the stored scores and advice, the search index) change nothing that
a read beside may read. On a server the read runs on the caller's connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from pipeline_tui.store import models
from pipeline_tui.store.db import is_sqlite, revision, thread_connection

T = TypeVar("T")


class ReadBeside(Generic[T]):
    """``read()`` under way beside the caller; :meth:`result` gives it as of the caller's state."""

    def __init__(self, read: Callable[[], T]):
        self._read = read
        self._seen = revision()  # the caller's snapshot is taken by now, if not before
        self._found: tuple[int, T] | None = None
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="read-beside", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with thread_connection(), models.database.obj.atomic():
                seen = revision()
                self._found = (seen, self._read())
        except BaseException as exc:  # said by the caller, in its thread
            self._failed = exc

    def result(self) -> T:
        """What ``read()`` returns in the caller's read transaction."""
        self._thread.join()
        if self._failed is not None:
            raise self._failed
        assert self._found is not None
        seen, found = self._found
        if seen != self._seen:  # a write came between the two snapshots: read it again here
            return self._read()
        return found


class ReadHere(Generic[T]):
    """``read()`` on the caller's connection, when it is asked for."""

    def __init__(self, read: Callable[[], T]):
        self._read = read

    def result(self) -> T:
        return self._read()


def read_beside(read: Callable[[], T]) -> ReadBeside[T] | ReadHere[T]:
    """Start ``read`` beside the caller (a SQLite file) or keep it for later (anything else);
    ``.result()`` gives what it reads as of the caller's read transaction."""
    db = models.database.obj
    if is_sqlite(db) and db.database != ":memory:":
        return ReadBeside(read)
    return ReadHere(read)
