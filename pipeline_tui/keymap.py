"""Every key the app binds, by binding id: what ``[keys]`` in ``config.toml`` may rebind.

The config file's check reads this module, so every command that reads the config refuses an
unknown id or a clash without importing Textual; the UI's bindings carry these ids, and a test
holds the two equal (tests/ui/test_keymap.py), so a binding added to a screen shows up here.

An id is ``place.action``. The part before the dot says where the key works, and so which other
keys it may not share: the app's keys work on every view (board, agenda, report) over the list
in it; a screen over them (a prospect's pane, the help, a form, a question) takes the keys
alone while it is open.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Mapping

from pipeline_tui.errors import UserError

# id -> default keys, as the UI's bindings spell them
DEFAULT_KEYS: dict[str, str] = {
    "app.board": "1",
    "app.agenda": "2",
    "app.report": "3",
    "app.search": "slash",
    "app.new": "n",
    "app.undo": "u",
    "app.mine": "m",
    "app.call_block": "b",
    "app.keys": "question_mark",
    "app.quit": "q",
    "board.move_left": "left,h",
    "board.move_right": "right,l",
    "board.move_back": "shift+left,H",
    "board.move_on": "shift+right,L",
    "board.detail": "enter",
    "board.follow_up": "f",
    "board.won": "w",
    "board.lost": "x",
    "board.edit": "e",
    "board.people": "a",
    "board.merge": "M",
    "board.archive": "delete",
    "board.log_call": "c",
    "board.note": "o",
    "board.trial": "t",
    "board.cadence": "C",
    "board.pipeline": "p",
    "board.close": "escape",
    "board.detail_down": "J",
    "board.detail_up": "K",
    "board.detail_half_down": "ctrl+d",
    "board.detail_half_up": "ctrl+u",
    "list.up": "up,k",
    "list.down": "down,j",
    "list.page_up": "pageup",
    "list.page_down": "pagedown",
    "list.first": "home,g",
    "list.last": "end,G",
    "agenda.done": "d",
    "agenda.snooze_day": "s",
    "agenda.snooze_week": "S",
    "agenda.reschedule": "r",
    "agenda.follow_up": "f",
    "agenda.log_call": "c",
    "agenda.note": "o",
    "agenda.cadence": "C",
    "agenda.open": "enter",
    "report.open": "enter",
    "report.figures_down": "J",
    "report.figures_up": "K",
    "pane.back": "escape",
    "pane.down": "J,j,down",
    "pane.up": "K,k,up",
    "pane.page_down": "pagedown,space,ctrl+d",
    "pane.page_up": "pageup,ctrl+u",
    "pane.done": "d",
    "pane.snooze": "s",
    "pane.edit": "e",
    "pane.people": "a",
    "pane.follow_up": "f",
    "pane.log_call": "c",
    "pane.note": "o",
    "pane.trial": "t",
    "pane.cadence": "C",
    "pane.board": "1",
    "calls.dial": "c",
    "calls.done": "d",
    "calls.email": "e",
    "calls.snooze": "s",
    "calls.next": "j,down",
    "calls.previous": "k,up",
    "calls.cadence": "C",
    "calls.note": "o",
    "calls.back": "escape",
    "people.add": "a",
    "people.edit": "e,enter",
    "people.role": "r",
    "people.call": "c",
    "people.email": "m",
    "people.remove": "d,delete",
    "people.close": "escape,q",
    "people.down": "j",
    "people.up": "k",
    "stages.add": "a",
    "stages.rename": "r",
    "stages.up": "K,shift+up",
    "stages.down": "J,shift+down",
    "stages.remove": "d,delete",
    "stages.close": "escape,q",
    "stages.cursor_down": "j",
    "stages.cursor_up": "k",
    "help.close": "escape,q,question_mark",
    "help.down": "j",
    "help.up": "k",
    "form.cancel": "escape",
    "form.next_field": "down",
    "form.previous_field": "up",
    "confirm.yes": "y,enter",
    "confirm.no": "n,escape",
}

# where each place's keys work together: one key, one action, in each of these
PLACES: dict[str, tuple[str, ...]] = {
    "the board": ("app", "board", "list"),
    "the agenda": ("app", "agenda", "list"),
    "the report": ("app", "report", "list"),
    "a prospect's pane": ("pane",),
    "the call block": ("app", "calls"),
    "a deal's people": ("people",),
    "the stage editor": ("stages",),
    "the keys help": ("help",),
    "a form": ("form",),
    "a question": ("confirm",),
}
TYPED_INTO = ("form",)  # a form's fields take every key that types a character

# Textual's own keys, the same on every screen
RESERVED = {
    "ctrl+q": "quits",
    "ctrl+c": "copies or says how to quit",
    "ctrl+p": "opens the command palette",
    "tab": "moves the focus",
    "shift+tab": "moves the focus back",
}
# one key that terminals send under two names (Textual's KEY_ALIASES)
SAME_KEY = {
    "ctrl+i": "tab",
    "ctrl+m": "enter",
    "ctrl+left_square_bracket": "escape",
    "ctrl+space": "ctrl+at",
    "newline": "ctrl+j",
}

MODIFIERS = ("ctrl", "alt", "shift", "meta", "super", "hyper")
NAMED_KEYS = frozenset(
    ["escape", "enter", "tab", "backspace", "delete", "insert", "home", "end", "pageup", "pagedown"]
    + ["up", "down", "left", "right", "space", "newline"]
    + [f"f{n}" for n in range(1, 25)]
)
# the names ? shows for some keys (and people write), for the names Textual gives them
SHORT_KEY_NAMES = {"esc": "escape", "del": "delete", "pgup": "pageup", "pgdn": "pagedown", "return": "enter"}
# what Textual calls the characters whose Unicode names it shortens
_SHORT_NAMES = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}


def character_key(character: str) -> str:
    """The key name Textual gives a typed character: itself if a letter or digit, else its
    Unicode name in lower case (``?`` is ``question_mark``)."""
    if character.isalnum():
        return character
    try:
        name = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return character
    return _SHORT_NAMES.get(name, name)


# the punctuation a keyboard types, by key name (some Unicode names hold a dash: HYPHEN-MINUS)
_NAMED_CHARACTERS = {character_key(chr(code)): chr(code) for code in range(0x20, 0x250)}


def _character_of(name: str) -> str | None:
    """The character a key name stands for (``question_mark`` is ``?``), if any."""
    if len(name) == 1:
        return name
    if name in _NAMED_CHARACTERS:
        return _NAMED_CHARACTERS[name]
    # each _ stood for a space or a dash in the Unicode name (AR-RAHMAN): try both
    words = name.upper().split("_")
    if len(words) > 9:
        return None
    for dashes in itertools.product(" -", repeat=len(words) - 1):
        try:
            joined = "".join(word + dash for word, dash in zip(words, (*dashes, ""), strict=True))
            return unicodedata.lookup(joined)
        except KeyError:
            continue
    return None


def normal_key(text: str) -> str | None:
    """``text`` as Textual names the key (``?`` -> ``question_mark``, ``Ctrl+L`` ->
    ``ctrl+l``, ``shift+w`` -> ``W``), or None when it names no key."""
    text = text.strip()
    if text.endswith("+") and len(text) > 1:  # "ctrl++"
        text = text[:-1] + "plus"
    *modifiers, name = text.split("+") if len(text) > 1 else [text]
    modifiers = [m.lower() for m in modifiers]
    if not name or any(m not in MODIFIERS for m in modifiers) or len(set(modifiers)) < len(modifiers):
        return None
    if len(name) == 1:
        if not name.isprintable():
            return None
        if modifiers == ["shift"] and name.isalpha():
            return name.upper()  # what a terminal sends for shift and a letter
        if modifiers and name.isalpha():
            if name.isupper() and modifiers == ["alt"]:
                modifiers.append("shift")  # alt+W arrives as alt+shift+w; ctrl+L as ctrl+l
            name = name.lower()
        name = character_key(name)
    elif name.lower() not in NAMED_KEYS and name.lower() not in SHORT_KEY_NAMES:
        character = _character_of(name.lower())
        if character is None or not character.isprintable():  # (NL is a name of a line feed)
            return None
        name = character_key(character)  # Textual's name for it: hyphen_minus is minus
    else:
        name = name.lower()
    name = SHORT_KEY_NAMES.get(name, name)
    return "+".join([*sorted(modifiers), name])  # Textual names modifiers in this order


def types_a_character(key: str) -> bool:
    """Whether ``key`` types a character into a text field (no modifier but shift)."""
    *modifiers, name = key.split("+")
    return set(modifiers) <= {"shift"} and (name == "space" or _character_of(name) is not None)


def place_of(binding_id: str) -> str:
    return binding_id.partition(".")[0]


def _flatten(table: Mapping, prefix: str = "") -> dict[str, object]:
    """``board.won = "W"`` in TOML is a table ``board`` holding ``won``: back to dotted names."""
    flat: dict[str, object] = {}
    for name, value in table.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def ids_named(name: str) -> list[str]:
    """The binding ids ``name`` means: itself, or, without a place, that action in every place
    that has it (``note`` is board.note and agenda.note)."""
    if name in DEFAULT_KEYS:
        return [name]
    if "." not in name:
        return [binding_id for binding_id in DEFAULT_KEYS if binding_id.partition(".")[2] == name]
    return []


def parse_keys(table: object, where: str) -> dict[str, str]:
    """Check the ``[keys]`` table of the config file: binding id (or action name) -> keys, comma
    separated. Returns the keymap Textual takes (id -> keys in its names); refuses an unknown
    id, a key that is not one, and two actions on one key in one place, naming the setting."""
    if not isinstance(table, Mapping):
        raise UserError(f"{where}: [keys] must be a table of binding ids and keys")
    flat = _flatten(table)
    keymap: dict[str, tuple[str, str]] = {}  # id -> (its keys, the setting that gave them)
    # an action's short name first, so that a full id given too has the last word
    for name in sorted(flat, key=lambda n: n in DEFAULT_KEYS):
        ids = ids_named(name)
        if not ids:
            shown_name = name if name.isprintable() else repr(name)  # as typed, unless it would act
            raise UserError(
                f"{where}: keys.{shown_name}: no such binding id (`pipeline-tui help keys` lists them)"
            )
        keys = _keys_of(flat[name], f"{where}: keys.{name}")
        for binding_id in ids:
            keymap[binding_id] = (keys, name)
    _check_clashes(keymap, where)
    return {binding_id: keys for binding_id, (keys, _) in keymap.items()}


def _keys_of(value: object, setting: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UserError(f'{setting} must be keys in quotes, e.g. "ctrl+l" or "W,ctrl+w"')
    keys = []
    for text in value.split(","):
        key = normal_key(text)
        if key is None:
            raise UserError(f"{setting}: {text.strip()!r} is not a key (e.g. W, ctrl+l, f5, enter, ?)")
        # one key under two names (ctrl+[ is escape) is bound once, as first written
        if all(SAME_KEY.get(key, key) != SAME_KEY.get(other, other) for other in keys):
            keys.append(key)
    return ",".join(keys)


def _check_clashes(keymap: Mapping[str, tuple[str, str]], where: str) -> None:
    bound = {
        binding_id: keymap[binding_id][0] if binding_id in keymap else DEFAULT_KEYS[binding_id]
        for binding_id in DEFAULT_KEYS
    }
    for binding_id, (keys, setting) in keymap.items():
        for key in keys.split(","):
            if SAME_KEY.get(key, key) in RESERVED:
                raise UserError(
                    f"{where}: keys.{setting}: {shown(key)} {RESERVED[SAME_KEY.get(key, key)]} everywhere; "
                    "choose another key"
                )
            if place_of(binding_id) in TYPED_INTO and types_a_character(key):
                raise UserError(
                    f"{where}: keys.{setting}: {shown(key)} types into a form's fields; choose a key "
                    "such as ctrl+… or a function key"
                )
    for place, parts in PLACES.items():
        taken: dict[str, tuple[str, str]] = {}  # the key, as Textual receives it -> (id, key)
        for binding_id, keys in bound.items():
            if place_of(binding_id) not in parts:
                continue
            for key in keys.split(","):
                other = taken.setdefault(SAME_KEY.get(key, key), (binding_id, key))
                if other[0] != binding_id:
                    _clash(keymap, (binding_id, key), other, place, where)


def _clash(keymap: Mapping[str, tuple[str, str]], one: tuple, other: tuple, place: str, where: str):
    """Say which settings bind one key twice: the user's key, as they wrote it."""
    if one[0] in keymap and other[0] in keymap:
        first, second = sorted({keymap[one[0]][1], keymap[other[0]][1]})
        raise UserError(f"{where}: keys.{first} and keys.{second} both bind {shown(one[1])} on {place}")
    (mine, key), (theirs, _) = (one, other) if one[0] in keymap else (other, one)
    raise UserError(
        f"{where}: keys.{keymap[mine][1]}: {shown(key)} is already {theirs} on {place} "
        "(rebind that one too, or choose another key)"
    )


def shown(key: str) -> str:
    """A key as a user types it: ``ctrl+question_mark`` is ``ctrl+?``."""
    *modifiers, name = key.split("+")
    character = _character_of(name) if name not in NAMED_KEYS else None
    return "+".join([*modifiers, character if character and character.isprintable() else name])
