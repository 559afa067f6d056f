"""A cron job running while the TUI is open: several processes write one SQLite file at once
while others read it. Every command succeeds, nothing says "locked", every write is there.

Writers and readers are separate processes; each run of a command goes through
``pipeline_tui.cli.main`` from the top (parsing, opening the database, one transaction),
exactly as ``pipeline-tui COMMAND`` does, so that hundreds of them fit in a few seconds.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from pipeline_tui.store.db import revision
from pipeline_tui.store.models import Prospect

NOW = "2026-11-26 09:30"
WRITERS = 3
WRITES = 40  # per writer: add, follow-up, done, move, ten times over
READERS = 2
SHELL_WRITES = 5  # per writer, one process each

# Runs `pipeline-tui` commands in a loop once told to go: argv is db, go-file, writer, writes.
WRITER = r"""
import contextlib, io, json, re, sys, time
from pathlib import Path
from pipeline_tui import cli
from pipeline_tui.store import models

db, go, writer, writes = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
results = []

def run(*args):
    out, err = io.StringIO(), io.StringIO()
    started = time.time()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["--db", db, "--now", "2026-11-26 09:30", *args])
    if models.database.obj is not None:
        models.database.obj.close()  # as at the end of a process
    results.append([list(args), code, err.getvalue(), started, time.time()])
    return out.getvalue()

print("ready", flush=True)
while not go.exists():
    time.sleep(0.001)
scheduled = ""
for i in range(writes):
    step, name = i % 4, f"Writer {writer} prospect {i - i % 4:03d}"
    if step == 0:
        run("add", name, "--value", "1200", "--follow-up", "tomorrow 10:00")
    elif step == 1:
        scheduled = run("follow-up", name, "+2d", "--kind", "email", "--notes", f"by writer {writer}")
    elif step == 2:
        found = re.search(r"#(\d+)", scheduled)
        run("done", found[1] if found else "0", "--outcome", "answered")
    else:
        run("move", name, "Qualified")
print(json.dumps(results))
"""

# Reads until told to stop: the agenda through the CLI, and counts in one read transaction.
READER = r"""
import contextlib, io, json, sqlite3, sys, time
from pathlib import Path
from pipeline_tui import cli
from pipeline_tui.store import models

db, go, stop = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
runs, failures, torn, shrunk, last = 0, [], [], [], -1
connection = sqlite3.connect(db, timeout=10, isolation_level=None)
print("ready", flush=True)
while not go.exists():
    time.sleep(0.001)
while not stop.exists():
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["--db", db, "--now", "2026-11-26 09:30", "agenda", "--json", "--days", "30"])
    if models.database.obj is not None:
        models.database.obj.close()
    runs += 1
    if code != 0 or err.getvalue():
        failures.append([code, err.getvalue()])
    else:
        json.loads(out.getvalue())
    connection.execute("BEGIN")
    prospects = connection.execute("SELECT COUNT(*) FROM prospect").fetchone()[0]
    added = connection.execute("SELECT COUNT(*) FROM stage_change WHERE from_stage_id IS NULL").fetchone()[0]
    connection.execute("COMMIT")
    if prospects != added:
        torn.append([prospects, added])  # a prospect without its first stage change: half an add
    if prospects < last:
        shrunk.append([last, prospects])
    last = prospects
