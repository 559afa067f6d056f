"""`due` reads a current SQLite file with sqlite3 alone (pipeline_tui/store/quick.py): it must
count exactly as the full opening does, and leave every other file to the full opening, which
upgrades an older one and refuses the rest in words."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import timedelta

import pytest

from pipeline_tui.store.quick import current_file, reader
from pipeline_tui.store.schema_version import SCHEMA_VERSION
from tests.conftest import CLI


def _fill(now) -> None:
    from pipeline_tui.services.base import set_user
    from pipeline_tui.services.follow_ups import complete, schedule
    from pipeline_tui.services.prospects import add_prospect, archive_prospect

    set_user("ana")
    acme = add_prospect(now, "Acme", fields={"organization": "Acme Inc"}).id
    schedule(acme, "call", now - timedelta(days=2), now)
    schedule(acme, "email", now + timedelta(hours=2), now)
    done = schedule(acme, "call", now - timedelta(hours=1), now)
    complete(done.id, now, "reached")
    set_user("bob")
    globex = add_prospect(now, "Globex 東京").id
    schedule(globex, "meeting", now + timedelta(minutes=30), now)
    schedule(globex, "call", now + timedelta(days=1), now)
    schedule(globex, "call", now, now)  # due this very minute: today, and the next one
    gone = add_prospect(now, "Gone").id
    schedule(gone, "call", now - timedelta(hours=3), now)
    archive_prospect(gone, now)


def test_the_quick_read_counts_as_the_full_opening_does(db, db_path, now):
    from pipeline_tui.store.due import due_counts, next_due

    _fill(now)
    day_end = now.replace(hour=23, minute=59, second=59)
    expected = {None: ((1, 3), "Globex 東京"), "ana": ((1, 1), "Acme"), "bob": ((0, 2), "Globex 東京")}
    assert current_file(str(db_path)) is not None
    with reader(str(db_path)) as quick, reader(str(db_path), quick=False) as full:
        for owner in (None, "ana", "bob", "nobody"):
            counts, following = due_counts(quick, now, day_end, owner), next_due(quick, now, owner)
            assert counts == due_counts(full, now, day_end, owner)
            assert following == next_due(full, now, owner)
            assert (counts, following and following[2]) == expected.get(owner, ((0, 0), None))


def _version(path, version: int) -> None:
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA user_version = {version}")
    connection.commit()
    connection.close()


def _foreign(path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    connection.commit()
    connection.close()


@pytest.mark.parametrize(
    "make, refusal",
    [
        (lambda path: None, "no database at"),
        (lambda path: path.mkdir(), "is a directory"),
        (lambda path: os.mkfifo(path), "a device or a pipe"),
        (lambda path: path.write_bytes(b""), "is empty"),
        (lambda path: path.write_bytes(b"not a database, a letter" * 100), "not a pipeline-tui database"),
        (_foreign, "database of some other program"),
    ],
    ids=["missing", "folder", "fifo", "empty", "junk", "foreign"],
)
def test_a_file_that_is_no_current_database_is_refused_by_the_full_opening(tmp_path, make, refusal):
    path = tmp_path / "pipeline.db"
    make(path)
    assert current_file(str(path)) is None
    result = CLI(path)("due")
    assert result.returncode == 2 and refusal in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_due_upgrades_an_older_file_and_refuses_a_newer_one(tmp_path):
    older, newer = tmp_path / "older.db", tmp_path / "newer.db"
    shutil.copy("tests/fixtures/schema1.db", older)
    shutil.copy("tests/fixtures/schema1.db", newer)
    _version(newer, SCHEMA_VERSION + 1)
    assert current_file(str(older)) is None and current_file(str(newer)) is None
    cli = CLI(older)
    assert cli("due").returncode == 0
    assert current_file(str(older)) is not None  # upgraded on its first opening, as README says
    assert current_file(f"sqlite:///{older}") is None  # a URL: the full opening reads those
    refused = CLI(newer)("due")
    assert refused.returncode == 2 and "newer pipeline-tui" in refused.stderr
