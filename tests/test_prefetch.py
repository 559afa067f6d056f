"""Reading the board ahead in a child process (``services.prefetch``): the board handed over
is the board ``views.board`` reads, in one piece or in parts shared by the child and the app,
and the child is always reaped."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from datetime import timedelta

import pytest

from pipeline_tui.core.settings import Settings
from pipeline_tui.services import prefetch, views
from pipeline_tui.services.prefetch import (
    BoardPrefetch,
    ForkedBoardPrefetch,
    parts_of,
    read_board_ahead,
    split_board,
)
from pipeline_tui.store.db import revision

SETTINGS = Settings()

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the child is forked on Linux")


@pytest.fixture
def demo(db, db_path, now):  # db_path: SQLite only (a server connection is not forked)
    from pipeline_tui.io.demo import build_demo
    from pipeline_tui.services.importing import write_demo

    write_demo(build_demo(now, 120), now)
    return str(db_path)


def parts_the_app_reads(monkeypatch) -> list:
    """The parts the app takes from the queue in take(), as it takes them (the list fills)."""
    taken: list = []
    board_parts = views.board_parts

    def counting(*args, parts, **kwargs):
        def each():
            for part in parts:
                taken.append(part)
                yield part

        return board_parts(*args, parts=each(), **kwargs)

    monkeypatch.setattr(views, "board_parts", counting)
    return taken


def reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_a_small_board_is_read_whole_by_the_child(demo, now):
    parts, _ = split_board(None, None)
    assert len(parts) == 1, "under SPLIT_FROM cards the board is one part"
    ahead = read_board_ahead(now, SETTINGS, None, None, demo)
    assert isinstance(ahead, ForkedBoardPrefetch)
    board = ahead.take(now, SETTINGS, None, None)
    assert board == views.board(now, SETTINGS)
    assert board.cards_by_id == views.board(now, SETTINGS).cards_by_id
    assert ahead.revision == revision()
    assert reaped(ahead._pid)
    assert ahead.take(now, SETTINGS, None, None) is None, "handed over once"


def test_a_big_board_is_read_in_parts_that_make_the_whole(demo, now, monkeypatch):
    monkeypatch.setattr(prefetch, "SPLIT_FROM", 2)
    monkeypatch.setattr(prefetch, "TAIL_SHARE", 1.0)  # every stage cut into slices of ~5 cards
    monkeypatch.setattr(prefetch, "SLICE_SIZE", 5)
    parts, _ = split_board(None, None)
    whole = views.board(now, SETTINGS)
    assert {stage for stages, _ in parts for stage in stages} == {column.stage.id for column in whole.columns}
    assert any(id_slice for _, id_slice in parts)
    ahead = read_board_ahead(now, SETTINGS, None, None, demo)
    board = ahead.take(now, SETTINGS, None, None)
    assert board == whole
    assert [c.stage.name for c in board.columns] == ["Lead", "Qualified", "Appointment", "Trial", "Proposal"]
    assert board.cards_by_id == whole.cards_by_id
    assert any(card.next_follow_up for card in board.cards_by_id.values()), "follow-ups crossed the pipe"
    assert reaped(ahead._pid)


def test_the_app_reads_the_parts_the_child_has_not_taken(demo, now, monkeypatch):
    """A child slow to start (a busy machine) leaves the parts to the app: the board is whole
    all the same, and the app waited for no more than the child's current part."""
    import time

    monkeypatch.setattr(prefetch, "SPLIT_FROM", 2)
    monkeypatch.setattr(prefetch, "TAIL_SHARE", 1.0)
    monkeypatch.setattr(prefetch, "SLICE_SIZE", 5)
    whole = views.board(now, SETTINGS)
    read = views.board

    def late(*args, **kwargs):  # the child: first a pause, then its usual read
        time.sleep(1.0)
        return read(*args, **kwargs)

    monkeypatch.setattr(views, "board", late)  # the child inherits the slow reader
    ahead = read_board_ahead(now, SETTINGS, None, None, demo)
    taken = parts_the_app_reads(monkeypatch)
    board = ahead.take(now, SETTINGS, None, None)
    assert board == whole and board.cards_by_id == whole.cards_by_id
    assert len(taken) == len(ahead._parts), "the app read every part: the child had taken none"
    assert reaped(ahead._pid)


@pytest.mark.parametrize("chunk", [1, 7, 4096, 1 << 30])
def test_the_board_read_back_in_pieces_as_they_come_is_the_board_sent(demo, now, chunk):
    """The app reads the child's answer whenever it can between its own parts: whatever the
    pieces it gets, the board is the board sent, and an answer that stops short is refused."""
    board = views.board(now, SETTINGS)
    wire = prefetch._Wire()
    wire.add(board.columns[:2])  # parts sent as they are read, then the rest with the board
    data = wire.send(7, replace(board, columns=board.columns[2:]))
    unwire = prefetch._Unwire()
    for start in range(0, len(data), chunk):
        unwire.feed(data[start : start + chunk])
    revision, crossed = unwire.result()
    crossed.__post_init__()
    assert (revision, crossed) == (7, board)
    assert crossed.cards_by_id == board.cards_by_id
    short = prefetch._Unwire()
    short.feed(data[:-1])
    with pytest.raises(ValueError, match="cut off"):
        short.result()