print(json.dumps({"runs": runs, "failures": failures, "torn": torn, "shrunk": shrunk}))
"""


def _start(script: str, *args: object) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready", process.stderr.read() if process.stderr else ""
    return process


def _finish(process: subprocess.Popen):
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert stderr == "", stderr
    return json.loads(stdout)


def _count(db_path: Path, sql: str) -> int:
    connection = sqlite3.connect(str(db_path))
    try:
        return connection.execute(sql).fetchone()[0]
    finally:
        connection.close()


def test_three_writers_and_two_readers_at_once(cli, db_path, tmp_path):
    cli("add", "Already there", check=True)
    before = _count(db_path, "SELECT counter FROM revision")
    go, stop = tmp_path / "go", tmp_path / "stop"
    readers = [_start(READER, db_path, go, stop) for _ in range(READERS)]
    writers = [_start(WRITER, db_path, go, w, WRITES) for w in range(WRITERS)]
    go.touch()
    results = [_finish(w) for w in writers]
    stop.touch()
    seen = [_finish(r) for r in readers]

    runs = [run for result in results for run in result]
    assert len(runs) == WRITERS * WRITES
    failed = [run[:3] for run in runs if run[1] != 0 or run[2]]
    assert failed == [], failed  # every write succeeded, and nothing went to stderr ("locked"...)
    # they did run at the same time: commands of different writers overlap
    overlapping = sum(
        1
        for a, b in zip(results, results[1:] + results[:1], strict=True)
        for x in a
        for y in b
        if x[3] < y[4] and y[3] < x[4]
    )
    assert overlapping >= WRITES, overlapping
    for report in seen:
        assert report["runs"] > 0
        assert report["failures"] == []
        assert report["torn"] == [], "a reader saw half of an add"
        assert report["shrunk"] == []

    # every write is there
    per_writer = WRITES // 4
    assert _count(db_path, "SELECT COUNT(*) FROM prospect") == 1 + WRITERS * per_writer
    for w in range(WRITERS):
        names = f"name LIKE 'Writer {w} prospect %'"
        assert _count(db_path, f"SELECT COUNT(*) FROM prospect WHERE {names}") == per_writer
        qualified = "(SELECT id FROM stage WHERE name = 'Qualified')"
        assert _count(db_path, f"SELECT COUNT(*) FROM prospect WHERE {names} AND stage_id = {qualified}") == (
            per_writer
        )
        mine = f"prospect_id IN (SELECT id FROM prospect WHERE {names})"
        assert _count(db_path, f"SELECT COUNT(*) FROM follow_up WHERE {mine}") == 2 * per_writer
        assert _count(db_path, f"SELECT COUNT(*) FROM follow_up WHERE {mine} AND done_at IS NOT NULL") == (
            per_writer
        )
        assert (
            _count(db_path, f"SELECT COUNT(*) FROM follow_up WHERE {mine} AND kind = 'email'") == per_writer
        )
        assert _count(db_path, f"SELECT COUNT(*) FROM stage_change WHERE {mine}") == 2 * per_writer
    # one revision per write: no write was lost or counted twice
    assert _count(db_path, "SELECT counter FROM revision") == before + WRITERS * WRITES
    assert _count(db_path, "PRAGMA integrity_check") == "ok"


def test_real_processes_from_the_shell_at_once(cli, db_path):
    """The same with one `pipeline-tui` process per command, as cron and a shell run them."""
    cli("add", "Already there", check=True)
    adds: list = []
    reads: list = []
    writing = threading.Event()
    writing.set()

    def writer(w: int) -> None:
        for i in range(SHELL_WRITES):
            adds.append(cli("add", f"Shell {w}-{i}", "--follow-up", "fri 10:00"))

    def reader() -> None:
        while writing.is_set():
            reads.append(cli("agenda", "--json"))

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    watcher = threading.Thread(target=reader)
    for thread in [*threads, watcher]:
        thread.start()
    for thread in threads:
        thread.join()
    writing.clear()
    watcher.join()
    assert len(adds) == WRITERS * SHELL_WRITES and reads
    assert [(r.returncode, r.stderr) for r in adds + reads if r.returncode or r.stderr] == []
    assert all(isinstance(json.loads(r.stdout), list) for r in reads)
    assert (
        _count(db_path, "SELECT COUNT(*) FROM prospect WHERE name LIKE 'Shell %'") == WRITERS * SHELL_WRITES
    )
    assert _count(db_path, "SELECT COUNT(*) FROM follow_up") == WRITERS * SHELL_WRITES


def test_first_commands_at_once_share_one_new_database(tmp_path):
    """Two commands on a database that does not exist yet (a cron job and the first start of
    the TUI): both create it, neither is refused, both rows are there."""
    rounds, processes = 8, 4
    script = r"""
import contextlib, io, sys, time
from pathlib import Path
from pipeline_tui import cli
from pipeline_tui.store import models
folder, go, who, rounds = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
print("ready", flush=True)
for r in range(rounds):
    signal = Path(f"{go}{r}")
    while not signal.exists():
        time.sleep(0.0005)
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.main(["--db", str(folder / f"new{r}.db"), "--now", "2026-11-26 09:30", "add", f"By {who}"])
    if models.database.obj is not None:
        models.database.obj.close()
    if code or err.getvalue():
        print(f"round {r}: exit {code}: {err.getvalue().strip()}", file=sys.stderr)
