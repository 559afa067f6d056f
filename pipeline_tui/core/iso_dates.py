"""Strict ISO dates (in files, and ``--now``) and the error every reading of a date raises: apart
from the date grammar (:mod:`pipeline_tui.core.dates`), which a command run at every shell prompt
with ``--now`` then does not load."""

from __future__ import annotations

from datetime import date, datetime, time

from pipeline_tui.errors import UserError


class DateError(UserError):
    """A date that could not be read: not ISO, not a numeric date, or one that reads two ways."""


def parse_iso(text: str, what: str = "date") -> datetime:
    """Strict ISO ``YYYY-MM-DD[ HH:MM[:SS]]`` for files and ``--now``, fast and unambiguous."""
    value = text.strip()
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time())
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise DateError(f"{what} {text!r} is not an ISO date like 2026-12-01 or 2026-12-01 14:30") from exc
    if parsed.tzinfo is not None:
        parsed = parsed.replace(tzinfo=None)
    return parsed
