"""The speed benchmark's probes run and report every row (numbers are not checked: a noisy
machine must not fail CI; ``python -m pipeline_tui.bench`` is where they are read)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from pipeline_tui.bench.probe import KEY_PLAN

NOW = "2026-11-26 09:30"


def _demo_database(tmp_path) -> str:
    path = str(tmp_path / "demo.db")
    subprocess.run(
        [sys.executable, "-m", "pipeline_tui", "--db", path, "--now", NOW, "demo", "--no-open"],
        check=True,
        capture_output=True,
    )
    return path


def test_first_paint_probes_report_a_painted_frame(tmp_path):
    db = _demo_database(tmp_path)
    for probe in (["hello"], ["board", db, NOW]):
        done = subprocess.run(
            [sys.executable, "-m", "pipeline_tui.bench.probe", *probe], capture_output=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout == b"P"


def test_the_key_probe_measures_every_row_of_the_plan(tmp_path):
    db = _demo_database(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "pipeline_tui.bench.probe", "keys", db, NOW],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    costs = json.loads(done.stdout)
    assert list(costs) == [name for name, *_ in KEY_PLAN]
    assert all(milliseconds > 0 for milliseconds in costs.values())


def test_peak_memory_reads_a_process_and_its_children(tmp_path):
    """The board's memory is the app's and its forked reader's: the probe's process tree."""
    from pipeline_tui.bench.__main__ import _process_tree, _pss, peak_memory

    parent = subprocess.Popen(
        [sys.executable, "-c", "import os, sys, time; os.fork(); print(flush=True); time.sleep(5)"],
        stdout=subprocess.PIPE,
    )
    try:
        parent.stdout.readline()  # forked by now
        tree = _process_tree(parent.pid)
        assert len(tree) == 2 and tree[0] == parent.pid, tree
        assert all(_pss(pid) > 1_000 for pid in tree)
    finally:
        for pid in _process_tree(parent.pid)[::-1]:
            os.kill(pid, 9)
        parent.wait()
    db = _demo_database(tmp_path)
    hello, board = peak_memory("hello"), peak_memory("board", db, NOW)
    assert 10_000 < hello < board < 10 * hello, (hello, board)


def test_the_all_open_csv_reopens_every_closed_prospect_and_none_created_after_now(tmp_path):
    from pipeline_tui.bench.__main__ import NOW, all_open_csv

    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(
        "name,stage,closed,lost_reason,created\n"
        "A,Won,2026-11-01 10:00,,2026-10-01 10:00\n"
        "B,Lost,2026-11-02 10:00,price,2026-11-26 16:45\n"
        "C,Trial,,,2026-11-20 09:00\n",
        encoding="utf-8",
    )
    all_open_csv(source, target)
    assert target.read_text(encoding="utf-8").splitlines() == [
        "name,stage,closed,lost_reason,created",
        "A,Lead,,,2026-10-01 10:00",
        f"B,Qualified,,,{NOW}",
        "C,Trial,,,2026-11-20 09:00",
    ]


def test_the_terminal_bench_runs_the_app_with_its_own_environment_not_a_running_servers(
    tmp_path, monkeypatch
):
    """A tmux server already running (another checkout's) starts new panes with the
    environment it was started with: the bench's pane must have the bench's (its PYTHONPATH)."""
    import shutil
    import time

    import pytest

    from pipeline_tui.bench import terminal

    if not terminal.available():
        pytest.skip("no tmux")
    monkeypatch.setenv("TMUX_TMPDIR", str(tmp_path))  # servers of this test alone
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.setattr(terminal, "SESSION", "bench-env-test")
    foreign = dict(os.environ, BENCH_MARK="another checkout")
    subprocess.run(["tmux", "new-session", "-d", "-s", "other", "sleep 30"], env=foreign, check=True)
    monkeypatch.setenv("BENCH_MARK", "the bench")
    out = tmp_path / "seen"
    try:
        terminal._start([shutil.which("sh"), "-c", f'echo "$BENCH_MARK" > {out}; sleep 30'])
        for _ in range(200):
            if out.exists() and out.read_text():
                break
            time.sleep(0.01)
        assert out.read_text().strip() == "the bench"
    finally:
        terminal._stop()
        subprocess.run(["tmux", "kill-server"], capture_output=True)
