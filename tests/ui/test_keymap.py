"""Your own keys: ``[keys]`` in config.toml rebinds actions by binding id, through Textual's
keymap. The ids the config check knows (pipeline_tui.keymap, read without Textual) are the
UI's real bindings; the footer and ``?`` show the user's keys, and the keys work."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.keys import _character_to_key

import pipeline_tui.ui
from pipeline_tui import keymap
from pipeline_tui.store.models import Prospect, Stage
from tests.ui.helpers import cards_in, focused_card, screen_text

SIZE = (120, 40)
UI = Path(pipeline_tui.ui.__file__).parent


def _ui_classes():
    for info in pkgutil.walk_packages([str(UI)], "pipeline_tui.ui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and "BINDINGS" in vars(cls):
                yield cls


def _split(keys: str) -> list[str]:
    return [keymap.normal_key(key) for key in keys.split(",")]


def test_every_binding_in_the_ui_has_an_id_the_config_check_knows_with_its_keys():
    """The config check (which the command line runs without Textual) knows exactly the ids of
    the UI's bindings, with their keys: a binding added to a screen must be listed there."""
    found = {}
    for cls in _ui_classes():
        for binding in vars(cls)["BINDINGS"]:
            assert isinstance(binding, Binding), (cls, binding)
            assert binding.id, (
                f"{cls.__name__}: {binding.key!r} has no id (add one, and list it in keymap.py)"
            )
            assert binding.id not in found, f"{binding.id} is bound twice"
            found[binding.id] = (cls, binding.key)
    unlisted, gone = (
        sorted(set(found) - set(keymap.DEFAULT_KEYS)),
        sorted(set(keymap.DEFAULT_KEYS) - set(found)),
    )
    assert not unlisted, f"add {unlisted} to DEFAULT_KEYS in pipeline_tui/keymap.py (a new place: PLACES too)"
    assert not gone, f"{gone} are bound nowhere in the UI: take them out of pipeline_tui/keymap.py"
    for binding_id, (_, keys) in found.items():
        assert _split(keys) == _split(keymap.DEFAULT_KEYS[binding_id]), binding_id


def test_each_place_of_ids_is_the_class_that_binds_them():
    from pipeline_tui.ui.app import PipelineApp
    from pipeline_tui.ui.screens.agenda import AgendaScreen
    from pipeline_tui.ui.screens.board import BoardScreen
    from pipeline_tui.ui.screens.call_block import CallBlockScreen
    from pipeline_tui.ui.screens.help import HelpScreen
    from pipeline_tui.ui.screens.people import PeopleScreen
    from pipeline_tui.ui.screens.prospect_pane import ProspectPaneScreen
    from pipeline_tui.ui.screens.report import ReportScreen
    from pipeline_tui.ui.screens.stages import StagesScreen
    from pipeline_tui.ui.widgets.forms import ConfirmScreen, FormScreen
    from pipeline_tui.ui.widgets.virtual_list import VirtualList

    places = {
        "app": PipelineApp,
        "board": BoardScreen,
        "list": VirtualList,
        "agenda": AgendaScreen,
        "report": ReportScreen,
        "pane": ProspectPaneScreen,
        "calls": CallBlockScreen,
        "people": PeopleScreen,
        "stages": StagesScreen,
        "help": HelpScreen,
        "form": FormScreen,
        "confirm": ConfirmScreen,
    }
    assert {keymap.place_of(i) for i in keymap.DEFAULT_KEYS} == set(places)
    assert {part for parts in keymap.PLACES.values() for part in parts} == set(places)
    for place, cls in places.items():
        assert all(keymap.place_of(b.id) == place for b in vars(cls)["BINDINGS"]), place


def test_no_binding_anywhere_in_the_ui_source_lacks_an_id():
    """Also a Binding made outside a BINDINGS list (the help once made up its own)."""
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Binding":
                keywords = {k.arg for k in node.keywords}
                assert "id" in keywords, f"{path.name}:{node.lineno}: a Binding without an id"


def test_the_key_names_are_textuals():
    for code in range(0x20, 0x7F):
        assert keymap.character_key(chr(code)) == _character_to_key(chr(code)), repr(chr(code))
    for character in "éñß€":
        assert keymap.character_key(character) == _character_to_key(character)


def test_the_keys_textual_counts_as_one_are_one_here():
    from textual.keys import KEY_ALIASES

    for key, aliases in KEY_ALIASES.items():
        for alias in aliases:
            if keymap.normal_key(alias) is not None:  # (one spelling Textual has is no key name)
                assert keymap.SAME_KEY.get(alias, alias) == keymap.SAME_KEY.get(key, key), alias


def test_the_defaults_clash_nowhere():
    assert keymap.parse_keys({}, "config.toml") == {}
    # rebinding an action to its own default keys is no clash either
    assert keymap.parse_keys({"won": "w"}, "config.toml") == {"board.won": "w"}


# -- in the app ---------------------------------------------------------------------------------


def _settings(keys: dict) -> object:
    from pipeline_tui.core.settings import Settings

    return Settings(keys=keymap.parse_keys(keys, "config.toml"))


def _stage_of(prospect_id: int) -> str:
    return Stage.get_by_id(Prospect.get_by_id(prospect_id).stage_id).name


