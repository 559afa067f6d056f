"""A search typed letter by letter: a letter added narrows the matches kept from the last one in
memory (store.search.KEEP), and the board it gives is the one a fresh search gives; a letter
taken away, a write, another pipeline read again."""

from __future__ import annotations

import pytest

from pipeline_tui.services import scores
from pipeline_tui.services.board import BoardReader
from pipeline_tui.services.prospects import add_prospect, archive_prospect, edit_prospect, mark_lost, mark_won
from pipeline_tui.services.setup import add_pipeline
from pipeline_tui.store import search
from tests.test_board_reader import SETTINGS

NAMES = (
    "Acme deal",
    "Acme dental",
    "ACME Déntal 100%",
    "acme_dental",
    'Say "acme"',
    "[bold]acme[/bold] 東京",
    "Other deal",
    "東京 acme\x1b[31m",
)


def _pipeline(now) -> None:
    for number, name in enumerate(NAMES * 3):
        stage = ("Lead", "Qualified", "Trial")[number % 3]
        prospect = add_prospect(now, f"{name} {number}", stage=stage, fields={"value": str(100 * number)})
        if number % 7 == 3:
            mark_won(prospect.id, now)
        elif number % 7 == 5:
            mark_lost(prospect.id, "price", now)
        elif number % 7 == 6:
            archive_prospect(prospect.id, now)


def _view(board) -> list[tuple]:
    return [(head.title, head.count, head.more, [card for card in cards]) for head, cards in board.columns]


def _fresh(now, text: str, pipeline: str | None = None):
    return BoardReader(SETTINGS, pipeline).read(now, text)


@pytest.mark.parametrize(
    "typed",
    ["acme dental 1", "acme déntal 100%", "acme_d", '"acme"', "[bold]acme[/bold] 東", "東京 acme\x1b["],
)
def test_a_search_typed_letter_by_letter_and_taken_back_finds_what_a_fresh_search_finds(db, now, typed):
    """Each letter added (narrowed in memory once three are typed), then each taken away (read
    again): the same columns, counts and cards, in the same order, as a search read afresh."""
    _pipeline(now)
    reader = BoardReader(SETTINGS)
    board = reader.read(now)
    lengths = [*range(1, len(typed) + 1), *range(len(typed) - 1, 0, -1)]
    for length in lengths:
        board = reader.read(now, typed[:length], board, [])
        assert _view(board) == _view(_fresh(now, typed[:length])), typed[:length]
    assert any(len(cards) for _, cards in board.columns), "something was found"


def _search_queries(db, monkeypatch) -> list[str]:
    """The SQL run from now on that looks in the texts or their index."""
    ran: list[str] = []
    execute = type(db).execute_sql

    def counting(self, sql, params=None, *args, **kwargs):
        if "search_text" in sql or "prospect_search" in sql:
            ran.append(sql)
        return execute(self, sql, params, *args, **kwargs)

    monkeypatch.setattr(type(db), "execute_sql", counting)
    return ran


def test_a_letter_added_to_a_search_that_found_few_asks_the_database_nothing_to_find_them(
    db, now, monkeypatch
):
    _pipeline(now)
    reader = BoardReader(SETTINGS)
    board = reader.read(now, "acm")
    ran = _search_queries(db, monkeypatch)
    board = reader.read(now, "acme", board, [])
    board = reader.read(now, "acme d", board, [])
    assert ran == []
    assert _view(board) == _view(_fresh(now, "acme d"))
    ran.clear()
    reader.read(now, "acme", board, [])  # a letter taken away: looked for again
    assert len(ran) == 2  # the ids found, then their rows


def test_more_matches_than_are_kept_are_looked_for_row_by_row(db, now, monkeypatch):
    monkeypatch.setattr(search, "KEEP", 5)
    _pipeline(now)
    reader = BoardReader(SETTINGS)
    board = reader.read(now, "acme")  # 21 hold it
    assert any(head.more for head, _ in board.columns) is False
    assert _view(board) == _view(_fresh(now, "acme"))
    ran = _search_queries(db, monkeypatch)
    board = reader.read(now, "acme d", board, [])  # 9 hold it: still more than kept
    assert ran and _view(board) == _view(_fresh(now, "acme d"))
    board = reader.read(now, "acme dental 1", board, [])  # 5: kept
    ran.clear()
    board = reader.read(now, "acme dental 10", board, [])
    assert ran == [] and _view(board) == _view(_fresh(now, "acme dental 10"))


