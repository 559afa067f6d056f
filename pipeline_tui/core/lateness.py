"""How late a follow-up is, counted one way wherever it is said: the card, the agenda, the
detail pane, the advice and the score's reasons (README: "Days late").

Days late are calendar days: a call due yesterday at 17:00 is a day late at 09:00 today, as
a salesperson reads a diary, and a follow-up due earlier today is late but no day late yet.
"""

from __future__ import annotations

from datetime import datetime


def days_late(due: datetime, now: datetime) -> int:
    """Calendar days from the day ``due`` falls on to today; 0 when it is not yet a day late
    (or not late at all)."""
    return max(0, (now.date() - due.date()).days)
