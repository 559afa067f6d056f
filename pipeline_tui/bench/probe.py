"""One measured run in a fresh process: ``python -m pipeline_tui.bench.probe WHAT [DB]``.

``hello`` is a hello-world Textual app; ``board`` opens pipeline-tui on DB. Both run headless,
at 120×40, and exit right after their first screen is painted with its data (the board loads
its data while mounting, so its first paint is also its settled one). ``keys`` measures the
CPU time of single key presses on the board. Results go to stdout as JSON.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import NamedTuple


class KeyRow(NamedTuple):
    """What one key row measures: keys that get there first, keys measured in turn, keys
    pressed after each measured one (not counted), after each round of them (not counted),
    and how many rounds. Each row starts where the previous one left the app."""

    name: str
    setup: list[str]
    keys: list[str]
    after_each: tuple[str, ...] = ()
    after_round: tuple[str, ...] = ()
    rounds: int = 15


# Opening and closing the detail are rows of their own: a median over both keys fell between
# the two and said nothing about either. The search types a deal's company and product a
# letter at a time: its first letters match thousands of cards (each column then counts up to
# a hundred), its last few a hundred or so (found through the index of texts).
KEY_PLAN = [
    KeyRow("move selection (j/k)", [], ["j", "k"]),
    KeyRow("move a card a stage (L/H)", ["l", "l"], ["L", "H"]),  # the Appointment column: no question
    KeyRow("open detail (enter)", [], ["enter"], ("escape",)),
    KeyRow("close detail (esc)", ["enter"], ["escape"], ("enter",)),
    KeyRow("switch screen (2/1)", ["escape"], ["2", "1"]),
    KeyRow("agenda: snooze a day (s)", ["2"], ["s"]),
    KeyRow(
        "search as you type (/ brightwater dental)",
        ["1", "slash"],
        [*"brightwater", "space", *"dental"],
        after_round=("escape", "slash"),
        rounds=5,
    ),
]


def _exit_after_first_paint(app_class) -> None:
    """Tell the parent (one byte on stdout) when the app hands its first frame to the terminal,
    then leave: the moment a user would see the screen, measured the same way for every app."""
    from pipeline_tui.ui.textual_internals import on_first_frame

    def painted(app) -> None:
        sys.__stdout__.write("P")
        sys.__stdout__.flush()
        app.exit()

    on_first_frame(app_class, painted)


def _when_imported(name: str, then) -> None:
    """Call ``then(module)`` once module ``name`` is imported, without importing it now: the
    command line imports Textual only once the board is being read, and so must the probe.
    (A plain class: ``importlib.abc`` would import ``importlib.resources``, ~5 ms that the app
    itself does not spend and hello-world is not charged.)"""
    import importlib.util

    class Finder:
        def find_spec(self, fullname, path, target=None):
            if fullname != name:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(fullname)
            load = spec.loader.exec_module

            def exec_module(module) -> None:
                load(module)
                then(module)

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, Finder())


def hello() -> None:
    from textual.app import App
    from textual.widgets import Footer, Static

    class Hello(App):
        def compose(self):
            yield Static("Hello, world")
            yield Footer()

    _exit_after_first_paint(Hello)
    Hello().run(headless=True, size=(120, 40))


def board(db: str, now: str) -> None:
    """The board as a user opens it: ``pipeline-tui --db DB --now NOW``, through the CLI."""

    def measure(app_class) -> None:
        _exit_after_first_paint(app_class)
        run = app_class.run
        app_class.run = lambda self, **_: run(self, headless=True, size=(120, 40))  # as hello runs

    _when_imported("textual.app", lambda module: measure(module.App))
    from pipeline_tui.cli import main

    main(["--db", db, "--now", now])


def keys(db: str, now: str) -> None:
    """CPU milliseconds per key, median of several, for the board's everyday keys."""
    import asyncio
    from datetime import datetime

    from pipeline_tui.store.db import open_database

    open_database(db, create=False)
    from pipeline_tui.ui.app import PipelineApp

    async def run() -> dict[str, float]:
        app = PipelineApp(now=datetime.fromisoformat(now), poll=False)
        results: dict[str, list[float]] = {}
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            for row in KEY_PLAN:
                await pilot.press(*row.setup)
                for _ in range(row.rounds):
                    for key in row.keys:
                        await pilot.pause()
                        start = time.process_time()
                        await pilot.press(key)
                        await pilot.pause()
                        results.setdefault(row.name, []).append((time.process_time() - start) * 1000)
                        await pilot.press(*row.after_each)
                    await pilot.press(*row.after_round)
        return {name: statistics.median(values) for name, values in results.items()}

    print(json.dumps(asyncio.run(run())))


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "hello":
        hello()
    elif what == "board":
        board(sys.argv[2], sys.argv[3])
    elif what == "keys":
        keys(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(f"unknown probe {what!r}")