@pytest.mark.parametrize(
    ("counts", "size", "expected"),
    [
        ({1: 60, 2: 30}, 500, [([1, 2], None)]),  # a small board: one part
        # the biggest stages (whole, or in slices of at most PART_MOST) while a fifth of the
        # cards is left; then slices of about 500, biggest first
        (
            {1: 3000, 2: 1000, 3: 400, 4: 0},
            500,
            [([1], (0, 2)), ([1], (1, 2)), ([2], (0, 2)), ([2], (1, 2)), ([3], None), ([4], None)],
        ),
        (
            {1: 3921, 2: 3004, 3: 2355, 4: 1573, 5: 1002},
            500,
            [([1], (0, 2)), ([1], (1, 2)), ([2], (0, 2)), ([2], (1, 2)), ([3], None)],
        ),
        ({1: 2400, 2: 1400, 3: 1000}, 500, [([1], None), ([2], None), ([3], (0, 2)), ([3], (1, 2))]),
        ({1: 5000}, 1000, [([1], (r, 5)) for r in range(5)]),  # one stage: all in slices
        ({1: 4000, 2: 100, 3: 100}, 500, [([1], (r, 8)) for r in range(8)] + [([2, 3], None)]),
    ],
)
def test_a_board_is_cut_into_whole_stages_then_slices(counts, size, expected):
    parts = parts_of(counts, size)
    assert parts[: len(expected)] == expected