"""
    go = tmp_path / "go"
    children = [_start(script, tmp_path, go, p, rounds) for p in range(processes)]
    for r in range(rounds):
        Path(f"{go}{r}").touch()
        deadline = time.monotonic() + 30
        while _created(tmp_path / f"new{r}.db") < processes and time.monotonic() < deadline:
            time.sleep(0.01)
    for child in children:
        stdout, stderr = child.communicate(timeout=60)
        assert (child.returncode, stderr) == (0, "")
    for r in range(rounds):
        assert _count(tmp_path / f"new{r}.db", "SELECT COUNT(*) FROM prospect") == processes
        # the default pipeline seeded once, not once per process
        assert _count(tmp_path / f"new{r}.db", "SELECT COUNT(*) FROM pipeline") == 1
        assert _count(tmp_path / f"new{r}.db", "SELECT COUNT(*) FROM stage") == 7
        assert _count(tmp_path / f"new{r}.db", "SELECT COUNT(*) FROM revision") == 1


def _created(path: Path) -> int:
    try:
        return _count(path, "SELECT COUNT(*) FROM prospect")
    except sqlite3.Error:
        return 0


def test_a_long_read_transaction_does_not_stop_a_writer(db, db_path, cli, now):
    """The TUI reading a consistent snapshot while `pipeline-tui add` runs from cron."""
    cli("add", "First", check=True)
    with db.atomic():
        seen = Prospect.select().count()
        names = [p.name for p in Prospect.select()]
        for args in (("add", "Second"), ("follow-up", "First", "tomorrow"), ("move", "First", "Trial")):
            started = time.monotonic()
            result = cli(*args)
            assert (result.returncode, result.stderr) == (0, "")
            assert time.monotonic() - started < 8  # did not sit out the 10-second busy timeout
        # still our snapshot: the reader sees one state, not half of another
        assert Prospect.select().count() == seen
        assert [p.name for p in Prospect.select()] == names
    assert Prospect.select().count() == seen + 1
    assert Prospect.get(Prospect.name == "First").stage.name == "Trial"


def test_a_writer_waits_for_another_writer_instead_of_failing(db, db_path, cli):
    """The TUI saving (holding SQLite's write lock for a moment): a cron `add` waits, then writes."""
    cli("add", "First", check=True)
    with db.atomic("IMMEDIATE"):
        Prospect.update(notes="saving").where(Prospect.name == "First").execute()
        waiting = subprocess.Popen(
            [*_argv(cli), "add", "From cron"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        reader = cli("agenda", "--json")  # readers are not blocked by a writer at all
        assert (reader.returncode, reader.stderr) == (0, "")
        time.sleep(1.0)
        assert waiting.poll() is None  # still waiting for the lock
    stdout, stderr = waiting.communicate(timeout=30)
    assert (waiting.returncode, stderr) == (0, ""), stderr
    assert "Added #2 From cron" in stdout
    assert Prospect.get(Prospect.name == "First").notes == "saving"


def _argv(cli) -> list[str]:
    return [sys.executable, "-m", "pipeline_tui", "--db", str(cli.db_path), "--now", cli.now]


def test_revision_counter_moves_with_writes_from_another_process(db, cli, engine):
    """How an open TUI notices a change made elsewhere: the revision counter goes up."""
    start = revision()
    cli("add", "Acme", "--follow-up", "tomorrow 10:00", check=True)
    after_add = revision()
    assert after_add > start
    if engine == "sqlite":
        with db.atomic():  # inside a read transaction SQLite's snapshot does not move
            pinned = revision()
            cli("move", "Acme", "Qualified", check=True)
            assert revision() == pinned
    else:
        cli("move", "Acme", "Qualified", check=True)
    after_move = revision()
    assert after_move > after_add
    agenda = cli("agenda", "--json", check=True)  # reading does not count as a change
    assert revision() == after_move
    [item] = json.loads(agenda.stdout)
    cli("done", str(item["id"]), check=True)
    assert revision() > after_move
    failed = cli("move", "Acme", "No such stage")  # a refused write changes nothing
    assert failed.returncode == 2
    assert revision() == after_move + 1
