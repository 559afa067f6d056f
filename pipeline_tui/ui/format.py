"""Small shared wording for the screens: labels for kinds, due times and decision makers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pipeline_tui.core.dates import describe_due
from pipeline_tui.core.money import format_estimate, format_money
from pipeline_tui.core.printable import printable  # noqa: F401  (the screens' one way to show text)

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


def due_label(due: datetime, now: datetime) -> str:
    return describe_due(due, now)


def money(cents: int | float | None, short: bool = False) -> str:
    return format_money(cents, short=short)


def estimate(cents: int | float | None, rounding: Callable[[float], int] = round) -> str:
    return format_estimate(cents, rounding)


def when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return moment.strftime("%a %d %b %Y %H:%M").replace(" 00:00", "")
