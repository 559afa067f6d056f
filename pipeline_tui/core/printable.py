"""Text as a terminal may show it: what a user or a file gave, with nothing that acts.

A name, a note or a file name can hold anything (an imported CRM export, a colleague's entry in
the shared database). Written to a terminal as it is, an ESC starts a sequence that clears the
screen, retitles the window, plants a link or answers back into the input; a C1 character does
the same in one byte; a bidi override reverses the text around it. The database keeps exactly
what was given; every place that shows text on a terminal, in the command line and in the app,
passes it through :func:`printable` (or :func:`printable_lines`) first. README.md, "Your data",
lists what this guards against.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
"""Shown for a character that would act on the terminal: something is there, doing nothing."""

C0 = "".join(map(chr, range(0x20)))
C1 = "".join(map(chr, range(0x80, 0xA0)))
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Embeddings, overrides and isolates (and their pops): they reorder the text around them.
The marks (U+200E, U+200F, U+061C) act as one letter of a script and are kept: right-to-left
writers type them."""

LINE_BREAKS = "\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029"
"""What ``str.splitlines`` breaks on."""

# C0, DEL with C1, the line and paragraph separators with the bidi embeddings and overrides, the
# bidi isolates: as ranges, a pattern finds them several times quicker than str.translate
_RANGES = ((0x00, 0x1F), (0x7F, 0x9F), (0x2028, 0x202E), (0x2066, 0x2069))
UNSAFE = "".join(chr(code) for first, last in _RANGES for code in range(first, last + 1))
"""Every character :func:`printable` replaces."""

_ANY = re.compile("[" + "".join(f"\\u{first:04x}-\\u{last:04x}" for first, last in _RANGES) + "]")
_ANY_BUT_NEWLINE = re.compile(_ANY.pattern.replace("\\u0000-\\u001f", "\\u0000-\\u0009\\u000b-\\u001f"))


def _table(*, line_break: str, other: str) -> dict[str, str]:
    """What each character becomes: a tab a space (it only lays text out), a line break
    ``line_break``, any other ``other``."""
    return {c: " " if c == "\t" else line_break if c in LINE_BREAKS else other for c in UNSAFE}


_ONE_LINE = _table(line_break=" ", other=REPLACEMENT)
_LINES = _table(line_break="\n", other=REPLACEMENT)
_STRIPPED = _table(line_break=" ", other="")
_STRIPPED_LINES = _table(line_break="\n", other="")


def printable(text: str) -> str:
    """``text`` on one line, safe to show: tabs and line breaks become spaces, any other control
    character or bidi override becomes �. One character for one, so positions still match."""
    return _ANY.sub(lambda found: _ONE_LINE[found.group()], text)


def printable_lines(text: str) -> str:
    """``text`` safe to show, its lines kept: every kind of line break becomes ``\\n`` (a CR
    alone would send the cursor back to write over the line), the rest as :func:`printable`."""
    return _ANY_BUT_NEWLINE.sub(lambda found: _LINES[found.group()], text.replace("\r\n", "\n"))


def without_controls(text: str, *, lines: bool = False) -> str:
    """``text`` with what would act on a terminal removed, for formats that forbid control
    characters (iCalendar): line breaks kept as ``\\n`` when ``lines``, else spaces."""
    if lines:
        return _ANY_BUT_NEWLINE.sub(lambda found: _STRIPPED_LINES[found.group()], text.replace("\r\n", "\n"))
    return _ANY.sub(lambda found: _STRIPPED[found.group()], text)


def is_printable(text: str) -> bool:
    """Whether ``text`` holds nothing that :func:`printable` would replace."""
    return _ANY.search(text) is None
