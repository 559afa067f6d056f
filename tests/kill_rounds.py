"""Kill ``pipeline-tui import`` (and ``demo``) with SIGKILL at random moments, then check the file.

A laptop lid closed mid-save must not lose or corrupt a record: after each kill the database
passes ``PRAGMA integrity_check``, the app opens it, and it holds either none or all of the
rows being written. ``tests/test_crash_safety.py`` runs a few rounds; run many by hand with

    python tests/kill_rounds.py 200             # 200 import rounds
    python tests/kill_rounds.py 100 --demo 20   # and 20 demo rounds

It prints how many rounds survived and where the kills landed, and exits 1 if any did not.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

NOW = "2026-11-26 09:30"
ROWS = 20_000
DEMO_PROSPECTS = 20_000
SEEDED = 3  # prospects in the database before the import

# how a round ended, besides survived or not
NOT_STARTED = "killed before the bulk write"
ROLLED_BACK = "killed mid-write, rolled back"  # pages of the big transaction were in the WAL
WRITING = 100_000  # bytes of WAL: past a new schema (about 70 kB), into the rows themselves
COMMITTED = "killed after the commit"
FINISHED = "finished before the kill"


def command(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline_tui", "--db", str(db), "--now", NOW, *args]


def environment() -> dict[str, str]:
    """The user's environment without a pinned database or clock; a private data directory."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PIPELINE_TUI_")}


def write_big_csv(path: Path, rows: int = ROWS) -> int:
    """A CSV of ``rows`` prospects in every stage; returns how many carry a next follow-up."""
    stages = ("Lead", "Qualified", "Appointment", "Trial", "Proposal", "Won", "Lost")
    follow_ups = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["name", "organization", "value", "stage", "notes", "next_follow_up", "created", "closed"]
        )
        for i in range(rows):
            due = ""
            if i % 3 == 0:
                due = f"2026-12-{1 + i % 28:02d} 10:00"
                follow_ups += 1
            writer.writerow(
                [
                    f"Prospect {i} Ünïcødé",
                    f"Org {i % 700}",
                    str(1000 + i),
                    stages[i % len(stages)],
                    f"note {i} " * 4,
                    due,
                    f"2026-{1 + i % 11:02d}-15 09:00",
                    "2026-11-20 10:00" if stages[i % len(stages)] in ("Won", "Lost") else "",  # never today
                ]
            )
    return follow_ups


@dataclass(frozen=True)
class State:
    """What a killed run left: read with plain sqlite3, so that the app's own code is not trusted."""

    integrity: str
    foreign_key_errors: int
    prospects: int
    stage_changes: int
    follow_ups: int
    quotas: int
    indexes: tuple[str, ...]
    user_version: int


def inspect(path: Path) -> State:
    if not path.exists():
        return State("ok", 0, 0, 0, 0, 0, (), 0)
    connection = sqlite3.connect(str(path), timeout=10)
    try:
        integrity = "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))
        fk_errors = len(connection.execute("PRAGMA foreign_key_check").fetchall())
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}

        def count(table: str) -> int:
            return (
                connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] if table in tables else 0
            )

        indexes = tuple(
            sorted(
                row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
            )
        )
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        return State(
            integrity,
            fk_errors,
            count("prospect"),
            count("stage_change"),
            count("follow_up"),
            count("quota"),
            indexes,
            version,
        )
    finally:
        connection.close()


def opens_in_the_app(path: Path) -> str | None:
    """None when pipeline-tui opens the file (as the next command would), else the message."""
    from pipeline_tui.errors import UserError
    from pipeline_tui.store.db import open_database, revision

    if not path.exists():
        return None
    try:
        database = open_database(path, create=False)
    except UserError as exc:
        return str(exc)
    try:
        revision()
    finally:
        database.close()
    return None


