"""The upgrade to schema 6 (issue 21), on both engines, from databases written by the code of
schema 5 (tests/fixtures/README.md): each prospect's contact becomes a contact record with the
role its flag said, organizations become records, and no old value is lost."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from pipeline_tui.core.people import organization_key
from pipeline_tui.store import schema
from pipeline_tui.store.db import open_database
from tests.conftest import CLI

SQLITE_FIXTURE = "tests/fixtures/schema5.db"
SERVER_FIXTURE = "tests/fixtures/schema5.pg.sql"
OLD_PROSPECT_COLUMNS = (
    "id, name, organization, contact, title, email, phone, decision_maker, value_cents, stage_id, "
    "archived, version, last_activity_at, demo_or_trial"
)


@pytest.fixture
def old_location(engine, db_location):
    """A database of schema 5, as the old code left it: a copy of the SQLite file, or the
    server dump loaded into the test's own database."""
    if engine == "sqlite":
        shutil.copy(SQLITE_FIXTURE, db_location)
    else:
        import psycopg

        with psycopg.connect(db_location, autocommit=True) as connection:
            connection.execute(open(SERVER_FIXTURE, encoding="utf-8").read())
    return db_location


def read(db, sql: str) -> list[tuple]:
    return [tuple(row) for row in db.execute_sql(sql).fetchall()]


def old_rows(location: str, engine: str) -> list[tuple]:
    """The prospects' old columns, read without the new code."""
    sql = f"SELECT {OLD_PROSPECT_COLUMNS} FROM prospect ORDER BY id"
    if engine == "sqlite":
        connection = sqlite3.connect(location)
        try:
            assert connection.execute("PRAGMA user_version").fetchone()[0] == 5
            return [tuple(r) for r in connection.execute(sql).fetchall()]
        finally:
            connection.close()
    import psycopg

    with psycopg.connect(location) as connection:
        assert connection.execute("SELECT version FROM schema_version").fetchone()[0] == 5
        return [tuple(r) for r in connection.execute(sql).fetchall()]


def flags_as_bools(rows: list[tuple]) -> list[tuple]:
    """SQLite gives its flags (archived, demo_or_trial) as 0 and 1, PostgreSQL as booleans."""
    return [(*r[:10], bool(r[10]), *r[11:13], bool(r[13])) for r in rows]


def test_upgrade_from_schema_5_makes_contacts_and_organizations(engine, old_location):
    before = old_rows(old_location, engine)
    db = open_database(old_location)
    assert schema.get_version(db) == schema.SCHEMA_VERSION >= 6  # 6, and any step after it
    after = read(db, f"SELECT {OLD_PROSPECT_COLUMNS} FROM prospect ORDER BY id")
    assert flags_as_bools(after) == flags_as_bools(before), "every old value kept"

    contacts = read(
        db, "SELECT prospect_id, name, title, email, phone, role FROM contact ORDER BY prospect_id"
    )
    expected_role = {"yes": "decision-maker", "no": "other", "unknown": None}
    with_contact = [r for r in before if r[3]]
    assert contacts == [(r[0], r[3], r[4], r[5], r[6], expected_role[r[7]]) for r in with_contact]
    assert (26, "Ann Roe", "CFO", "ann@rotul.example", "+34 600 000 001", "other") in contacts
    assert (27, "Bo Li", "", "", "", "decision-maker") in contacts
    assert (28, "Jo Park", "", "", "", None) in contacts
    assert not [c for c in contacts if c[0] == 30], "no contact where none was named"

    links = dict(read(db, "SELECT id, organization_id FROM prospect"))
    assert links[26] == links[27], "Ròtul SA and rotul  sa are one organization"
    assert links[28] != links[29], "Acme and Acme Inc. only look alike: never merged unasked"
    assert links[30] is None
    organizations = read(db, "SELECT name FROM organization ORDER BY id")
    assert len(organizations) == len({organization_key(r[2]) for r in before if r[2]})
    assert ("Ròtul SA",) in organizations
    db.close()


def test_the_upgraded_database_works_through_the_cli(engine, old_location):
    cli = CLI(old_location)
    import json

    org = json.loads(cli("org", "ROTUL SA", "--json", check=True).stdout)
    assert sorted(d["id"] for d in org["deals"]) == [26, 27]
    assert [p["name"] for p in org["people"]] == ["Ann Roe", "Bo Li"]
    cli("stage", "rename", "Proposal", "Offer", check=True)
    cli("contact", "add", "28", "Ann Roe", "--role", "decision-maker", check=True)
    listed = json.loads(cli("contact", "list", "28", "--json", check=True).stdout)
    assert [c["name"] for c in listed] == ["Jo Park", "Ann Roe"]


def test_an_upgraded_database_has_the_tables_of_a_new_one(engine, old_location, tmp_path):
    def columns(location) -> dict[str, list[tuple]]:
        db = open_database(location)
        try:
            return {
                table: sorted((c.name, c.data_type.lower(), c.null) for c in db.get_columns(table))
                for table in sorted(db.get_tables())
                if not table.startswith("sqlite_")
            }
        finally:
            db.close()

    upgraded = columns(old_location)
    if engine == "sqlite":
        assert upgraded == columns(tmp_path / "new.db")
        return
    import uuid

    from tests.conftest import PG_SERVER, _server_database

    name = f"pipeline_test_{uuid.uuid4().hex[:12]}"
    _server_database(name, 'CREATE DATABASE "{name}"')
    try:
        assert upgraded == columns(f"{PG_SERVER.rpartition('/')[0]}/{name}")
    finally:
        _server_database(name, 'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
