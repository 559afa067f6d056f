"""Small shared wording for the screens: labels for kinds, due times and decision makers."""

from __future__ import annotations

from datetime import datetime

from pipeline_tui.core.dates import describe_due
from pipeline_tui.core.money import format_money

KIND_LABELS = {
    "call": "call",
    "email": "email",
    "appointment": "appointment",  # one word for it everywhere, as the forms and the README say
    "demo": "demo",
    "trial": "trial",
    "info-request": "info req",
    "reminder": "reminder",
    "task": "task",
}

DECISION_MARKS = {"yes": "DM✓", "no": "DM✗", "unknown": "DM?"}
DECISION_WORDS = {"yes": "confirmed", "no": "cannot decide", "unknown": "not confirmed"}


# C0 and C1 control characters, DEL among them: written to the terminal as they are, an ESC in a
# name (an imported file can hold anything) starts an escape sequence that restyles the screen,
# retitles the window or worse. Shown as U+FFFD instead: something is there, doing nothing.
_CONTROLS = {code: "\ufffd" for code in (*range(0x20), *range(0x7F, 0xA0))}


def printable(text: str) -> str:
    """``text`` with control characters shown as � (they would act on the terminal)."""
    return text.translate(_CONTROLS)


def due_label(due: datetime, now: datetime) -> str:
    return describe_due(due, now)


def money(cents: int | float | None, short: bool = False) -> str:
    return format_money(cents, short=short)


def when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.strftime("%a %d %b %Y %H:%M").replace(" 00:00", "")