def timed_run(argv: list[str], wal: Path) -> tuple[float, float]:
    """Run to the end; returns (seconds until the write began, total seconds)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment())
    first_write = None
    while process.poll() is None:
        if first_write is None and wal.exists() and wal.stat().st_size > WRITING:
            first_write = time.perf_counter() - start
        time.sleep(0.002)
    total = time.perf_counter() - start
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {stderr}")
    return (first_write if first_write is not None else total * 0.5), total


@dataclass(frozen=True)
class Moment:
    """When to kill: ``delay`` seconds after the start, or after the write began (``in_write``)."""

    delay: float
    in_write: bool = False

    def __str__(self) -> str:
        return f"{self.delay:.3f}s after {'the write began' if self.in_write else 'the start'}"


def kill_at(argv: list[str], moment: Moment, wal: Path) -> bool:
    """Start ``argv``, SIGKILL it at ``moment``; True when it was still running then."""
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment())
    if moment.in_write:  # whatever the machine's load, wait for the write to begin
        while process.poll() is None and not (wal.exists() and wal.stat().st_size > WRITING):
            time.sleep(0.001)
    try:
        process.wait(timeout=moment.delay)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True


def moments(rng: random.Random, rounds: int, write_starts: float, duration: float) -> list[Moment]:
    """Half spread over the whole run (one per slice of [0, duration]), half inside the write
    itself, where a kill can do harm."""
    spread = [Moment(duration * (i + rng.random()) / rounds) for i in range(rounds)]
    aimed = [Moment((duration - write_starts) * rng.random(), in_write=True) for _ in range(rounds)]
    chosen = [spread[i] if i % 2 == 0 else aimed[i] for i in range(rounds)]
    rng.shuffle(chosen)
    return chosen


@dataclass
class Tally:
    rounds: int = 0
    survived: int = 0
    outcomes: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def summary(self, what: str) -> str:
        landed = ", ".join(f"{n} {outcome}" for outcome, n in self.outcomes.most_common())
        return f"{what}: {self.survived}/{self.rounds} rounds survived ({landed})"


def _judge(
    tally: Tally,
    label: str,
    state: State,
    before: State,
    after: State,
    wal: int,
    running: bool,
    app: str | None,
) -> None:
    """Survived: a sound file that the app opens, holding all the rows or none of them."""
    problems = []
    if state.integrity != "ok":
        problems.append(f"integrity_check: {state.integrity}")
    if state.foreign_key_errors:
        problems.append(f"{state.foreign_key_errors} foreign key errors")
    if app is not None:
        problems.append(f"the app refuses the file: {app}")
    counts = (state.prospects, state.stage_changes, state.follow_ups, state.quotas)
    none = (before.prospects, before.stage_changes, before.follow_ups, before.quotas)
    everything = (after.prospects, after.stage_changes, after.follow_ups, after.quotas)
    if counts == none:
        outcome = ROLLED_BACK if wal > WRITING else NOT_STARTED
    elif counts == everything:
        outcome = COMMITTED
    else:
        outcome = "PARTIAL"
        problems.append(
            f"(prospects, stage changes, follow-ups, quotas) = {counts}, not {none} or {everything}"
        )
    # a big insert drops indexes and builds them again in its transaction: all must be back
    if state.user_version and (state.user_version, state.indexes) != (after.user_version, after.indexes):
        problems.append(f"schema {state.user_version} with indexes {state.indexes}, not {after.indexes}")
    if not running:
        outcome = FINISHED
    tally.rounds += 1
    tally.outcomes[outcome] += 1
    if problems:
        tally.failures.append(f"{label}: " + "; ".join(problems))
    else:
        tally.survived += 1


def import_rounds(workdir: Path, rounds: int, rng: random.Random, rows: int = ROWS) -> Tally:
    """Each round: a copy of a small database, an import of ``rows`` killed at some moment."""
    big = workdir / "big.csv"
    write_big_csv(big, rows)
    template = workdir / "template.db"
    for i in range(SEEDED):
        subprocess.run(
            command(template, "add", f"Seed {i}", "--follow-up", "tomorrow"),
            check=True,
            capture_output=True,
            env=environment(),
        )
    before = inspect(template)
    target = workdir / "round.db"

    def fresh() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, target)

    fresh()
    write_starts, duration = timed_run(command(target, "import", str(big)), Path(f"{target}-wal"))
    after = inspect(target)
    assert after.prospects == before.prospects + rows, after
    plan = moments(rng, rounds, write_starts, duration)
    return _kill_rounds("import", command(target, "import", str(big)), target, fresh, plan, before, after)


def demo_rounds(workdir: Path, rounds: int, rng: random.Random, prospects: int = DEMO_PROSPECTS) -> Tally:
    """Each round: ``demo --prospects N --no-open`` into a new file, killed at some moment."""
    target = workdir / "demo.db"

    def fresh() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)

    fresh()
    argv = command(target, "demo", "--prospects", str(prospects), "--no-open")
    write_starts, duration = timed_run(argv, Path(f"{target}-wal"))
    after = inspect(target)
    assert after.prospects == prospects, after
    plan = moments(rng, rounds, write_starts, duration)
    return _kill_rounds("demo", argv, target, fresh, plan, State("ok", 0, 0, 0, 0, 0, (), 0), after)


def _kill_rounds(
    what: str, argv: list[str], target: Path, fresh, plan: list[Moment], before: State, after: State
) -> Tally:
    tally = Tally()
    wal = Path(f"{target}-wal")
    for number, moment in enumerate(plan):
        fresh()
        running = kill_at(argv, moment, wal)
        wal_size = wal.stat().st_size if wal.exists() else 0
        app = opens_in_the_app(target)  # as the next command would, before anything else
        label = f"{what} round {number} (killed {moment})"
        _judge(tally, label, inspect(target), before, after, wal_size, running, app)
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rounds", type=int, nargs="?", default=100, help="import rounds (default 100)")
    parser.add_argument("--demo", type=int, default=0, metavar="N", help="demo rounds too (default 0)")
    parser.add_argument("--rows", type=int, default=ROWS, help=f"rows per import (default {ROWS:,})")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print(f"seed {seed}")
    failed = 0
    with tempfile.TemporaryDirectory(prefix="kill-rounds-") as scratch:
        os.environ["XDG_DATA_HOME"] = str(Path(scratch) / "data")
        os.environ["XDG_CONFIG_HOME"] = str(Path(scratch) / "config")
        started = time.perf_counter()
        results = []
        if args.rounds:
            results.append(("import", import_rounds(Path(scratch), args.rounds, rng, args.rows)))
        if args.demo:
            results.append(("demo", demo_rounds(Path(scratch), args.demo, rng)))
        for what, tally in results:
            print(tally.summary(what))
            for failure in tally.failures:
                print("  FAILED", failure)
            failed += len(tally.failures)
        print(f"{time.perf_counter() - started:.1f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
