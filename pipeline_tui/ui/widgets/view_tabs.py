"""The row of view names at the top of each screen: where you are, and the key to go elsewhere."""

from __future__ import annotations

from textual.content import Content

from pipeline_tui.core.printable import printable

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


def strip(active: str, *parts: str | tuple[str, str]) -> Content:
    """The view names, then ``parts`` (text, or text and style) as text: they name pipelines,
    people and what was typed into the search."""
    shown = [printable(part) if isinstance(part, str) else (printable(part[0]), part[1]) for part in parts]
    return Content.assemble(*view_tabs(active), *shown)
