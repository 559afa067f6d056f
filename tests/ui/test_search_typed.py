"""The search as a user types it (Pilot, both engines): the cards each letter finds, a letter
taken away, a card written meanwhile, hostile text found as it is and shown as text."""

from __future__ import annotations

import pytest
from textual import events

from pipeline_tui.services.prospects import add_prospect, edit_prospect, mark_won
from pipeline_tui.store.models import Prospect
from tests.conftest import ENGINES
from tests.ui.helpers import board_of, cards_in, column_names, screen_text

SIZE = (120, 40)


@pytest.fixture(params=ENGINES)
def engine(request) -> str:
    """Unlike the other screens, on both engines: the search finds through an index on SQLite
    and through one look at the texts on a server."""
    return request.param


def _shown(app) -> dict[str, list[str]]:
    return {stage: [card.name for card in cards_in(app, stage)] for stage in column_names(app)}


def _found(app) -> set[str]:
    return {name for names in _shown(app).values() for name in names}


def _prospects(now) -> None:
    for number, name in enumerate(["Zanzibar dental", "Zanzibar dairy", "Zanzi ideas", "Dental lab"]):
        add_prospect(now, name, stage=("Lead", "Qualified", "Trial", "Proposal")[number])


async def test_each_letter_typed_shows_the_cards_that_hold_the_search_and_a_letter_taken_away_widens(
    db, make_app, now
):
    _prospects(now)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"zanzibar")
        await pilot.pause()
        assert _found(app) == {"Zanzibar dental", "Zanzibar dairy"}
        assert _shown(app)["Lead"] == ["Zanzibar dental"]
        await pilot.press("space", "d", "e")
        await pilot.pause()
        assert _found(app) == {"Zanzibar dental"}
        assert "zanzibar de" in screen_text(app).splitlines()[1]
        await pilot.press("backspace", "backspace", "backspace")
        await pilot.pause()
        assert _found(app) == {"Zanzibar dental", "Zanzibar dairy"}
        await pilot.press("backspace", "backspace", "backspace")
        await pilot.pause()  # "zanzi": the idea too
        assert _found(app) == {"Zanzibar dental", "Zanzibar dairy", "Zanzi ideas"}


async def test_a_card_written_while_the_search_is_open_shows_as_written(db, make_app, now):
    """Another program adds a match, renames one away and wins one: the next letter shows it."""
    _prospects(now)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"zanzib")
        await pilot.pause()
        assert _found(app) == {"Zanzibar dental", "Zanzibar dairy"}
        add_prospect(now, "Zanzibar docks", stage="Trial")
        edit_prospect(Prospect.get(Prospect.name == "Zanzibar dairy").id, now, {"name": "Dairy farm"})
        mark_won(Prospect.get(Prospect.name == "Zanzibar dental").id, now)
        await pilot.press("a")
        await pilot.pause()
        assert _shown(app)["Trial"] == ["Zanzibar docks"]
        assert _found(app) == {"Zanzibar docks", "Zanzibar dental"}
        assert _shown(app)["Won"] == ["Zanzibar dental"]


async def test_hostile_text_typed_is_found_as_it_is_and_shown_as_text(db, make_app, now):
    """Markup, an escape sequence (pasted: the key ESC closes the search) and CJK are looked for
    literally; the cards and the search line show them as text, never as markup or as codes
    sent to the terminal."""
    add_prospect(now, "[b]Acme[/b] 東京")
    add_prospect(now, "Red \x1b[31m alert")
    add_prospect(now, "Acme plain")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"[b]")
        await pilot.pause()
        assert _found(app) == {"[b]Acme[/b] 東京"}
        assert "[b]Acme[/b] 東京" in screen_text(app)
        await pilot.press("escape", "slash", *"東京")
        await pilot.pause()
        assert _found(app) == {"[b]Acme[/b] 東京"}
        assert "東京" in screen_text(app).splitlines()[1]
        await pilot.press("escape", "slash")
        await pilot.pause()
        board_of(app).search.post_message(events.Paste("\x1b[31m"))
        await pilot.pause()
        assert board_of(app).filter == "\x1b[31m"
        assert _found(app) == {"Red \x1b[31m alert"}
        text = screen_text(app)
        assert "\x1b" not in text and "Red �[31m alert" in text


async def test_a_letter_that_finds_the_same_cards_draws_no_column_again(db, make_app, now):
    """Columns short of the screen (or empty) are blank below their cards before and after:
    a letter that changes none of them draws none of them (only the search line and strip)."""
    from pipeline_tui.ui.textual_internals import dirty_regions

    _prospects(now)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"zanzibar de")
        await pilot.pause()
        board = board_of(app)
        for column in board.columns:
            dirty_regions(column).clear()
        board.search.insert_text_at_cursor("n")  # as the key n does, no frame drawn yet
        assert board.data.search == "zanzibar den"
        assert [dirty_regions(column) for column in board.columns] == [set()] * len(board.columns)
        await pilot.pause()
        assert _found(app) == {"Zanzibar dental"}


async def test_letters_typed_at_once_after_the_slash_stay_typed_when_one_is_taken_back(db, make_app, now):
    """A fast typist's / and letters come in one read of the terminal, before the search line
    has had its focus event: that event must not select the letters, or the next backspace
    takes them all."""
    _prospects(now)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key, char in [("slash", "/"), *((letter, letter) for letter in "zanzibar")]:
            app.post_message(events.Key(key, char))  # no pause between: as a terminal delivers them
        await pilot.pause()
        await pilot.press("backspace")
        await pilot.pause()
        assert "zanziba" in screen_text(app).splitlines()[1]
        assert _found(app) == {"Zanzibar dental", "Zanzibar dairy"}