def test_a_write_while_searching_is_read_again_not_narrowed_from_before(db, now):
    """``touched=None``: something may have been written (the screen passes it so after any
    write, its own or another program's): the matches are looked for again."""
    _pipeline(now)
    reader = BoardReader(SETTINGS)
    board = reader.read(now, "acme d", reader.read(now, "acme"), [])
    added = add_prospect(now, "Acme dynamo", stage="Trial")
    renamed = next(card for _, cards in board.columns for card in cards if card.name.startswith("Acme deal"))
    edit_prospect(renamed.id, now, {"name": "Renamed"})
    board = reader.read(now, "acme dy", board, None)
    assert [card.name for _, cards in board.columns for card in cards] == ["Acme dynamo"]
    board = reader.read(now, "acme d", board, None)
    names = {card.name for _, cards in board.columns for card in cards}
    assert "Acme dynamo" in names and "Renamed" not in names
    assert _view(board) == _view(_fresh(now, "acme d")) and added.id


def test_another_pipeline_shows_its_own_matches_from_those_kept(db, now):
    _pipeline(now)
    add_pipeline("Renewals")
    renewal = add_prospect(now, "Acme dental renewal", pipeline="Renewals")
    reader = BoardReader(SETTINGS)
    board = reader.read(now, "acme")
    assert renewal.id not in {card.id for _, cards in board.columns for card in cards}
    reader.pipeline_name = "Renewals"
    board = reader.read(now, "acme d", board, [])
    assert [card.id for _, cards in board.columns for card in cards] == [renewal.id]
    assert _view(board) == _view(_fresh(now, "acme d", "Renewals"))


def test_a_kept_search_hands_over_the_cards_read_before_with_no_query(db, now, monkeypatch):
    """Nothing written, the same minute: a window whose cards were all read before is the same
    objects, so the columns draw nothing again."""
    _pipeline(now)
    reader = BoardReader(SETTINGS)
    board = reader.read(now, "acme")
    before = {card.id: card for _, cards in board.columns for card in cards}
    ran: list[str] = []
    execute = type(db).execute_sql
    monkeypatch.setattr(
        type(db), "execute_sql", lambda self, sql, *a, **k: ran.append(sql) or execute(self, sql, *a, **k)
    )
    board = reader.read(now, "acme ", board, [])
    ran.clear()
    after = [card for _, cards in board.columns for card in cards]
    assert after and all(before[card.id] is card for card in after)
    assert ran == []


def test_a_board_read_elsewhere_is_not_narrowed_from_what_this_reader_kept(db, now):
    """``before`` must be this reader's last board: another's, read after a write, says
    nothing about what this one kept."""
    _pipeline(now)
    reader = BoardReader(SETTINGS)
    reader.read(now, "acme")
    add_prospect(now, "Acme dynamo")
    elsewhere = BoardReader(SETTINGS).read(now, "acme")
    board = reader.read(now, "acme dy", elsewhere, [])
    assert [card.name for _, cards in board.columns for card in cards] == ["Acme dynamo"]


@pytest.mark.parametrize("text", ["ac", "acme d", "ACME DÉNTAL"])
def test_the_palette_finds_live_prospects_by_name_as_the_board_does(db, now, text):
    """Few matches come by their ids, a short piece row by row: live ones only, by name."""
    from pipeline_tui.core.search import fold
    from pipeline_tui.services.views import find_prospects
    from pipeline_tui.store.models import Prospect

    _pipeline(now)
    scores.keep_current(now, SETTINGS)  # (the board's first read works the texts out)
    found = find_prospects(text, limit=100)
    live = Prospect.select().where(Prospect.archived == False)  # noqa: E712
    expected = sorted((p.name, p.id) for p in live if fold(text) in p.search_text)
    assert [(name, pid) for pid, name, _ in found] == expected and expected
