"""Who is working (team mode): what they add is theirs, ``--mine`` means theirs. Apart from
:mod:`pipeline_tui.services.base` so that every command can set it without loading the queries."""

from __future__ import annotations

_current_user = ""


def set_user(name: str) -> None:
    """Who is working: new prospects are theirs, ``mine`` means theirs (team mode)."""
    global _current_user
    _current_user = name.strip()


def current_user() -> str:
    return _current_user
