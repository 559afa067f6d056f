"""The TUI as a user starts it: ``pipeline-tui`` in a real (pseudo) terminal, through the
command line, with the board read ahead by a forked child process."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux pty and /proc")


def children_of(pid: int) -> set[int]:
    """Live children of a process, from every one of its threads."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found |= {int(child) for child in (task / "children").read_text().split()}
        except (FileNotFoundError, ProcessLookupError):
            continue  # a thread that just ended
    return found


def read_until(fd: int, wanted: list[bytes], timeout: float = 60) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while not all(word in seen for word in wanted):
        if time.monotonic() > deadline:
            raise AssertionError(f"never showed {wanted}: {seen[-2000:]!r}")
        if select.select([fd], [], [], 0.5)[0]:
            try:
                seen += os.read(fd, 65536)
            except OSError:  # the terminal closed: the app is gone
                break
    return seen


@pytest.mark.parametrize(
    "prospects",
    [60, 20_000],  # the child reads the whole board; the board is split (~2,400 open cards)
    ids=["whole", "split"],
)
def test_the_tui_opens_on_the_board_and_quits_leaving_no_process_behind(cli, db_path, prospects):
    cli("demo", "--prospects", str(prospects), "--no-open", check=True)
    pid, fd = pty.fork()
    if pid == 0:  # the terminal's side: the app, as a user starts it
        os.environ["TERM"] = "xterm-256color"
        command = [sys.executable, "-m", "pipeline_tui", "--db", str(db_path), "--now", cli.now]
        os.execv(sys.executable, command)
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        screen = read_until(fd, [b"Lead", b"Proposal"])
        assert b"Traceback" not in screen
        assert children_of(pid) == set(), "the child that read the board is gone"
        os.write(fd, b"q")
        read_until(fd, [b"\x1b[?1049l"], timeout=30)  # the terminal's own screen given back
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    finally:
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)
