"""CPU per key of the real app in a real terminal: pipeline-tui runs in a tmux pane, tmux types
the keys, and the kernel's accounting (``/proc/PID/task/*/schedstat``, nanoseconds, every thread)
says how much CPU each key cost, from the key to the app falling idle again.

Unlike a Pilot in a headless app, this counts what a user pays for: turning each frame into
terminal output and writing it, the input thread, and anything an action leaves running after
its frame (a toast's layout, a timer). The Pilot's own bookkeeping is not counted.
"""

from __future__ import annotations

import os
import shlex
import shutil
import statistics
import subprocess
import time
from pathlib import Path

SESSION = "pipeline-bench"
# a tmux server of this process alone: another bench running at once must not end it
SERVER = f"pipeline-bench-{os.getpid()}"
QUIET = 0.2  # seconds of (almost) no CPU use that count as idle (Textual's escape waits ~0.1 s)
IDLE_NS = 600_000


def available() -> bool:
    return shutil.which("tmux") is not None and Path("/proc/self/task").is_dir()


def _cpu_ns(pid: int) -> int:
    total = 0
    for path in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(path.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass  # a thread that just ended
    return total


def _settle(pid: int, quiet: float = QUIET, limit: float = 10.0) -> tuple[int, float]:
    """Wait until the process is idle: less than IDLE_NS of CPU in ``quiet`` seconds (an idle
    Textual app still wakes every 0.1 s for ~0.1 ms). Its CPU total and the time then."""
    started = time.monotonic()
    window = [(started, _cpu_ns(pid))]
    while time.monotonic() - started < limit:
        time.sleep(0.01)
        now = time.monotonic()
        window.append((now, _cpu_ns(pid)))
        while len(window) > 2 and now - window[1][0] >= quiet:
            window.pop(0)
        if now - window[0][0] >= quiet and window[-1][1] - window[0][1] < IDLE_NS:
            break
    return window[-1][1], window[-1][0]


def _tmux(*args: str) -> str:
    # a server of its own (-L): one already running elsewhere would start the app with that
    # server's environment (another checkout's PYTHONPATH), not the bench's
    return subprocess.run(["tmux", "-L", SERVER, *args], check=True, capture_output=True, text=True).stdout


def _start(command: list[str]) -> int:
    """Run ``command`` in a tmux pane of 120x40, with this process's environment: its pid."""
    _stop()
    _tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", "exec " + shlex.join(command))
    return int(_tmux("list-panes", "-t", SESSION, "-F", "#{pane_pid}").split()[0])


def _stop() -> None:
    """End the pane and its server: the next start has a server with the environment then."""
    subprocess.run(["tmux", "-L", SERVER, "kill-server"], capture_output=True)


def key_costs(command: list[str], plan: list) -> dict[str, float]:
    """Median CPU milliseconds per key of each row of ``plan`` (``probe.KeyRow``); each row
    starts from where the previous one left the app."""
    pid = _start(command)
    try:
        time.sleep(0.5)
        _settle(pid, quiet=0.5, limit=60)
        before, start = _settle(pid)
        time.sleep(2.0)
        after, end = _settle(pid)
        idle_rate = (after - before) / (end - start)  # ns per second doing nothing
        results = {row.name: _row_costs(pid, row, idle_rate) for row in plan}
        _send("q")  # quit as a user does, closing the database
        _settle(pid, quiet=0.5, limit=5)
        return results
    finally:
        _stop()


# the Pilot's names of the keys the plan presses, as tmux names them
TMUX_KEYS = {"slash": "/", "space": "Space", "enter": "Enter", "escape": "Escape"}


def _send(key: str) -> None:
    _tmux("send-keys", "-t", SESSION, TMUX_KEYS.get(key, key))


def _press(pid: int, *keys: str) -> None:
    for key in keys:
        _send(key)
        _settle(pid)


def _row_costs(pid: int, row, idle_rate: float) -> float:
    _press(pid, *row.setup)
    costs: list[float] = []
    for _ in range(row.rounds):
        for key in row.keys:
            before, start = _settle(pid)
            _send(key)
            after, end = _settle(pid)
            costs.append((after - before - idle_rate * (end - start)) / 1e6)
            _press(pid, *row.after_each)
        _press(pid, *row.after_round)
    return statistics.median(costs)