async def test_a_rebound_key_does_the_action_and_the_old_one_no_longer_does(demo_db, make_app):
    settings = _settings({"won": "W", "board": {"move_right": "ctrl+l"}})
    app = make_app(settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l")  # no longer the next column
        await pilot.pause()
        assert focused_card(app).id == cards_in(app, "Lead")[0].id
        await pilot.press("ctrl+l")
        await pilot.pause()
        card = focused_card(app)
        assert card.id == cards_in(app, "Qualified")[0].id
        await pilot.press("w")  # no longer won
        await pilot.pause()
        assert _stage_of(card.id) == "Qualified"
        await pilot.press("W")
        await pilot.pause()
        assert _stage_of(card.id) == "Won"


async def test_the_footer_and_the_help_show_the_users_keys(demo_db, make_app):
    from pipeline_tui.ui.screens.help import HelpScreen

    app = make_app(settings=_settings({"board.won": "W", "follow_up": "F", "keys": "f1"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = screen_text(app).splitlines()[-1]
        assert " W Won " in footer and " F Follow-up " in footer and " f1 Keys " in footer
        assert " w Won " not in footer and " ? Keys " not in footer
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        lines = {tuple(line.split(maxsplit=1)) for line in app.screen.text().splitlines() if line.strip()}
        assert ("W", "Won") in lines and ("F", "Follow-up") in lines and ("f1", "Keys") in lines
        assert ("w", "Won") not in lines and ("f", "Follow-up") not in lines
        await pilot.press("2")  # (a key of the views: the help keeps it)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        assert " F Follow-up" not in screen_text(app).splitlines()[-1], "agenda's f is hidden"
        await pilot.press("F")  # agenda.follow_up, rebound by its action's name
        await pilot.pause()
        assert "Follow up with" in screen_text(app)


async def test_swapping_two_list_keys_works(demo_db, make_app):
    app = make_app(settings=_settings({"list.down": "k", "list.up": "j"}))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("k")
        assert focused_card(app).id == cards_in(app, "Lead")[1].id
        await pilot.press("j")
        assert focused_card(app).id == cards_in(app, "Lead")[0].id


@pytest.mark.parametrize(
    "keys, message",
    [
        ({"won": "n"}, "keys.won: n is already app.new on the board"),
        ({"board.won": "j"}, "keys.board.won: j is already list.down on the board"),
        ({"won": "X", "lost": "X"}, "keys.lost and keys.won both bind X on the board"),
        ({"agenda.done": "enter"}, "keys.agenda.done: enter is already agenda.open on the agenda"),
        ({"won": "ctrl+["}, "keys.won: ctrl+[ is already board.close on the board"),  # it is escape
        ({"wonn": "W"}, "keys.wonn: no such binding id"),
        ({"\x1b[2Jwon": "W"}, "keys.'\\x1b[2Jwon': no such binding id"),
        ({"board": {"move_rigth": "ctrl+l"}}, "keys.board.move_rigth: no such binding id"),
        ({"won": "ctrl+p"}, "keys.won: ctrl+p opens the command palette"),
        ({"won": "ctrl+zz"}, "keys.won: 'ctrl+zz' is not a key"),
        ({"won": 5}, "keys.won must be keys in quotes"),
        ({"form.cancel": "q"}, "keys.form.cancel: q types into a form's fields"),
    ],
)
def test_clashes_and_unknown_ids_are_refused_naming_the_setting(keys, message):
    from pipeline_tui.errors import UserError

    with pytest.raises(UserError) as refused:
        keymap.parse_keys(keys, "config.toml")
    assert f"config.toml: {message}" in str(refused.value)


def test_the_same_key_in_two_places_is_no_clash():
    # as n is "new" on the views and "no" in a question, and q quits and closes the help
    assert keymap.parse_keys({"app.quit": "ctrl+x", "help.close": "ctrl+x"}, "c") == {
        "app.quit": "ctrl+x",
        "help.close": "ctrl+x",
    }


async def test_the_key_lines_of_the_pane_and_the_people_list_name_the_users_keys(db, now, make_app):
    from pipeline_tui.services.prospects import add_prospect
    from pipeline_tui.ui.screens.people import PeopleScreen
    from tests.ui.helpers import board_of

    deal = add_prospect(now, "Acme fleet", fields={"organization": "Acme"})
    keys = {"board.edit": "E", "board.people": "P", "board.detail_down": "ctrl+j", "people.email": "ctrl+e"}
    app = make_app(settings=_settings({**keys, "follow_up": "F"}))
    async with app.run_test(size=(80, 24)) as pilot:  # (small: the pane says there is more below)
        app.open_prospect(deal.id)
        await pilot.pause()
        text = " ".join(board_of(app).detail.text().replace("\xa0", " ").split())
        # (where the key line wraps, the separator goes: compare the hints)
        assert text.replace(" · ", " ").endswith(
            "E edit P people F follow-up c log call o note t trial/demo C cadence ctrl+j/K scroll esc close"
        ), text
        assert "No next step scheduled: press F" in text
        assert "more lines · ctrl+j/K scroll" in screen_text(app)
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, PeopleScreen)
        assert "a add · e edit · r role · c call · ctrl+e email · d remove" in screen_text(app)
