"""The key lines under a list or in a prospect's pane ("a add · e edit"), with the user's keys
where ``[keys]`` in config.toml rebinds them: a line that named a key no longer bound would
send the user to the wrong key."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pipeline_tui.keymap import DEFAULT_KEYS, shown

# (binding ids, the key as the line shows it by default, what it does); several ids: "K/J"
Hint = tuple[tuple[str, ...], str, str]


def key_line(hints: Sequence[Hint], keymap: Mapping[str, str], glue: str = " ") -> str:
    """``hints`` joined into one line; ``glue`` goes between a key and what it does."""
    return " · ".join(
        f"{key_of(ids, key, keymap)}{glue}{what.replace(' ', glue)}" for ids, key, what in hints
    )


def key_of(ids: tuple[str, ...], default: str, keymap: Mapping[str, str]) -> str:
    """The key a line names for ``ids``: ``default`` unless the user rebound one of them."""
    if not any(binding_id in keymap for binding_id in ids):
        return default
    return "/".join(_first_key(keymap.get(binding_id, DEFAULT_KEYS[binding_id])) for binding_id in ids)


def _first_key(keys: str) -> str:
    key = shown(keys.split(",")[0])
    return {"escape": "esc", "delete": "del"}.get(key, key)
