"""Upgrading a database written by an older pipeline-tui: in place, after a backup, nothing lost."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from pipeline_tui.errors import UserError
from pipeline_tui.store import schema
from pipeline_tui.store.db import open_database
from tests.conftest import CLI

FIXTURE = "tests/fixtures/schema1.db"


def rows(path, table: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(f'SELECT * FROM "{table}" ORDER BY id').fetchall()
    finally:
        connection.close()


@pytest.fixture
def old_db(tmp_path):
    path = tmp_path / "pipeline.db"
    shutil.copy(FIXTURE, path)
    return path


def test_the_fixture_is_schema_1(old_db):
    connection = sqlite3.connect(old_db)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 1
    columns = {row[1] for row in connection.execute("PRAGMA table_info(prospect)")}
    connection.close()
    assert "owner" not in columns and "version" not in columns


def test_opening_an_old_database_upgrades_it_after_a_backup(old_db, tmp_path):
    before = {table: rows(old_db, table) for table in ("prospect", "follow_up", "stage_change", "quota")}
    db = open_database(old_db)
    db.close()
    backups = sorted(tmp_path.glob("pipeline.schema1-*.db"))
    assert len(backups) == 1, "a backup of the old file, next to it"
    assert not list(tmp_path.glob("*.upgrade-lock")), "no lock file left beside it"
    assert sqlite3.connect(backups[0]).execute("PRAGMA user_version").fetchone()[0] == 1
    assert rows(backups[0], "prospect") == before["prospect"]

    connection = sqlite3.connect(old_db)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    owners = connection.execute("SELECT DISTINCT owner, version FROM prospect").fetchall()
    connection.close()
    assert owners == [("", 1)]
    for table, old in before.items():
        new = rows(old_db, table)
        assert len(new) == len(old)
        assert [row[: len(old[0])] for row in new] == old, f"{table}: every old value kept"


def test_an_upgraded_database_has_the_indexes_of_a_new_one(old_db, tmp_path):
    def indexes(path) -> set[tuple[str, str]]:
        connection = sqlite3.connect(path)
        try:
            query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            return {
                (name, " ".join(sql.replace("IF NOT EXISTS ", "").split()))
                for name, sql in connection.execute(query)
            }
        finally:
            connection.close()

    open_database(old_db).close()
    open_database(tmp_path / "new.db").close()
    assert indexes(old_db) == indexes(tmp_path / "new.db")
    assert "follow_up_prospect_id_done_at_kind" in {name for name, _ in indexes(old_db)}


def test_the_upgraded_database_works_through_the_cli(old_db):
    cli = CLI(old_db)
    report = cli("report", "--json", check=True)
    assert '"quota"' in report.stdout
    added = cli("--user", "ana", "add", "After the upgrade", "--value", "1000", check=True)
    assert "Added #26" in added.stdout
    connection = sqlite3.connect(old_db)
    names = connection.execute("SELECT name, owner FROM prospect").fetchall()
    connection.close()
    assert ("After the upgrade", "ana") in names


def test_the_upgrade_sums_up_each_prospects_follow_ups_on_its_row(old_db):
    """Schema 5: the activity summary of every old prospect, as its follow-ups say."""
    open_database(old_db).close()
    connection = sqlite3.connect(old_db)
    kept = connection.execute(
        "SELECT id, last_activity_at, last_contact_at, last_appointment_at, demo_or_trial FROM prospect"
    ).fetchall()
    follow_ups = connection.execute("SELECT prospect_id, kind, done_at FROM follow_up").fetchall()
    connection.close()
    expected = {}
    for pid, *_ in kept:
        mine = [(kind, done) for prospect, kind, done in follow_ups if prospect == pid]
        done = [(kind, at) for kind, at in mine if at is not None]
        expected[pid] = (
            max((at for _, at in done), default=None),
            max((at for kind, at in done if kind in ("call", "email", "reminder")), default=None),
            max((at for kind, at in done if kind == "appointment"), default=None),
            int(any(kind in ("demo", "trial") for kind, _ in mine)),
        )
    assert {pid: tuple(rest) for pid, *rest in kept} == expected
    assert any(last is not None for _, last, *_ in kept), "the fixture has follow-ups done"


def test_a_newer_database_is_refused(old_db):
    connection = sqlite3.connect(old_db)
    connection.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    connection.commit()
    connection.close()
    with pytest.raises(UserError, match="newer pipeline-tui"):
        open_database(old_db)
    result = CLI(old_db)("agenda")
    assert result.returncode == 2 and "upgrade pipeline-tui" in result.stderr


def test_a_failed_upgrade_leaves_the_old_database_as_it_was(old_db, monkeypatch):
    before = rows(old_db, "prospect")

    def broken(db):
        db.execute_sql("ALTER TABLE prospect ADD COLUMN \"owner\" VARCHAR(255) DEFAULT ''")
        raise RuntimeError("power cut")

    monkeypatch.setitem(schema.MIGRATIONS, 2, broken)
    with pytest.raises(RuntimeError):
        open_database(old_db)
    connection = sqlite3.connect(old_db)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 1
    columns = {row[1] for row in connection.execute("PRAGMA table_info(prospect)")}
    connection.close()
    assert "owner" not in columns
    assert rows(old_db, "prospect") == before


def test_three_programs_opening_an_old_database_at_once_upgrade_it_once(old_db, tmp_path):
    import subprocess
    import sys

    command = [sys.executable, "-m", "pipeline_tui", "--db", str(old_db), "--now", "2026-11-26 09:30"]
    runs = [
        subprocess.Popen([*command, "agenda", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    results = [(run.wait(timeout=60), run.stderr.read().decode()) for run in runs]
    assert results == [(0, "")] * 3
    assert len(list(tmp_path.glob("pipeline.schema1-*.db"))) == 1
    assert not list(tmp_path.glob("*.upgrade-lock"))
    assert len(rows(old_db, "follow_up")) == 83


def test_the_upgrade_to_schema_7_gives_the_tables_and_columns_of_a_new_database(old_db, tmp_path):
    """Schema 7: cadences running on prospects, and on each follow-up its cadence step, its
    repeat rule and the due time a reminder was sent for; the old follow-ups keep every value."""

    def shape(path) -> dict:
        connection = sqlite3.connect(path)
        try:
            # not SQLite's own tables: the planner's statistics (sqlite_stat1) the upgrade makes
            tables = [
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
                )
            ]
            return {
                table: (
                    [row[1:] for row in connection.execute(f'PRAGMA table_info("{table}")')],
                    sorted(row[2:] for row in connection.execute(f'PRAGMA foreign_key_list("{table}")')),
                )
                for table in tables
            }
        finally:
            connection.close()

    before = rows(old_db, "follow_up")
    open_database(old_db).close()
    open_database(tmp_path / "new.db").close()
    assert shape(old_db) == shape(tmp_path / "new.db")
    assert "cadence_run" in shape(old_db)
    after = rows(old_db, "follow_up")
    assert [row[: len(before[0])] for row in after] == before
    assert {row[len(before[0]) :] for row in after} == {(None, None, None, None)}


def test_the_upgrade_to_schema_8_works_out_how_long_each_old_stay_in_a_stage_lasted(old_db):
    """Schema 8: a stage change made before it learns how long the prospect had been in the stage
    it left, from the change before it (the report's time in stage reads it)."""
    from datetime import datetime

    open_database(old_db).close()
    connection = sqlite3.connect(old_db)
    try:
        changes = connection.execute(
            "SELECT prospect_id, changed_at, from_stage_id, seconds_in_stage FROM stage_change"
            " ORDER BY prospect_id, changed_at, id"
        ).fetchall()
    finally:
        connection.close()
    previous: dict[int, datetime] = {}
    worked_out = 0
    for prospect, changed_at, from_stage, seconds in changes:
        moment = datetime.fromisoformat(changed_at)
        if from_stage is None or prospect not in previous:
            assert seconds is None
        else:
            assert seconds == round((moment - previous[prospect]).total_seconds())
            worked_out += 1
        previous[prospect] = moment
    assert worked_out > 10