def test_the_bench_board_ends_in_slices_of_about_five_hundred_cards():
    counts = {1: 3921, 2: 3004, 3: 2355, 4: 1573, 5: 1002}
    parts = parts_of(counts)
    tail = parts[5:]
    assert all(id_slice for _, id_slice in tail)
    sizes = [counts[stages[0]] // id_slice[1] for stages, id_slice in tail]
    assert sizes == sorted(sizes, reverse=True) and all(450 <= size <= 550 for size in sizes)
    for stage in (4, 5):
        slices = [id_slice for stages, id_slice in tail if stages == [stage]]
        assert sorted(slices) == [(r, len(slices)) for r in range(len(slices))], "each remainder once"


@pytest.mark.parametrize("stages", [40, 200, 400])
def test_a_board_of_many_stages_numbers_every_part_in_a_byte(stages):
    for counts in ({stage: 100_000 for stage in range(stages)}, {stage: 10 for stage in range(stages)}):
        parts = parts_of(counts)
        assert len(parts) <= 256
        assert {stage for part, _ in parts for stage in part} == set(counts)
    prefetch._queue_of(len(parts))  # (its one byte a part fits)


def test_the_child_does_not_wait_for_the_app_to_make_room_in_the_pipe(demo, now, monkeypatch):
    """A big board's answer is more than the pipe holds, and the app starts reading it only
    once Textual is up: the child keeps what does not fit and goes on reading parts (it took
    them all here, with the app 1.5 s late and a pipe of one page)."""
    import time

    monkeypatch.setattr(prefetch, "SPLIT_FROM", 2)
    monkeypatch.setattr(prefetch, "TAIL_SHARE", 1.0)
    monkeypatch.setattr(prefetch, "SLICE_SIZE", 5)
    monkeypatch.setattr(prefetch, "PIPE_SIZE", 4096)
    whole = views.board(now, SETTINGS)
    ahead = read_board_ahead(now, SETTINGS, None, None, demo)
    time.sleep(1.5)
    taken = parts_the_app_reads(monkeypatch)
    board = ahead.take(now, SETTINGS, None, None)
    assert len(ahead._parts) > 10 and taken == []
    assert board == whole and board.cards_by_id == whole.cards_by_id
    assert reaped(ahead._pid)


def test_another_board_asked_for_lets_the_child_go(demo, now):
    ahead = read_board_ahead(now, SETTINGS, None, None, demo)
    assert ahead.take(now + timedelta(minutes=1), SETTINGS, None, None) is None
    assert reaped(ahead._pid)


def test_a_pipeline_that_is_not_there_is_not_read_ahead(demo, now):
    assert read_board_ahead(now, SETTINGS, "No such pipeline", None, demo) is None


def test_a_write_between_the_reads_gives_no_board(demo, now, monkeypatch, tmp_path):
    """The child's parts and the app's parts must show one state of the database; a write in
    between (another program) sends the screen to read the board itself."""
    import time

    from pipeline_tui.services.prospects import edit_prospect

    monkeypatch.setattr(prefetch, "SPLIT_FROM", 2)
    monkeypatch.setattr(prefetch, "TAIL_SHARE", 1.0)
    monkeypatch.setattr(prefetch, "SLICE_SIZE", 5)
    app, read_a_part = os.getpid(), tmp_path / "the child read a part"
    columns = views._columns

    def slow_in_the_child(*args, **kwargs):  # the child pauses after each part: the app takes the rest
        found = columns(*args, **kwargs)
        if os.getpid() != app:
            read_a_part.touch()
            time.sleep(0.5)
        return found

    monkeypatch.setattr(views, "_columns", slow_in_the_child)
    ahead = read_board_ahead(now, SETTINGS, None, None, demo)
    deadline = time.monotonic() + 30
    while not read_a_part.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    card = views.board(now, SETTINGS).columns[0].cards[0]
    edit_prospect(card.id, now, {"name": "Renamed meanwhile"})
    assert ahead.take(now, SETTINGS, None, None) is None
    assert reaped(ahead._pid)


def test_a_failed_read_in_the_child_gives_no_board(demo, now, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(views, "board", broken)  # the child inherits the broken reader
    ahead = read_board_ahead(now, SETTINGS, None, None, demo)
    assert ahead.take(now, SETTINGS, None, None) is None
    assert reaped(ahead._pid)


def test_the_board_crosses_the_pipe_unchanged(demo, now):
    board = views.board(now, SETTINGS)
    revision, crossed = prefetch._board_from_wire(prefetch._board_to_wire(7, board))
    assert (revision, crossed) == (7, board)
    assert crossed.open_values == board.open_values
    crossed.__post_init__()  # as take() does once the parts are joined
    assert crossed.cards_by_id == board.cards_by_id
    assert views.Card._fields[prefetch.FOLLOW_UP] == "next_follow_up"
    assert any(card.next_follow_up for card in crossed.cards_by_id.values())
    from dataclasses import replace

    emptied = replace(
        board, columns=[board.columns[0]._replace(cards=[]), *board.columns[1:]], cards_by_id={}
    )
    assert prefetch._board_from_wire(prefetch._board_to_wire(7, emptied)) == (7, emptied), "an empty column"


def test_an_answer_cut_off_gives_no_board(demo, now, monkeypatch):
    """A child killed while writing (or whose answer is short for any reason) is not decoded
    into a half board: the screen reads the board itself."""
    whole = prefetch._Wire.send
    monkeypatch.setattr(prefetch._Wire, "send", lambda *args: whole(*args)[:-10])
    ahead = read_board_ahead(now, SETTINGS, None, None, demo)
    assert ahead.take(now, SETTINGS, None, None) is None
    assert reaped(ahead._pid)


def test_a_child_killed_before_it_answered_gives_no_board(demo, now):
    import signal

    ahead = read_board_ahead(now, SETTINGS, None, None, demo)
    os.kill(ahead._pid, signal.SIGKILL)
    assert ahead.take(now, SETTINGS, None, None) is None
    assert reaped(ahead._pid)


def test_a_write_after_the_stages_were_counted_gives_no_board(demo, now):
    parts, counter = split_board(None, None)
    ahead = ForkedBoardPrefetch(now, SETTINGS, None, None, parts, counter - 1)
    assert ahead.take(now, SETTINGS, None, None) is None


def test_a_board_not_taken_is_stopped_at_once(demo, now, monkeypatch):
    """Another minute asked for: the child is killed, not waited for to the end of its read."""
    import time

    def slow(*args, **kwargs):
        time.sleep(30)

    monkeypatch.setattr(views, "board", slow)
    ahead = read_board_ahead(now, SETTINGS, None, None, demo)
    start = time.monotonic()
    assert ahead.take(now + timedelta(minutes=1), SETTINGS, None, None) is None
    assert time.monotonic() - start < 10
    assert reaped(ahead._pid)


@pytest.mark.parametrize("location", [":memory:", "", "file:x.db?mode=memory", "postgresql://h/db"])
def test_no_child_for_a_database_it_could_not_open_itself(db, now, location):
    ahead = read_board_ahead(now, SETTINGS, None, None, location)
    assert isinstance(ahead, BoardPrefetch)
    ahead._thread.join()


def test_no_child_while_children_are_reaped_by_the_system(demo, now):
    """With SIGCHLD ignored (a launcher's choice, inherited), the kernel reaps children and a
    pid waited for could be another process's: a thread reads ahead instead."""
    import signal

    before = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        ahead = read_board_ahead(now, SETTINGS, None, None, demo)
    finally:
        signal.signal(signal.SIGCHLD, before)
    assert isinstance(ahead, BoardPrefetch)
    assert ahead.take(now, SETTINGS, None, None) == views.board(now, SETTINGS)
