"""An import into a database file that does not exist yet builds it whole under a temporary
name beside it and gives it its name only when everything succeeded (store.new_file)."""

from __future__ import annotations

import sqlite3
import stat

import pytest

NOW = ["--now", "2026-11-26 09:30"]


def _csv(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("name,value,next_follow_up\n" + "".join(f"Deal {n},{n},2026-12-01\n" for n in range(30)))
    return path


def _run(*args) -> int:
    from pipeline_tui.cli import main

    return main([*NOW, *args])


@pytest.mark.parametrize("where", ["contacts_from_rows", "refresh_statistics"])
def test_ctrl_c_midway_leaves_neither_the_database_nor_its_temporary_file(tmp_path, monkeypatch, where):
    """Ctrl+C before the rows are committed, and after (the statistics come last)."""
    from pipeline_tui.store import bulk, people

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(people if where == "contacts_from_rows" else bulk, where, interrupted)
    csv = _csv(tmp_path)
    assert _run("--db", str(tmp_path / "new" / "pipeline.db"), "import", str(csv)) == 130
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["deals.csv", "new"]


def test_a_file_made_at_the_name_meanwhile_is_kept_and_the_import_refused(tmp_path, monkeypatch, capsys):
    from pipeline_tui.store import bulk

    target = tmp_path / "pipeline.db"
    analyze = bulk.refresh_statistics

    def another_program_meanwhile():
        target.write_text("someone else's\n")
        analyze()

    monkeypatch.setattr(bulk, "refresh_statistics", another_program_meanwhile)
    assert _run("--db", str(target), "import", str(_csv(tmp_path))) == 2
    assert "made meanwhile by another program; nothing was imported" in capsys.readouterr().err
    assert target.read_text() == "someone else's\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deals.csv", "pipeline.db"]


def test_the_new_file_is_a_private_wal_database_with_every_row_and_nothing_beside_it(tmp_path):
    target = tmp_path / "pipeline.db"
    assert _run("--db", str(target), "import", str(_csv(tmp_path))) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deals.csv", "pipeline.db"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    connection = sqlite3.connect(target)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("SELECT COUNT(*) FROM prospect").fetchone() == (30,)
        assert connection.execute("SELECT COUNT(*) FROM follow_up").fetchone() == (30,)
    finally:
        connection.close()


def test_a_file_refused_against_the_new_database_leaves_no_file(tmp_path, capsys):
    """Its stage is checked once the new database is open (the default stages): refused then."""
    csv = tmp_path / "deals.csv"
    csv.write_text("name,stage\nBad,Closing\n")
    assert _run("--db", str(tmp_path / "pipeline.db"), "import", str(csv)) == 2
    assert "no stage 'Closing' in Sales" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deals.csv"]


@pytest.mark.parametrize(
    "where, left, rows",
    [
        ("contacts_from_rows", "nothing imported", 30),  # before the commit: rolled back
        ("refresh_statistics", "the import is saved", 60),  # after it: every row is in
        ("parse_csv", "nothing imported", 30),  # while the file is read
    ],
)
def test_ctrl_c_on_an_import_into_a_database_says_what_it_left(
    tmp_path, monkeypatch, capsys, where, left, rows
):
    """One transaction: a Ctrl+C leaves all of the import or none of it, and says which in one
    line (it said nothing, and exited 130 also when everything had been saved)."""
    from pipeline_tui.io import csv_io
    from pipeline_tui.store import bulk, people

    target, csv = tmp_path / "pipeline.db", _csv(tmp_path)
    assert _run("--db", str(target), "import", str(csv)) == 0
    capsys.readouterr()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    owner = {"contacts_from_rows": people, "refresh_statistics": bulk, "parse_csv": csv_io}[where]
    monkeypatch.setattr(owner, where, interrupted)
    assert _run("--db", str(target), "import", str(csv)) == 130
    assert capsys.readouterr().err.splitlines()[-1] == f"pipeline-tui: interrupted: {left}"
    connection = sqlite3.connect(target)
    try:
        assert connection.execute("SELECT COUNT(*) FROM prospect").fetchone() == (rows,)
    finally:
        connection.close()


def test_ctrl_c_on_an_import_into_a_new_file_says_nothing_was_imported(tmp_path, monkeypatch, capsys):
    from pipeline_tui.store import bulk

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(bulk, "refresh_statistics", interrupted)
    assert _run("--db", str(tmp_path / "pipeline.db"), "import", str(_csv(tmp_path))) == 130
    assert capsys.readouterr().err.splitlines()[-1] == "pipeline-tui: interrupted: nothing imported"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deals.csv"]
