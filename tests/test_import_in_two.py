"""Many rows imported into a SQLite file are written in two parts at once: a forked child scores
the second part and writes it to a side file, which SQLite copies in (services.importing's
``_in_two``). What the database holds after is what one part would write."""

from __future__ import annotations

import os
import sqlite3

import pytest

from tests.test_board_reader import _import_csv

ROWS = 300


def _imported(tmp_path, now, folder: str) -> list[str]:
    """Import ROWS rows into a new database in ``folder``: its whole content, as SQL lines (in
    order, except the schema's, whose order follows the indexes made again)."""
    from pipeline_tui.store.db import open_database

    place = tmp_path / folder
    place.mkdir()
    db = open_database(str(place / "pipeline.db"))
    _import_csv(place, now, ROWS)
    attached = [row[1] for row in db.execute_sql("PRAGMA database_list")]
    db.close()
    assert attached == ["main"], "the side file is detached"
    assert sorted(p.name for p in place.iterdir()) == ["deals.csv", "pipeline.db"], "the side file is gone"
    with sqlite3.connect(place / "pipeline.db") as connection:
        lines = list(connection.iterdump())
    return sorted(line for line in lines if line.startswith("CREATE")) + [
        line for line in lines if not line.startswith("CREATE")
    ]


@pytest.fixture
def in_two(monkeypatch):
    """Two parts from a few rows, the indexes set aside as for 100,000; the parts copied in."""
    from pipeline_tui.services import importing
    from pipeline_tui.store import bulk

    monkeypatch.setattr(importing, "WRITTEN_IN_TWO_FROM", 50)
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 100)
    copied = []
    copy = bulk.Inserting.copied
    monkeypatch.setattr(bulk.Inserting, "copied", lambda self, path: copied.append(path) or copy(self, path))
    return copied


def _in_one(tmp_path, now, monkeypatch) -> list[str]:
    from pipeline_tui.services import importing

    with monkeypatch.context() as patched:
        patched.setattr(importing, "WRITTEN_IN_TWO_FROM", 10**9)
        return _imported(tmp_path, now, "one")


def test_rows_written_in_two_parts_are_what_one_part_writes(tmp_path, now, monkeypatch, in_two):
    from pipeline_tui.services import importing

    cuts = []
    cut = importing._cut
    monkeypatch.setattr(importing, "_cut", lambda *args: cuts.append(cut(*args)) or cuts[-1])
    two = _imported(tmp_path, now, "two")
    assert len(in_two) == 1 and 0 < cuts[0] < ROWS
    assert two == _in_one(tmp_path, now, monkeypatch)
    assert any(line.startswith('INSERT INTO "prospect" VALUES(300,') for line in two)


def test_a_child_that_fails_midway_leaves_its_part_to_this_process(tmp_path, now, monkeypatch, in_two):
    from pipeline_tui.store import bulk

    def broken(path, rows):  # (in the child) half of its part written, then a failure
        bulk_write(path, rows[: len(rows) // 2])
        raise OSError("disk full")

    bulk_write = bulk.rows_to_file
    monkeypatch.setattr(bulk, "rows_to_file", broken)
    two = _imported(tmp_path, now, "two")
    assert in_two == [], "nothing copied from the child's file"
    assert two == _in_one(tmp_path, now, monkeypatch)


def test_ctrl_c_while_writing_in_two_leaves_nothing_and_no_child(tmp_path, now, monkeypatch, in_two):
    from pipeline_tui.store import bulk
    from pipeline_tui.store.db import open_database
    from pipeline_tui.store.models import Prospect

    insert_rows = bulk.insert_rows

    def interrupted(model, *args, **kwargs):
        if model._meta.table_name == "stage_change":  # written while the child works
            raise KeyboardInterrupt
        return insert_rows(model, *args, **kwargs)

    monkeypatch.setattr(bulk, "insert_rows", interrupted)
    db = open_database(str(tmp_path / "pipeline.db"))
    with pytest.raises(KeyboardInterrupt):
        _import_csv(tmp_path, now, ROWS)
    assert Prospect.select().count() == 0
    assert [row[1] for row in db.execute_sql("PRAGMA database_list")] == ["main"]
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".import-")]
    with pytest.raises(ChildProcessError):  # the child was stopped and reaped, not left behind
        os.waitpid(-1, os.WNOHANG)
    db.close()
