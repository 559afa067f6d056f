"""The row of view names at the top of each screen: where you are, and the key to go elsewhere."""

from __future__ import annotations

from textual.content import Content

VIEWS = (("1", "Board"), ("2", "Agenda"), ("3", "Report"))


def view_tabs(active: str) -> list:
    """Content parts naming the three views, the active one highlighted."""
    parts: list = []
    for key, name in VIEWS:
        if name == active:
            parts += [(f" {key} {name} ", "bold reverse $accent")]
        else:
            parts += [(f" {key} ", "bold $accent"), (f"{name} ", "dim")]
    parts.append("  ")
    return parts


def strip(active: str, *parts) -> Content:
    return Content.assemble(*view_tabs(active), *parts)
