"""The next step after a call, as the call block suggests it: the advice for the prospect
says what is missing (R2-R5), and the most pressing advice that a follow-up answers names the
kind and the gap; a cadence's own next step comes before any of this (it runs by itself)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from pipeline_tui.core.cadences import CadenceStep, step_due
from pipeline_tui.core.dates import DEFAULT_RULES, DateRules

# advice code -> the follow-up that answers it, how soon, and why (in the salesperson's words)
ANSWERS = {
    "answer-info-request": ("email", "+0d", "send what they asked for"),
    "send-reminder": ("email", "+0d", "remind them of the appointment"),
    "confirm-decision-maker": ("call", "+1d", "check who decides"),
    "follow-up-after-appointment": ("email", "+1d", "keep following up after the appointment"),
    "schedule-appointment": ("appointment", "+2d", "book the appointment"),
    "offer-trial": ("demo", "+3d", "offer a trial or demo"),
    "probe-budget": ("call", "+2d", "find out the budget"),
    "probe-timeframe": ("call", "+2d", "find out when they decide"),
    "stale": ("call", "+2d", "revive it or close it"),
}


class Suggestion(NamedTuple):
    kind: str
    due: datetime
    why: str


def advised_next(
    codes: Iterable[str], since: datetime, rules: DateRules = DEFAULT_RULES
) -> Suggestion | None:
    """What the first of ``codes`` (advice, most pressing first) that a follow-up answers
    suggests, due counted from ``since``; None when none does."""
    for code in codes:
        if code in ANSWERS:
            kind, gap, why = ANSWERS[code]
            return Suggestion(kind, step_due(CadenceStep(kind, gap), since, rules), why)
    return None
