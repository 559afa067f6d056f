"""Reading the board while the terminal interface starts.

Opening the TUI spends ~0.2 s importing Textual and setting it up, and at 10,000 open
prospects ~0.3 s of CPU reading and scoring the board. On a machine with two cores the two can
run at once. The board screen takes the result if it asks for the same board (same time,
pipeline, owner and settings); otherwise, or if the read failed, it reads as usual and sees the
error itself.

Two ways to read ahead:

- ``ForkedBoardPrefetch`` (Linux, SQLite): a child process forked before Textual is imported
  reads the board on the other core and sends it back through a pipe. A big board is split
  by stage: the child reads about two thirds of the cards, and the app reads the rest itself
  once Textual is up (it would otherwise sit waiting), so both cores work to the end.
- ``BoardPrefetch`` (elsewhere: macOS, where forking a process is unsafe once system
  libraries are loaded; Windows, which cannot fork; PostgreSQL, whose connection is not ours to
  fork; an in-memory database; see ``_can_fork``): a thread, which overlaps only while SQLite
  or the server runs a query.
"""

from __future__ import annotations

import marshal
import os
import pickle
import signal
import sys
import threading
from dataclasses import replace
from datetime import datetime
from itertools import combinations

from pipeline_tui.core.settings import Settings


def read_board_ahead(
    now: datetime, settings: Settings, pipeline: str | None, owner: str | None, location: str
) -> Prefetch | None:
    """Start reading the board the TUI will open on, in the best way this system allows (None
    when it cannot be read: the screen's own read then says why)."""
    if not _can_fork(location):
        return BoardPrefetch(now, settings, pipeline, owner)
    try:
        split = split_board(pipeline, owner)
    except Exception:  # noqa: BLE001 - the screen's own read reports it
        return None
    try:
        return ForkedBoardPrefetch(now, settings, pipeline, owner, *split)
    except OSError:  # no process or pipe to be had (EAGAIN, ENOMEM): a thread will do
        return BoardPrefetch(now, settings, pipeline, owner)


def _can_fork(location: str) -> bool:
    """A child can read the board: on Linux (see the module's docstring), from a database file
    (an in-memory one is this process's alone; a server's connection is not ours to fork), and
    while this process reaps its own children (a launcher may leave SIGCHLD ignored, and then
    the kernel reaps them: the child's pid could be another process's by the time it is
    waited for)."""
    return (
        sys.platform.startswith("linux")
        and "://" not in location
        and location not in ("", ":memory:")
        and not location.startswith("file:")
        and signal.getsignal(signal.SIGCHLD) != signal.SIG_IGN
    )


class Prefetch:
    """What both ways share: the board asked for, handed over once."""

    def __init__(self, now: datetime, settings: Settings, pipeline: str | None, owner: str | None) -> None:
        self.key = (now, settings, pipeline, owner)
        self.revision: int | None = None  # the write counter before the read: what it shows

    def take(self, now: datetime, settings: Settings, pipeline: str | None, owner: str | None):
        """The board read ahead, once, if it is the one asked for (waiting for it to finish:
        it started first); else None. ``revision`` then says what it shows."""
        if (now, settings, pipeline, owner) != self.key:
            self.discard()
            return None
        key, self.key = self.key, None
        return self._result(key)

    def _result(self, key: tuple):
        raise NotImplementedError

    def discard(self) -> None:
        """Let go of a read that will not be used."""


def _read(key: tuple, stage_ids=None, read=None):
    """(write counter, board) as one read transaction sees them: the counter says what the
    board shows, so a write that lands after it is noticed by the app's poll. ``read`` is
    ``views.board`` unless told (the app, reading its part beside the child, reads only the
    columns of its stages)."""
    from pipeline_tui.services import views
    from pipeline_tui.store.db import read_snapshot, revision

    with read_snapshot():
        return revision(), (read or views.board)(*key, stage_ids=stage_ids)


