"""The speed benchmark: ``python -m pipeline_tui.bench [--keep DIR] [--runs N]``.

Builds a demo database (60 prospects), a big one (100,000 prospects, about 11,800 of them open)
with ``pipeline-tui demo``, and 100,000 open prospects imported from a CSV file, then measures
each row of the table side by side with its baseline, in fresh processes, and prints medians.
Numbers, not tests: it never fails (docs/performance.md says how to read them).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline_tui.bench.probe import KEY_PLAN

NOW = "2026-11-26 09:30"
PY = sys.executable


def run(*args: str, quiet: bool = True) -> float:
    """Wall time of one command, in seconds."""
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL if quiet else None, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def app(db: str, *args: str) -> list[str]:
    return [PY, "-m", "pipeline_tui", "--db", db, "--now", NOW, *args]


def first_paint(*probe: str) -> float:
    """Seconds from starting the process to its first painted frame."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [PY, "-m", "pipeline_tui.bench.probe", *probe], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert process.stdout is not None
    painted = process.stdout.read(1)
    elapsed = time.perf_counter() - start
    if painted != b"P" or process.wait() != 0:
        raise SystemExit(f"probe {probe} failed")
    return elapsed


def peak_memory(*probe: str) -> int:
    """The most memory (KiB) the probe and its children held at once, up to its first frame.

    The proportional set size (PSS: each page shared with another process divided among them)
    of the whole process tree, as the machine pays it (the board was once read by a forked
    child: counting the tree keeps the figures comparable); read from ``/proc`` every 2 ms
    while the probe runs (a measured run of its own: reading it costs time). Where there is no
    ``/proc`` (not Linux): the peak RSS of the probe.
    """
    process = subprocess.Popen(
        [PY, "-m", "pipeline_tui.bench.probe", *probe], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    if not Path(f"/proc/{process.pid}/smaps_rollup").exists():
        assert process.stdout is not None
        process.stdout.read()
        return os.wait4(process.pid, 0)[2].ru_maxrss
    peak = 0
    while process.poll() is None:
        peak = max(peak, sum(_pss(pid) for pid in _process_tree(process.pid)))
        time.sleep(0.002)
    process.communicate()
    return peak


def _process_tree(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [child for text in task.read_text().split() for child in _process_tree(int(text))]
        except OSError:  # a thread or a child that just ended
            continue
    return found


def _pss(pid: int) -> int:
    """A process's proportional set size in KiB (0 if it has just ended)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def median(values) -> float:
    return statistics.median(values)


def row(what: str, ours: float, base: float | None, target: str, ok: bool) -> str:
    ratio = f"{ours / base:5.2f}×" if base else "   — "
    theirs = f"{base:8.3f}" if base is not None else "       —"
    return f"| {what:<66} | {ours:8.3f} | {theirs} | {ratio} | {target:<12} | {'yes' if ok else 'NO':<3} |"


def _compile_bytecode() -> None:
    """Measure what an installed user runs: ``pip install`` compiles every module to bytecode,
    while a checkout run under PYTHONDONTWRITEBYTECODE (as CI sets) would recompile ours on
    every start and charge that to us but not to textual."""
    import compileall

    compileall.compile_dir(Path(__file__).resolve().parents[1], quiet=1)


def key_costs(db: str) -> dict[str, float] | None:
    """CPU per key of the app in a real terminal (tmux), or None where there is no tmux."""
    from pipeline_tui.bench import terminal

    if not terminal.available():
        return None
    return terminal.key_costs(app(db), KEY_PLAN)


def pilot_key_costs(db: str) -> dict[str, float]:
    completed = subprocess.run(
        [PY, "-m", "pipeline_tui.bench.probe", "keys", db, NOW], check=True, capture_output=True, text=True
    )
    return json.loads(completed.stdout)


OPEN_STAGES = ["Lead"] * 39 + ["Qualified"] * 30 + ["Appointment"] * 24 + ["Trial"] * 16 + ["Proposal"] * 10


def all_open_csv(source: Path, target: Path) -> None:
    """The big demo's export with every closed deal put back in an open stage (as the open ones
    are spread), none archived and none created after NOW (the import refuses those): a team's
    100,000 open prospects, as a plain CSV import."""
    with (
        source.open(newline="", encoding="utf-8") as given,
        target.open("w", newline="", encoding="utf-8") as out,
    ):
        reader = csv.DictReader(given)
        writer = csv.DictWriter(out, reader.fieldnames or [])
        writer.writeheader()
        for number, record in enumerate(reader):
            if record["stage"] in ("Won", "Lost"):
                record.update(stage=OPEN_STAGES[number * 7919 % len(OPEN_STAGES)], closed="", lost_reason="")
            if "archived" in record:
                record["archived"] = "no"
            record["created"] = min(record["created"], NOW)
            writer.writerow(record)


def databases(work: Path) -> dict[str, str]:
    """The demo (60 prospects), the big demo (100,000, ~11,800 open) and 100,000 open prospects
    imported from a CSV file, built unless kept; the last also as it is just after its import,
    before anything worked its scores out."""
    paths = {name: str(work / f"{name}.db") for name in ("demo", "big", "open", "imported")}
    for name, count in (("demo", 60), ("big", 100_000)):
        if not Path(paths[name]).exists():
            seconds = run(*app(paths[name], "demo", "--prospects", str(count), "--no-open"))
            print(f"built the {count:,}-prospect demo in {seconds:.1f} s")
    big_csv, opened_csv = work / "big.csv", work / "open.csv"
    if not big_csv.exists():
        subprocess.run([*app(paths["big"], "export", "-o", str(big_csv))], check=True, capture_output=True)
    if not Path(paths["imported"]).exists():
        all_open_csv(big_csv, opened_csv)
        seconds = run(*app(paths["imported"], "import", str(opened_csv)))
        print(f"imported 100,000 open prospects in {seconds:.1f} s")
    if not Path(paths["open"]).exists():
        _copy(paths["imported"], paths["open"])
        first_paint("board", paths["open"], NOW)  # works every score and search text out, once
    return paths


def _copy(source: str, target: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(target + suffix).unlink(missing_ok=True)
    shutil.copy(source, target)  # its permissions too: private, as the app makes it


def first_paint_rows(paths: dict[str, str], runs: int) -> list[str]:
    """First painted board beside hello-world Textual: interleaved, so that all of them see the
    same moment's noise; one run of each first, not measured: this VM's kernel drops page
    cache idle for ~30 s (the first run after a pause read 29 MB back from disk)."""
    probes = {"hello": ("hello",), **{name: ("board", paths[name], NOW) for name in ("demo", "big", "open")}}
    for probe in probes.values():
        first_paint(*probe)
    times: dict[str, list[float]] = {name: [] for name in probes}
    for _ in range(runs):
        for name, probe in probes.items():
            times[name].append(first_paint(*probe))
    hello, demo, big, opened = (median(times[name]) for name in probes)
    _copy(paths["imported"], str(Path(paths["open"]).with_name("first.db")))
    first = first_paint("board", str(Path(paths["open"]).with_name("first.db")), NOW)
    return [
        row(
            "first painted board, demo data (vs hello-world Textual)",
            demo,
            hello,
            "≤ 1.5×",
            demo <= 1.5 * hello,
        ),
        row(
            "first painted board, 10,000 open prospects (vs hello)", big, hello, "≤ 2.0×", big <= 2.0 * hello
        ),
        row(
            "first painted board, 100,000 open prospects (vs hello)",
            opened,
            hello,
            "≤ 2.0×",
            opened <= 2.0 * hello,
        ),
        row("first open after importing 100,000 (scores worked out once)", first, None, "once", True),
    ]


def memory_rows(paths: dict[str, str]) -> list[str]:
    hello = max(peak_memory("hello") for _ in range(3))
    rows = []
    for name, label in (("big", "10,000"), ("open", "100,000")):
        ours = max(peak_memory("board", paths[name], NOW) for _ in range(3))
        what = f"peak memory (PSS), {label} open (MiB, vs hello)"
        rows.append(row(what, ours / 1024, hello / 1024, "≤ 2.5×", ours <= 2.5 * hello))
    return rows


def key_rows(work: Path, path: str, label: str) -> list[str]:
    """CPU per key, on a copy: the keys write (a card moved 30 times, a follow-up snoozed), and
    every run must open the same card with the same history."""
    keyed = str(work / "keys.db")
    _copy(path, keyed)
    keys, where = key_costs(keyed), "in tmux"
    if keys is None:  # no tmux here: a Pilot in a headless app (misses drawing the output)
        keys, where = pilot_key_costs(keyed), "headless"
    return [
        row(f"CPU per key ({where}), {label}: {name} (ms)", ms, None, "≤ 16 ms", ms <= 16)
        for name, ms in keys.items()
    ]


def import_row(work: Path) -> str:
    """A median of 5 (with 3 the row moved by 0.2× between runs of one code)."""
    os.sync()  # the import rows write hundreds of MB: start them with nothing else pending
    ours, base = [], []
    for attempt in range(5):
        target, plain = work / f"import-{attempt}.db", work / f"plain-{attempt}.db"
        for stale in (target, plain):
            for suffix in ("", "-wal", "-shm"):
                Path(str(stale) + suffix).unlink(missing_ok=True)
        ours.append(run(*app(str(target), "import", str(work / "big.csv"))))
        base.append(run(PY, "-m", "pipeline_tui.bench.baseline_import", str(work / "big.csv"), str(plain)))
    what = "import 100,000 CSV rows (vs csv + sqlite3.executemany)"
    return row(what, median(ours), median(base), "≤ 3×", median(ours) <= 3 * median(base))


def command_rows(paths: dict[str, str], runs: int) -> list[str]:
    rows = []
    for command in (("report", "--json"), ("agenda", "--json")):
        seconds = median(run(*app(paths["big"], *command)) for _ in range(runs))
        rows.append(row(f"{' '.join(command)}, 100,000 prospects", seconds, None, "≤ 1.0 s", seconds <= 1.0))
    for command in (("report", "--json"), ("report",)):  # every one of them open: the most advice
        seconds = median(run(*app(paths["open"], *command)) for _ in range(runs))
        rows.append(row(f"{' '.join(command)}, 100,000 open", seconds, None, "≤ 1.0 s", seconds <= 1.0))
    for command in (("agenda", "--json"), ("due",)):  # due: at every shell prompt
        ours_runs, pass_runs = [], []
        for _ in range(runs * 2):  # alternating, so that both see the same moment's noise
            ours_runs.append(run(*app(paths["demo"], *command)))
            pass_runs.append(run(PY, "-c", "pass"))
        ours_s, pass_s = median(ours_runs), median(pass_runs)
        what = f"{' '.join(command)}, demo data (vs python -c pass)"
        rows.append(row(what, ours_s, pass_s, "≤ 5×", ours_s <= 5 * pass_s))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline_tui.bench")
    parser.add_argument("--keep", metavar="DIR", help="build the databases here and keep them")
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (median)")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="pipeline-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env_note = f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores"
    print(f"pipeline-tui benchmark, {env_note}, {platform.machine()}, runs={args.runs}, in {work}")
    print(f"load average (1, 5, 15 min) at the start: {_load()}")
    _compile_bytecode()
    paths = databases(work)
    os.sync()  # an earlier run's imports leave ~200 MB to write back: not while we measure
    lines = [
        f"| {'what':<66} | {'ours s':>8} | {'base s':>8} | {'ratio':>6} | {'target':<12} | ok  |",
        f"|{'-' * 68}|{'-' * 10}|{'-' * 10}|{'-' * 8}|{'-' * 14}|-----|",
        *first_paint_rows(paths, args.runs),
        *key_rows(work, paths["big"], "10,000 open"),
        *key_rows(work, paths["open"], "100,000 open"),
        *memory_rows(paths),
        import_row(work),
        *command_rows(paths, args.runs),
    ]
    print("\n".join(lines))
    print(f"load average (1, 5, 15 min) at the end: {_load()}")
    return 0


def _load() -> str:
    """The machine's load, other programs included: a loaded machine slows every wall-clock row."""
    return " ".join(f"{load:.1f}" for load in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


if __name__ == "__main__":
    sys.exit(main())
