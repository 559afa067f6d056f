"""The upgrade to schema 10 (a currency per prospect, issue 17), on both engines, from a
database of schema 9 (the schema-5 fixture brought up to 9 by the steps before): every old
prospect is in the home currency, the indexes that sum by currency are there, and the board's
totals count a new foreign deal at home."""

from __future__ import annotations

import peewee

from pipeline_tui.core.money import Currencies
from pipeline_tui.core.settings import Settings
from pipeline_tui.services.board import BoardReader
from pipeline_tui.services.prospects import add_prospect
from pipeline_tui.store import schema, schema_version
from pipeline_tui.store.db import open_database
from pipeline_tui.store.models import Prospect
from tests.test_migration_6 import old_location  # noqa: F401 - the fixture

SETTINGS = Settings(currency=Currencies("EUR", {"JPY": 0.01}))


def _indexes(db) -> set[str]:
    if isinstance(db, peewee.SqliteDatabase):
        sql = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        sql = "SELECT indexname FROM pg_indexes WHERE tablename = 'prospect'"
    return {name for (name,) in db.execute_sql(sql).fetchall()}


def test_upgrade_from_schema_9_gives_every_prospect_the_home_currency(old_location, now, monkeypatch):  # noqa: F811
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 9)
    monkeypatch.setattr(schema_version, "SCHEMA_VERSION", 9)
    monkeypatch.delitem(schema.MIGRATIONS, 10)
    db = open_database(old_location)
    assert schema.get_version(db) == 9
    columns = {column.name for column in db.get_columns("prospect")}
    assert "currency" not in columns
    reader = BoardReader(Settings())
    reader.stages()  # a schema-9 database as the last release left it (its board read once)
    db.close()
    monkeypatch.undo()

    db = open_database(old_location)
    assert schema.get_version(db) == schema_version.SCHEMA_VERSION  # (and the steps after 10)
    count = Prospect.select().count()
    assert count and Prospect.select().where(Prospect.currency == "").count() == count
    assert {"prospect_foreign", "prospect_closed_money"} <= _indexes(db)
    before = {head.title: head.value for head, _ in BoardReader(SETTINGS).read(now).columns}
    add_prospect(now, "Tokyo", stage="Lead", fields={"value": "¥1,000,000"})
    after = {head.title: head.value for head, _ in BoardReader(SETTINGS).read(now).columns}
    assert after["Lead"] - before["Lead"] == 1_000_000  # ¥1,000,000 = €10,000