class BoardPrefetch(Prefetch):
    """The board read in a thread of this process."""

    def __init__(self, now: datetime, settings: Settings, pipeline: str | None, owner: str | None) -> None:
        super().__init__(now, settings, pipeline, owner)
        self._board = None
        self._thread = threading.Thread(
            target=self._read, args=(self.key,), name="board-prefetch", daemon=True
        )
        self._thread.start()

    def _read(self, key: tuple) -> None:
        from pipeline_tui.store.db import thread_connection

        with thread_connection():
            try:
                self.revision, self._board = _read(key)
            except Exception:  # noqa: BLE001 - the screen's own read reports it
                self._board = None

    def _result(self, key: tuple):
        self._thread.join()
        board, self._board = self._board, None
        return board


# Below this many open cards the child reads the whole board: splitting saves less than it costs.
SPLIT_FROM = 2_000
# The child's share of the cards when split: it starts ~0.13 s before the app is free to read.
CHILD_SHARE = 0.65


class ForkedBoardPrefetch(Prefetch):
    """The board read by a child process and sent back through a pipe: the ``there`` stages'
    columns and all the rest (won, lost, quota, pipelines); the app reads the columns of the
    ``here`` stages in ``take`` meanwhile (none, for a small board).

    The parent closes its database connection before forking (SQLite forbids using one
    connection in two processes, and even closing an inherited one in the child can upset the
    parent's locks); each side then opens its own. The child never returns into the caller's
    code: it leaves with ``os._exit`` whatever happens, so no buffer, atexit handler or
    terminal state of the parent is touched twice; Ctrl+C is held off while it forks, so that
    it lands in one process or the other inside code that expects it. The board is used only
    if the child said it all (its length first) and left with status 0, and if every read
    (the split's, the child's, the app's) saw the same write counter.
    """

    def __init__(
        self,
        now: datetime,
        settings: Settings,
        pipeline: str | None,
        owner: str | None,
        there: list[int],
        here: list[int],
        revision: int,
    ) -> None:
        super().__init__(now, settings, pipeline, owner)
        from pipeline_tui.store import models

        self._here = here
        self._split_revision = revision
        models.database.obj.close()
        readable, writable = os.pipe()
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self._pid = os.fork()
        except OSError:
            os.close(readable)
            os.close(writable)
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            raise
        if self._pid == 0:  # the child
            os.close(readable)
            _send_board_and_exit(writable, self.key, there, held)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(writable)
        self._pipe = os.fdopen(readable, "rb")

    def _result(self, key: tuple):
        from pipeline_tui.services.views import board_columns

        try:
            # our stages' columns while the child reads its part (which brings the rest of
            # the board with it: won, lost, quota, pipelines)
            mine = _read(key, self._here, board_columns) if self._here else None
            data = self._pipe.read()
        except Exception:  # noqa: BLE001 - the screen's own read reports it
            self.discard()
            return None
        if self._reap() not in (0, None):  # killed, or failed while writing
            return None
        try:
            revision, board = _board_from_wire(data)
        except Exception:  # noqa: BLE001 - nothing, or not all of it: the screen reads again
            return None
        if revision != self._split_revision or (mine is not None and mine[0] != revision):
            return None  # a write landed between the reads: they do not make one board
        self.revision = revision
        if mine is not None:
            board.columns.extend(mine[1])
            board.columns.sort(key=lambda column: (column.stage.position, column.stage.id))
        board.__post_init__()  # index the cards by id, once all are there
        return board

    def _reap(self) -> int | None:
        """Wait for the child to leave: its exit code (None if the system reaped it first)."""
        self._pipe.close()  # a child still writing gets a broken pipe
        try:
            _, status = os.waitpid(self._pid, 0)
        except ChildProcessError:
            return None
        return os.waitstatus_to_exitcode(status)

    def discard(self) -> None:
        """Stop a read that will not be used, at once (it may have most of a second to go)."""
        if self._pipe.closed:
            return
        try:
            os.kill(self._pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._reap()


def split_board(pipeline: str | None, owner: str | None) -> tuple[list[int], list[int], int]:
    """The open stages the child reads, those the app reads (none, for a small board), and the
    write counter they were counted at (a stage added later would be in neither)."""
    from pipeline_tui.services.base import find_pipeline
    from pipeline_tui.store import queries
    from pipeline_tui.store.db import read_snapshot, revision

    with read_snapshot():
        counter = revision()
        counts = queries.open_counts(find_pipeline(pipeline).id, owner)
    if sum(counts.values()) < SPLIT_FROM or len(counts) < 2:
        return list(counts), [], counter
    there = child_part(counts, CHILD_SHARE)
    return [s for s in counts if s in there], [s for s in counts if s not in there], counter


def child_part(counts: dict[int, int], share: float) -> set[int]:
    """The stages whose cards add up closest to ``share`` of all (at least one stage, and not
    all of them): every choice for a pipeline of up to 12 open stages, else the biggest first."""
    target = share * sum(counts.values())
    stages = list(counts)
    if len(stages) <= 12:
        choices = (set(c) for size in range(1, len(stages)) for c in combinations(stages, size))
        return min(choices, key=lambda part: abs(sum(counts[s] for s in part) - target))
    part: set[int] = set()
    total = 0
    for stage in sorted(stages, key=counts.__getitem__, reverse=True)[:-1]:
        if not part or total + counts[stage] <= target:
            part.add(stage)
            total += counts[stage]
    return part


def _send_board_and_exit(fd: int, key: tuple, stage_ids: list[int], held) -> None:
    """In the child: read, send, leave. Nothing it raises may escape into the parent's code."""
    status = 1
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # Ctrl+C may come now: caught below
        from pipeline_tui.store import models

        try:
            data = _board_to_wire(*_read(key, stage_ids))
        except Exception:  # noqa: BLE001 - an empty answer: the parent reads again and reports it
            data = b""
        finally:
            models.database.obj.close()
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(data)
        status = 0 if data else 1
    except BaseException:  # noqa: BLE001 - a closed pipe (the parent let go), Ctrl+C
        pass
    finally:
        os._exit(status)


# -- the board on the wire -------------------------------------------------------------------
# pickle spends ~1 µs on each NamedTuple and datetime: ~60 ms to send 10,000 cards and ~25 ms to
# read them back. marshal writes lists of strings and numbers in a few ms, so each column's cards
# travel field by field (one list per field, a follow-up's times as ISO text) and become Cards
# again at the other end; the rest of the board, a few small records and the open values, goes
# by pickle. For the bench's 7,800 cards: 23 -> 12 ms to send, 13 -> 8 ms to read back.

FOLLOW_UP = 9  # where a Card holds its next follow-up (checked by the round-trip test)


def _board_to_wire(revision: int, board) -> bytes:
    bare = replace(board, columns=[column._replace(cards=[]) for column in board.columns], cards_by_id={})
    texts: dict[tuple, str] = {}  # each moment written once (they repeat: see queries)

    def text(moment: datetime) -> str:
        seen = (moment, moment.utcoffset())  # equal instants in two zones are two texts
        found = texts.get(seen)
        if found is None:
            found = texts[seen] = moment.isoformat()
        return found

    columns = []
    for column in board.columns:
        fields = list(zip(*column.cards, strict=True))  # field by field
        if fields:
            fields[FOLLOW_UP] = [
                f and (f.id, f.prospect_id, f.kind, text(f.due), text(f.created), f.notes)
                for f in fields[FOLLOW_UP]
            ]
        columns.append(fields)
    data = marshal.dumps((revision, pickle.dumps(bare, pickle.HIGHEST_PROTOCOL), columns))
    return len(data).to_bytes(8, "big") + data  # its length first: a cut-off answer is told


def _board_from_wire(data: bytes):
    from pipeline_tui.core.dates import moment_reader
    from pipeline_tui.core.domain import FollowUp
    from pipeline_tui.services.views import Card

    if len(data) < 8 or int.from_bytes(data[:8], "big") != len(data) - 8:
        raise ValueError("the board arrived cut off")
    revision, bare, columns = marshal.loads(memoryview(data)[8:])
    board = pickle.loads(bare)
    make = tuple.__new__
    moment = moment_reader()  # a moment's text parsed once (they repeat)

    for column, fields in zip(board.columns, columns, strict=True):
        if fields:
            fields[FOLLOW_UP] = [
                f and make(FollowUp, (f[0], f[1], f[2], moment(f[3]), moment(f[4]), f[5]))
                for f in fields[FOLLOW_UP]
            ]
            column.cards.extend(make(Card, card) for card in zip(*fields, strict=True))
    return revision, board  # its cards not indexed by id yet: see ForkedBoardPrefetch._result
