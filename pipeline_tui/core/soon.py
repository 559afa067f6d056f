"""How a moment to come reads in one short phrase (the cadence's next step, the prompt's next
follow-up): on its own, so that `pipeline-tui due` reads it without the date grammar."""

from __future__ import annotations

from datetime import datetime


def soon_label(due: datetime, now: datetime) -> str:
    """``today 15:00``, ``tomorrow 09:00``, ``Fri 09:00`` within the week, else ``Fri 11 Dec 09:00``."""
    days = (due.date() - now.date()).days
    if days == 0:
        return f"today {due:%H:%M}"
    if days == 1:
        return f"tomorrow {due:%H:%M}"
    if 1 < days < 7:
        return due.strftime("%a %H:%M")
    return due.strftime("%a %d %b %H:%M") if due.year == now.year else due.strftime("%a %d %b %Y %H:%M")
