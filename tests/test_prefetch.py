"""Reading the board ahead in a child process (``services.prefetch``): the board handed over
is the board ``views.board`` reads, in one piece or in two, and the child is always reaped."""

from __future__ import annotations

import os
import select
import sys
from datetime import timedelta

import pytest

from pipeline_tui.core.settings import Settings
from pipeline_tui.services import prefetch, views
from pipeline_tui.services.prefetch import (
    BoardPrefetch,
    ForkedBoardPrefetch,
    child_part,
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


def reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_a_small_board_is_read_whole_by_the_child(demo, now):
    there, here, _ = split_board(None, None)
    assert there and here == [], "under SPLIT_FROM cards the app reads no columns itself"
    ahead = read_board_ahead(now, SETTINGS, None, None, demo)
    assert isinstance(ahead, ForkedBoardPrefetch)
    board = ahead.take(now, SETTINGS, None, None)
    assert board == views.board(now, SETTINGS)
    assert board.cards_by_id == views.board(now, SETTINGS).cards_by_id
    assert ahead.revision == revision()
    assert reaped(ahead._pid)
    assert ahead.take(now, SETTINGS, None, None) is None, "handed over once"


def test_a_big_board_is_read_in_two_parts_that_make_the_whole(demo, now, monkeypatch):
    monkeypatch.setattr(prefetch, "SPLIT_FROM", 2)
    there, here, _ = split_board(None, None)
    assert there and here and not set(there) & set(here)
    whole = views.board(now, SETTINGS)
    assert sorted(there + here) == sorted(column.stage.id for column in whole.columns)
    ahead = read_board_ahead(now, SETTINGS, None, None, demo)
    board = ahead.take(now, SETTINGS, None, None)
    assert board == whole
    assert [c.stage.name for c in board.columns] == ["Lead", "Qualified", "Appointment", "Trial", "Proposal"]
    assert board.cards_by_id == whole.cards_by_id
    assert any(card.next_follow_up for card in board.cards_by_id.values()), "follow-ups crossed the pipe"
    assert reaped(ahead._pid)


def test_another_board_asked_for_lets_the_child_go(demo, now):
    ahead = read_board_ahead(now, SETTINGS, None, None, demo)
    assert ahead.take(now + timedelta(minutes=1), SETTINGS, None, None) is None
    assert reaped(ahead._pid)


def test_a_pipeline_that_is_not_there_is_not_read_ahead(demo, now):
    assert read_board_ahead(now, SETTINGS, "No such pipeline", None, demo) is None


def test_a_write_between_the_two_reads_gives_no_board(demo, now, monkeypatch):
    """The child's part and the app's part must show one state of the database; a write in
    between (another program) sends the screen to read the board itself."""
    from pipeline_tui.services.prospects import edit_prospect

    monkeypatch.setattr(prefetch, "SPLIT_FROM", 2)
    ahead = read_board_ahead(now, SETTINGS, None, None, demo)
    readable, _, _ = select.select([ahead._pipe], [], [], 30)
    assert readable, "the child answered"
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


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({1: 50, 2: 30, 3: 20}, {1, 3}),  # 70 of 100: the closest to 65
        ({1: 10, 2: 10}, {1}),  # never all of them, even when all would be closer
        ({1: 0, 2: 100}, {2}),
        ({1: 3921, 2: 3004, 3: 2355, 4: 1573, 5: 1002}, {1, 3, 4}),  # the bench's board: 66%
    ],
)
def test_the_child_takes_the_stages_closest_to_its_share(counts, expected):
    assert child_part(counts, 0.65) == expected


def test_many_stages_are_shared_biggest_first():
    counts = {stage: 100 - stage for stage in range(20)}
    part = child_part(counts, 0.65)
    total = sum(counts.values())
    assert part and part != set(counts)
    assert 0.5 * total < sum(counts[s] for s in part) <= 0.65 * total


def test_an_answer_cut_off_gives_no_board(demo, now, monkeypatch):
    """A child killed while writing (or whose answer is short for any reason) is not decoded
    into a half board: the screen reads the board itself."""
    whole = prefetch._board_to_wire
    monkeypatch.setattr(prefetch, "_board_to_wire", lambda *args: whole(*args)[:-10])
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
    there, here, counter = split_board(None, None)
    ahead = ForkedBoardPrefetch(now, SETTINGS, None, None, there, here, counter - 1)
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
