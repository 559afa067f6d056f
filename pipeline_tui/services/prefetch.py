"""Reading the board while the terminal interface starts.

Opening the TUI spends ~0.2 s importing Textual and setting it up, and at 10,000 open
prospects ~0.3 s of CPU reading and scoring the board. On a machine with two cores the two can
run at once. The board screen takes the result if it asks for the same board (same time,
pipeline, owner and settings); otherwise, or if the read failed, it reads as usual and sees the
error itself.

Two ways to read ahead:

- ``ForkedBoardPrefetch`` (Linux, SQLite): a child process forked before Textual is imported
  reads the board on the other core and sends it back through a pipe. A big board is cut
  into parts (the biggest stages, then slices of the others), which the child and the app
  take in turn from a queue: the child from the start, the app once Textual is up (it
  would otherwise sit waiting). Whichever is slower today, both cores work to the end and
  neither waits for the other longer than a part takes.
- ``BoardPrefetch`` (elsewhere: macOS, where forking a process is unsafe once system
  libraries are loaded; Windows, which cannot fork; PostgreSQL, whose connection is not ours to
  fork; an in-memory database; see ``_can_fork``): a thread, which overlaps only while SQLite
  or the server runs a query.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from dataclasses import replace
from datetime import datetime

from pipeline_tui.core.settings import Settings


def read_board_ahead(
    now: datetime, settings: Settings, pipeline: str | None, owner: str | None, location: str
) -> Prefetch | None:
    """Start reading the board the TUI will open on, in the best way this system allows (None
    when it cannot be read: the screen's own read then says why)."""
    if not _can_fork(location):
        return BoardPrefetch(now, settings, pipeline, owner)
    try:
        parts, counter = split_board(pipeline, owner)
    except Exception:  # noqa: BLE001 - the screen's own read reports it
        return None
    try:
        return ForkedBoardPrefetch(now, settings, pipeline, owner, parts, counter)
    except Exception:  # noqa: BLE001 - no process or pipe to be had (EAGAIN, ENOMEM): a thread will do
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


def _read(key: tuple, parts=None, read=None, **options):
    """(write counter, board) as one read transaction sees them: the counter says what the
    board shows, so a write that lands after it is noticed by the app's poll. ``read`` is
    ``views.board`` unless told (the app, reading parts beside the child, reads only their
    columns)."""
    from pipeline_tui.services import views
    from pipeline_tui.store.db import read_snapshot, revision

    with read_snapshot():
        return revision(), (read or views.board)(*key, parts=parts, **options)


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


# Below this many open cards the child reads the whole board: sharing it saves less than it costs.
SPLIT_FROM = 2_000
# The last cards are read in slices of a stage (~13 ms each: the most either side may wait
# for the other at the end); the stages before them whole, or in slices of at most PART_MOST
# cards: the memory a reader takes grows with its biggest part (the bench's board, PSS at the
# peak: 64.9-69.0 MiB with its 3,921-card stage whole, 63.3-65.6 with slices of 2,500 at
# most, 62.6-62.9 with 1,500), and each stage cut must be joined again at the end (~0.5 ms
# per 1,000 cards: 2,500 was the fastest of the three, within noise).
TAIL_SHARE = 0.2
SLICE_SIZE = 500
PART_MOST = 2_500


class ForkedBoardPrefetch(Prefetch):
    """The board read by a child process and sent back through a pipe: the columns of the
    parts it took, and all the rest (won, lost, quota, pipelines). The parts wait in a queue
    (a pipe holding one byte per part, which two readers cannot both get): the child takes
    them from the start, the app in ``take`` once it is free, each the next one left.

    The parent closes its database connection before forking (SQLite forbids using one
    connection in two processes, and even closing an inherited one in the child can upset the
    parent's locks); each side then opens its own. The child never returns into the caller's
    code: it leaves with ``os._exit`` whatever happens, so no buffer, atexit handler or
    terminal state of the parent is touched twice; Ctrl+C is held off while it forks, so that
    it lands in one process or the other inside code that expects it. The child sends each
    part as soon as it is read, as far as the pipe has room (enlarged to 1 MiB where the
    system allows it), and the app makes Cards of them between its own parts: once the queue is
    empty, the child's last part is all it has left to read back. The board is used only if
    the child said it all (the rest of the board comes last) and left with status 0, and if
    every read (the split's, the child's, the app's) saw the same write counter.
    """

    def __init__(
        self,
        now: datetime,
        settings: Settings,
        pipeline: str | None,
        owner: str | None,
        parts: list,
        revision: int,
    ) -> None:
        super().__init__(now, settings, pipeline, owner)
        from pipeline_tui.store import models

        self._parts = parts
        self._split_revision = revision
        models.database.obj.close()
        self._queue: int | None = _queue_of(len(parts))
        try:
            readable, writable = os.pipe()
        except OSError:
            os.close(self._queue)
            raise
        _enlarge(writable)  # room for more of the answer before the app starts reading it
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            self._pid = os.fork()
        except OSError:
            for end in (readable, writable, self._queue):
                os.close(end)
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            raise
        if self._pid == 0:  # the child
            os.close(readable)
            _send_board_and_exit(writable, self.key, _taken(self._queue, parts), held)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(writable)
        self._answer: int | None = readable
        self._unwire = _Unwire()

    def _result(self, key: tuple):
        from pipeline_tui.services.views import board_parts, join_columns

        def ours():  # the parts the child has not taken yet, and its answer so far between them
            for part in _taken(self._queue, self._parts):
                self._read_answer(wait=False)
                yield part

        try:
            # our parts while the child reads its own (which bring the rest of the board with
            # them: won, lost, quota, pipelines)
            mine = _read(key, ours(), board_parts)
            self._read_answer(wait=True)
        except Exception:  # noqa: BLE001 - the screen's own read reports it
            self.discard()
            return None
        if self._reap() not in (0, None):  # killed, or failed while writing
            return None
        try:
            revision, board = self._unwire.result()
        except Exception:  # noqa: BLE001 - nothing, or not all of it: the screen reads again
            return None
        if revision != self._split_revision or (mine[1] and mine[0] != revision):
            return None  # a write landed between the reads: they do not make one board
        self.revision = revision
        board.columns[:] = join_columns([*board.columns, *mine[1]])
        board.__post_init__()  # index the cards by id, once all are there
        return board

    def _read_answer(self, *, wait: bool) -> None:
        """Take in what the child has sent: all there is now, or (``wait``) all it will send."""
        os.set_blocking(self._answer, wait)
        try:
            while chunk := os.read(self._answer, PIPE_SIZE):
                self._unwire.feed(chunk)
        except BlockingIOError:
            pass  # nothing more for now

    def _reap(self) -> int | None:
        """Wait for the child to leave: its exit code (None if the system reaped it first)."""
        for end in (self._answer, self._queue):  # a child still writing gets a broken pipe
            if end is not None:
                os.close(end)
        self._answer = self._queue = None
        try:
            _, status = os.waitpid(self._pid, 0)
        except ChildProcessError:
            return None
        return os.waitstatus_to_exitcode(status)

    def discard(self) -> None:
        """Stop a read that will not be used, at once (it may have most of a second to go)."""
        if self._answer is None:
            return
        try:
            os.kill(self._pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._reap()


def _queue_of(count: int) -> int:
    """A queue of ``count`` parts (at most 256): a pipe holding each part's number as a byte,
    its writing end closed, so that a reader who finds it empty is told so at once (end of file)."""
    readable, writable = os.pipe()
    try:
        os.write(writable, bytes(range(count)))
    except BaseException:
        os.close(readable)
        raise
    finally:
        os.close(writable)
    return readable


def _taken(queue: int, parts: list):
    """The parts taken from ``queue`` one at a time, as the reader gets to them, till none is left."""
    while taken := os.read(queue, 1):
        yield parts[taken[0]]


def split_board(pipeline: str | None, owner: str | None) -> tuple[list, int]:
    """The parts of the board to read ahead, and the write counter they were counted at (a
    stage added later would be in none)."""
    from pipeline_tui.services.base import find_pipeline
    from pipeline_tui.store import queries
    from pipeline_tui.store.db import read_snapshot, revision

    with read_snapshot():
        counter = revision()
        counts = queries.open_counts(find_pipeline(pipeline).id, owner)
    return parts_of(counts), counter


def parts_of(counts: dict[int, int], size: int | None = None) -> list:
    """The parts of a board, in the order they are taken: the biggest stages (whole, or in
    slices of at most PART_MOST cards; by id: remainder r divided by n), then the last
    ``TAIL_SHARE`` of the cards or more in slices of about ``size`` cards (SLICE_SIZE), so that
    the two readers finish close together. A stage read whole needs no joining; each slice
    costs a few queries. A small board is one part. Every open stage is in one part or cut
    into several (an empty one too: its column is shown).
    More than 256 parts (a pipeline of hundreds of open stages) is one part, as a small board:
    the queue numbers its parts with a byte each."""
    parts = _parts_of(counts, size or SLICE_SIZE)
    return parts if len(parts) <= 256 else [(list(counts), None)]


def _parts_of(counts: dict[int, int], size: int) -> list:
    total = sum(counts.values())
    if total < SPLIT_FROM:
        return [(list(counts), None)]
    most = max(1, 256 // max(1, len(counts)))  # slices of a stage: a byte numbers every part
    head: list[tuple[list[int], tuple[int, int] | None]] = []  # (stages, id slice)
    tail: list[tuple[int, list[int], tuple[int, int] | None]] = []  # (cards, stages, id slice)
    small: list[int] = []
    left = total
    for stage in sorted(counts, key=counts.__getitem__, reverse=True):
        count = counts[stage]
        left -= count  # the cards in the stages after this one
        if left >= TAIL_SHARE * total:
            slices = min(-(-count // PART_MOST), most)
            head += [([stage], (r, slices) if slices > 1 else None) for r in range(slices)]
        elif (slices := min(round(count / size), most)) >= 2:
            tail += [(count // slices, [stage], (r, slices)) for r in range(slices)]
        elif count >= size // 2:
            tail.append((count, [stage], None))
        else:
            small.append(stage)
    if small:
        tail.append((sum(counts[stage] for stage in small), small, None))
    tail.sort(key=lambda part: -part[0])
    return head + [(stages, id_slice) for _, stages, id_slice in tail]


def _send_board_and_exit(fd: int, key: tuple, parts, held) -> None:
    """In the child: read, send, leave. Nothing it raises may escape into the parent's code."""
    status = 1
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # Ctrl+C may come now: caught below
        from pipeline_tui.store import models

        try:
            wire = _Wire(fd)  # each part sent as it is read, as far as the pipe has room
            data = wire.send(*_read(key, parts, each_part=wire.add))
        except Exception:  # noqa: BLE001 - no end to the answer: the parent reads again and reports it
            data = b""
        finally:
            models.database.obj.close()
        _write_all(fd, data)
        status = 0 if data else 1
    except BaseException:  # noqa: BLE001 - a closed pipe (the parent let go), Ctrl+C
        pass
    finally:
        os._exit(status)


# -- the board on the wire -------------------------------------------------------------------
# pickle spends ~1 µs on each NamedTuple and datetime: ~60 ms to send 10,000 cards and ~25 ms to
# read them back. Plain lists of strings and numbers go several times faster, so each column's
# cards travel field by field (one list per field, a follow-up's times as ISO text) and become
# Cards again at the other end; the rest of the board, a few small records and the open values,
# goes as it is, last. Each part is sent as soon as it is read, and read back by the app
# between its own parts: once the parts run out, the child's last part is all there is left
# to send and read back (the app waits for it then).

FOLLOW_UP = 9  # where a Card holds its next follow-up (checked by the round-trip test)
PIPE_SIZE = 1 << 20  # room for most of a big answer before the app reads (Linux's default most)
PART, END = b"P", b"E"  # an answer: parts, then the rest of the board; each as kind, length, data


def _enlarge(fd: int) -> None:
    """Make a pipe hold PIPE_SIZE bytes, if the system allows it (Linux: fcntl)."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except (ImportError, AttributeError, OSError):
        pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _record(kind: bytes, data: bytes) -> bytes:
    return kind + len(data).to_bytes(8, "big") + data


class _Wire:
    """A board sent a part's columns at a time, as the parts are read (to ``fd``; or kept, and
    sent with the rest of the board). What the pipe cannot take at once is kept too: the
    child must go on reading parts, not wait for the app to make room (it starts reading
    the pipe only once Textual is up; a big board's answer is more than the pipe holds)."""

    def __init__(self, fd: int | None = None) -> None:
        self._fd = fd
        self._kept: list[bytes] = []  # to send after the parts, in order
        if fd is not None:
            os.set_blocking(fd, False)
        self._texts: dict[tuple, str] = {}  # each moment written once (they repeat: see queries)

    def _text(self, moment: datetime) -> str:
        seen = (moment, moment.utcoffset())  # equal instants in two zones are two texts
        found = self._texts.get(seen)
        if found is None:
            found = self._texts[seen] = moment.isoformat()
        return found

    def add(self, columns) -> None:
        """Send these columns: each one bare, and its cards field by field."""
        text = self._text
        wired = []
        for column in columns:
            fields = list(zip(*column.cards, strict=True))  # field by field
            if fields:
                fields[FOLLOW_UP] = [
                    f and (f.id, f.prospect_id, f.kind, text(f.due), text(f.created), f.notes)
                    for f in fields[FOLLOW_UP]
                ]
            wired.append((column._replace(cards=[]), fields))
        record = _record(PART, pickle.dumps(wired, pickle.HIGHEST_PROTOCOL))
        if self._fd is not None and not self._kept:  # (nothing kept: the answer stays in order)
            try:
                record = record[os.write(self._fd, record) :]
            except BlockingIOError:
                pass  # the pipe is full
        if record:
            self._kept.append(record)

    def send(self, revision: int, board) -> bytes:
        """What is left to send: the parts kept, the board's own columns (``views.board`` handed
        them over part by part and kept none), and the rest of the board, last."""
        self.add(board.columns)
        bare = replace(board, columns=[], cards_by_id={})
        end = _record(END, pickle.dumps((revision, bare), pickle.HIGHEST_PROTOCOL))
        if self._fd is not None:
            os.set_blocking(self._fd, True)  # the rest is written whole, waiting for room
        return b"".join([*self._kept, end])


class _Unwire:
    """A board read back from what the child sends, its parts made Cards as they arrive."""

    def __init__(self) -> None:
        from pipeline_tui.core.dates import moment_reader

        self._buffer = bytearray()
        self._columns: list = []
        self._end: tuple | None = None  # (revision, the board without its columns), once sent
        self._moment = moment_reader()  # a moment's text parsed once (they repeat)

    def feed(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= 9:
            size = int.from_bytes(self._buffer[1:9], "big")
            if len(self._buffer) < 9 + size:
                return  # the rest of this record is still on its way
            kind, record = bytes(self._buffer[:1]), pickle.loads(self._buffer[9 : 9 + size])
            del self._buffer[: 9 + size]
            if kind == PART and self._end is None:
                self._columns += [self._column(*wired) for wired in record]
            elif kind == END and self._end is None:
                self._end = record
            else:
                raise ValueError("not an answer of the board's")

    def _column(self, column, fields):
        from pipeline_tui.core.domain import FollowUp
        from pipeline_tui.services.views import Card

        if fields:
            make, moment = tuple.__new__, self._moment
            fields[FOLLOW_UP] = [
                f and make(FollowUp, (f[0], f[1], f[2], moment(f[3]), moment(f[4]), f[5]))
                for f in fields[FOLLOW_UP]
            ]
            column.cards.extend(make(Card, card) for card in zip(*fields, strict=True))
        return column

    def result(self):
        """(revision, board): its cards not indexed by id yet (see ForkedBoardPrefetch._result)."""
        if self._end is None or self._buffer:
            raise ValueError("the board arrived cut off")
        revision, board = self._end
        board.columns.extend(self._columns)
        return revision, board


def _board_to_wire(revision: int, board) -> bytes:
    return _Wire().send(revision, board)


def _board_from_wire(data: bytes):
    unwire = _Unwire()
    unwire.feed(data)
    return unwire.result()
