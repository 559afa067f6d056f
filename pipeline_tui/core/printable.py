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
DEL = "\x7f"
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Embeddings, overrides and isolates (and their pops): they reorder the text around them.
The marks (U+200E, U+200F, U+061C) act as one letter of a script and are kept: right-to-left
writers type them."""

LINE_BREAKS = "\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029"
"""What ``str.splitlines`` breaks on."""

UNSAFE = C0 + DEL + C1 + BIDI_CONTROLS + "\u2028\u2029"
"""Every character :func:`printable` replaces."""

_ANY_UNSAFE = re.compile("[" + re.escape(UNSAFE) + "]")
_AS_SPACE = "\t" + LINE_BREAKS  # they lay text out: on one line, a space says as much
_ONE_LINE = str.maketrans({c: " " if c in _AS_SPACE else REPLACEMENT for c in UNSAFE})
_LINES = str.maketrans({c: "\n" if c in LINE_BREAKS else " " if c == "\t" else REPLACEMENT for c in UNSAFE})
_STRIPPED = str.maketrans({c: " " if c in _AS_SPACE else None for c in UNSAFE})
_STRIPPED_LINES = str.maketrans({c: "\n" if c in LINE_BREAKS else " " if c == "\t" else None for c in UNSAFE})


def printable(text: str) -> str:
    """``text`` on one line, safe to show: tabs and line breaks become spaces, any other control
    character or bidi override becomes �. One character for one, so positions still match."""
    return text.translate(_ONE_LINE)


def printable_lines(text: str) -> str:
    """``text`` safe to show, its lines kept: every kind of line break becomes ``\\n`` (a CR
    alone would send the cursor back to write over the line), the rest as :func:`printable`."""
    return text.replace("\r\n", "\n").translate(_LINES)


def without_controls(text: str, *, lines: bool = False) -> str:
    """``text`` with what would act on a terminal removed, for formats that forbid control
    characters (iCalendar): line breaks kept as ``\\n`` when ``lines``, else spaces."""
    if lines:
        return text.replace("\r\n", "\n").translate(_STRIPPED_LINES)
    return text.translate(_STRIPPED)


def is_printable(text: str) -> bool:
    """Whether ``text`` holds nothing that :func:`printable` would replace."""
    return _ANY_UNSAFE.search(text) is None
