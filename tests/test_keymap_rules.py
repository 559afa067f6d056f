"""The rules of ``[keys]`` (pipeline_tui.keymap), as properties: whatever a user writes, what is
accepted leaves one action per key in each place, and a key name means one key."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipeline_tui import keymap
from pipeline_tui.errors import UserError

KEYS = st.sampled_from(
    ["W", "w", "n", "j", "k", "q", "?", "/", "enter", "escape", "ctrl+l", "ctrl+i", "tab", "f5", "F5"]
    + ["shift+w", "alt+W", "ctrl+p", "space", "x", "ctrl+[", "up", "home", "delete", "1", "é"]
)
NAMES = st.sampled_from([*keymap.DEFAULT_KEYS, "won", "note", "up", "open", "close", "follow_up", "nope"])
TABLES = st.dictionaries(NAMES, st.lists(KEYS, min_size=1, max_size=3).map(",".join), max_size=6)


@given(TABLES)
def test_what_is_accepted_binds_each_key_once_in_each_place(table):
    try:
        accepted = keymap.parse_keys(table, "config.toml")
    except UserError as refusal:
        assert str(refusal).startswith("config.toml: keys."), "a refusal names the setting"
        return
    assert set(accepted) <= set(keymap.DEFAULT_KEYS)
    bound = {**keymap.DEFAULT_KEYS, **accepted}
    for parts in keymap.PLACES.values():
        keys = [
            keymap.SAME_KEY.get(key, key)
            for binding_id, spelled in bound.items()
            if keymap.place_of(binding_id) in parts
            for key in spelled.split(",")
        ]
        assert len(keys) == len(set(keys))
        assert not set(keys) & set(keymap.RESERVED)


@given(st.one_of(st.text(max_size=12), st.sampled_from(["NL", "nl", "ctrl+NUL", "esc", "BEL"])))
def test_a_key_name_means_one_key(text):
    key = keymap.normal_key(text)
    if key is not None:
        assert keymap.normal_key(key) == key
        assert key.isprintable() and "," not in key


def test_a_character_by_any_of_its_names_is_the_key_textual_sends():
    from textual.keys import _character_to_key

    for spelled in ("-", "minus", "hyphen_minus", "HYPHEN_MINUS"):
        assert keymap.normal_key(spelled) == _character_to_key("-")
    assert keymap.normal_key("ctrl+question_mark") == keymap.normal_key("ctrl+?") == "ctrl+question_mark"


def test_the_names_the_help_shows_are_keys():
    assert [keymap.normal_key(k) for k in ("esc", "del", "PgUp", "PgDn", "ctrl+Esc")] == [
        "escape",
        "delete",
        "pageup",
        "pagedown",
        "ctrl+escape",
    ]


def test_one_key_under_two_names_is_bound_once():
    # (found by hypothesis: escape,ctrl+[ bound escape twice to one action)
    assert keymap.parse_keys({"people.close": "escape,ctrl+[,q"}, "c") == {"people.close": "escape,q"}


def test_the_issue_s_examples():
    assert keymap.parse_keys({"won": "W", "board": {"move_right": "ctrl+l"}}, "c") == {
        "board.won": "W",
        "board.move_right": "ctrl+l",
    }
