"""Wide characters (CJK, most emoji) over other widgets: none may be cut in two.

Textual cuts every line of the screen wherever a widget on it begins or ends, the widgets
under an overlay included, and a character two cells wide that a cut falls inside is drawn
as two blanks: "山田 太郎" showed as "山  太郎" in the detail pane lying over the columns. A
text drawn over other widgets asks where those cuts fall (``cuts_across``) and moves a wide
character that would straddle one a cell to the right (``clear_of_cuts``); it is wrapped that
many cells narrower (``CUT_ROOM``) so that the line still fits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from rich.cells import get_character_cell_size
from textual.widget import Widget

Styled = TypeVar("Styled")
NARROWEST_COLUMN = 16  # the board's columns are never narrower: so many cuts at most


def has_wide(parts: Sequence[tuple[str, object]]) -> bool:
    """Whether any part holds a character two cells wide."""
    return any(not text.isascii() and any(get_character_cell_size(c) == 2 for c in text) for text, _ in parts)


def cut_room(width: int) -> int:
    """How many cells narrower to wrap a text with wide characters: one per cut there may be."""
    return width // NARROWEST_COLUMN + 1


def cuts_across(widget: Widget, left: int, width: int) -> frozenset[int]:
    """Where, in the ``width`` cells from screen column ``left`` on the rows of ``widget``,
    another widget on its screen begins or ends: offsets from ``left``."""
    mine = widget.region
    cuts = set()
    for other in widget.screen.walk_children(with_self=False):
        if other is widget or not other.display:
            continue
        region = other.region  # empty when it is not on screen
        if not region or region.bottom <= mine.y or region.y >= mine.bottom:
            continue
        cuts.update(edge - left for edge in (region.x, region.right) if left < edge < left + width)
    return frozenset(cuts)


def clear_of_cuts(parts: list[tuple[str, Styled]], cuts: frozenset[int]) -> list[tuple[str, Styled]]:
    """The line's parts with a blank before each wide character that a cut would split."""
    if not cuts or all(text.isascii() for text, _ in parts):
        return parts
    result: list[tuple[str, Styled]] = []
    offset = 0
    for text, style in parts:
        characters = []
        for character in text:
            size = get_character_cell_size(character)
            if size == 2 and offset + 1 in cuts:
                characters.append(" ")
                offset += 1
            characters.append(character)
            offset += size
        result.append(("".join(characters), style))
    return result
