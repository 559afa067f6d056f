"""The upgrade to schema 11 (each open prospect's advice stored beside its score, issue 22), on
both engines, from a database of schema 10 (the schema-5 fixture brought up by the steps
before): the table is there and empty, no row is fresh (the next look works them all out,
advice included), and the freshness triggers now watch what the advice reads."""

from __future__ import annotations

from datetime import datetime

from pipeline_tui.core.settings import Settings
from pipeline_tui.services import scores
from pipeline_tui.store import freshness, schema, schema_version
from pipeline_tui.store.db import open_database
from pipeline_tui.store.models import Prospect
from tests.test_migration_6 import old_location  # noqa: F401 - the fixture
from tests.test_stored_advice import _cores_advice, _stored_advice

LATER = datetime(9999, 1, 1)


def _advice_rows(db) -> int:
    return db.execute_sql("SELECT COUNT(*) FROM stored_advice").fetchone()[0]


def test_upgrade_to_schema_11_stores_no_advice_and_leaves_every_row_to_work_out(
    old_location,  # noqa: F811
    now,
    monkeypatch,
):
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 10)
    monkeypatch.setattr(schema_version, "SCHEMA_VERSION", 10)
    monkeypatch.delitem(schema.MIGRATIONS, 11)
    db = open_database(old_location)
    assert schema.get_version(db) == 10
    assert "stored_advice" not in db.get_tables()
    Prospect.update(fresh_until=LATER).execute()  # scores stored by schema 10's board
    db.close()
    monkeypatch.undo()

    db = open_database(old_location)
    assert schema.get_version(db) == 11
    assert _advice_rows(db) == 0
    count = Prospect.select().count()
    assert count and Prospect.select().where(Prospect.fresh_until.is_null()).count() == count
    scores.keep_current(now, Settings())
    assert _advice_rows(db) and _stored_advice(now) == _cores_advice(now)
    pid = Prospect.select(Prospect.id).where(Prospect.fresh_until.is_null(False)).first().id
    Prospect.update(probability=0.9).where(Prospect.id == pid).execute()  # read by the advice alone
    assert freshness.any_stale(now)
