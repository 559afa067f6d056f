"""The upgrade to schema 9 (the board reader, issue 22), on both engines, from the databases the
code of schema 5 wrote (tests/fixtures/README.md), through schema 6: the stages' totals summed
up, every open prospect's stored score the core's, and every text found folded."""

from __future__ import annotations

from pipeline_tui.core.search import fold
from pipeline_tui.services import scores
from pipeline_tui.services.board import BoardReader
from pipeline_tui.store import schema, totals
from pipeline_tui.store.db import open_database
from pipeline_tui.store.models import Prospect, Stage
from tests.test_board_reader import SETTINGS, _summed, core_scores, stored_scores
from tests.test_migration_6 import old_location  # noqa: F401 - the fixture


def test_upgrade_to_schema_9_sums_the_stages_and_stores_the_cores_scores(old_location, now):  # noqa: F811
    db = open_database(old_location)
    assert schema.get_version(db) == schema.SCHEMA_VERSION >= 9
    every = [stage.id for stage in Stage.select()]
    assert {k: v for k, v in totals.stage_totals(every, None).items() if v[0]} == _summed()
    board = BoardReader(SETTINGS).read(now)  # the first read works every score and text out
    assert stored_scores() == core_scores(now)
    for _, cards in board.columns:
        column = [card.score for card in cards]
        assert column == sorted(column, reverse=True), "each column in score order"
    prospect = Prospect.select().where(Prospect.organization != "").first()
    found = BoardReader(SETTINGS).read(now, fold(prospect.organization).upper())
    assert prospect.id in {card.id for _, cards in found.columns for card in cards}
    scores.keep_current(now, SETTINGS)
    assert not db.execute_sql("SELECT COUNT(*) FROM prospect WHERE fresh_until IS NULL").fetchone()[0]
