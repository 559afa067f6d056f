"""Text that stays readable on a coloured row (the cursor's): WCAG 2 contrast, at least 4.5:1.

A theme colours an overdue date red and the cursor row blue; red on blue (1.2:1 in
textual-dark) or grey on light blue (1.1:1 in atom-one-dark) cannot be read. Such text is
mixed towards white or black, whichever the background needs, until it can: it keeps its
hue as far as it may, and at the end it is white or black, which on any background reach
4.58:1 or more.
"""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color
from rich.color_triplet import ColorTriplet
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

READABLE = 4.5  # WCAG 2 AA for normal text
WHITE, BLACK = ColorTriplet(255, 255, 255), ColorTriplet(0, 0, 0)


def luminance(colour: ColorTriplet) -> float:
    """WCAG 2 relative luminance, 0 (black) to 1 (white)."""

    def channel(value: int) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = colour
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(one: ColorTriplet, other: ColorTriplet) -> float:
    """WCAG 2 contrast ratio, 1 (the same) to 21 (black on white)."""
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _mix(colour: ColorTriplet, target: ColorTriplet, share: float) -> ColorTriplet:
    return ColorTriplet(*(round(c + (t - c) * share) for c, t in zip(colour, target, strict=True)))


@lru_cache(maxsize=256)
def readable_on(text: ColorTriplet, background: ColorTriplet, lighter: bool = True) -> ColorTriplet:
    """``text``, or the least change of it towards white (``lighter``, as the rest of the row's
    text is) or black that reads on ``background``; the other way if that one cannot."""
    if contrast(text, background) >= READABLE:
        return text
    targets = (WHITE, BLACK) if lighter else (BLACK, WHITE)
    for target in targets:
        for step in range(1, 11):
            mixed = _mix(text, target, step / 10)
            if contrast(mixed, background) >= READABLE:
                return mixed
    return max(targets, key=lambda target: contrast(target, background))


@lru_cache(maxsize=256)
def _readable_style(style: Style, lighter: bool) -> Style:
    colour, background = style.color, style.bgcolor
    if colour is None or background is None or not (colour.triplet and background.triplet):
        return style  # a terminal's own (ANSI) colours: the terminal's theme decides
    fixed = readable_on(colour.triplet, background.triplet, lighter)
    return style if fixed == colour.triplet else style + Style(color=Color.from_triplet(fixed))


def readable(strip: Strip, base: Style) -> Strip:
    """The line with every part readable on its own background; ``base`` is the widget's own
    text on its own background: parts turn lighter where it is light on dark, else darker."""
    lighter = True
    if base.color is not None and base.color.triplet and base.bgcolor is not None and base.bgcolor.triplet:
        lighter = luminance(base.color.triplet) >= luminance(base.bgcolor.triplet)
    segments = [
        Segment(text, _readable_style(style, lighter) if style is not None else None, control)
        for text, style, control in strip
    ]
    return Strip(segments, strip.cell_length)
